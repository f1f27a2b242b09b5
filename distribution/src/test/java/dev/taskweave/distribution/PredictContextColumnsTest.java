package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What {@code predict} writes for an input with context columns: each row repeats its cells, as
 * given and in the input's order, between the item and the scores, so an output row names the
 * input row it scores; an input without them is written as before, user, item and scores.
 */
class PredictContextColumnsTest extends RuntimeTest {
    static final String CONFIG = """
            name: predict-context
            seed: 4
            data:
              type: files
              params:
                interactions:
                  file: ratings.csv
                  user: user
                  item: item
                  labels: {rating: stars}
                  context: {categorical: [device], numeric: [hour]}
                split: {by: random, valid: 0.1, test: 0.1}
            features: {embeddingDim: 4}
            tasks:
              - {name: rating, head: regression, label: rating, metrics: [rmse], params: {tower: [4]}}
              - {name: like, head: binary, label: rating, metrics: [auc], params: {tower: [4], threshold: 3.5}}
            sharing: {type: shared-bottom, params: {layers: [8]}}
            weighting: {type: equal}
            training: {batchSize: 64, epochs: 1, progressBar: false}
            """;

    /** Devices whose names hold a quote mark and a comma, read from a quoted CSV field. */
    static final List<String> DEVICES = List.of("tv \"4k\"", "phone, small", "it's a tablet");

    private Path train() throws Exception {
        Random random = new Random(9);
        StringBuilder rows = new StringBuilder("user,item,stars,device,hour\n");
        for (int u = 0; u < 30; u++) {
            for (int k = 0; k < 8; k++) {
                String device = DEVICES.get(random.nextInt(DEVICES.size()));
                rows.append('u').append(u).append(",i").append(random.nextInt(12)).append(',').append(1 + random.nextInt(5))
                        .append(",\"").append(device.replace("\"", "\"\"")).append("\",").append(random.nextInt(24)).append('\n');
            }
        }
        write("ratings.csv", rows.toString());
        Path model = tmp.resolve("model");
        taskweave.train(write("experiment.yaml", CONFIG), model, quiet());
        return model;
    }

    private String predict(Path model, String input, List<String> tasks) throws Exception {
        StringWriter out = new StringWriter();
        taskweave.predict(model, write("pairs.tsv", input), out, tasks);
        return out.toString();
    }

    @Test
    void theOutputRepeatsEachRowsContextCellsAsGiven() throws Exception {
        Path model = train();
        // the columns in the input's order (not the model's), cells as given: a name with a quote
        // mark or a comma, a code (1), a number as written (21.0, 007), empty cells; whitespace
        // around a cell is not part of it, as around the ids
        String input = "user\titem\tuser_hour\tuser_device\n"
                + "u1\ti5\t21\ttv \"4k\"\n"
                + "u1\ti5\t21.0\tphone, small\n"
                + "u1\ti5\t \t it's a tablet \n"
                + "u2\ti7\t007\t1\n"
                + "u2\ti7\t\t\n";
        String out = predict(model, input, List.of());
        List<String> lines = out.lines().toList();
        assertEquals(6, lines.size(), out);
        assertTrue(out.endsWith("\n"), out);
        // the scores keep their columns (after user and item), the context cells follow them
        assertEquals("user\titem\trating\tlike\tuser_hour\tuser_device", lines.get(0));
        List<String> pairs = List.of("u1\ti5", "u1\ti5", "u1\ti5", "u2\ti7", "u2\ti7");
        List<String> cells = List.of("21\ttv \"4k\"", "21.0\tphone, small", "\tit's a tablet", "007\t1", "\t");
        for (int r = 0; r < pairs.size(); r++) {
            String[] fields = lines.get(r + 1).split("\t", -1);
            assertEquals(6, fields.length, lines.get(r + 1));
            assertEquals(pairs.get(r), fields[0] + "\t" + fields[1], out);
            assertEquals(cells.get(r), fields[4] + "\t" + fields[5], out);
            Float.parseFloat(fields[2]);
            Float.parseFloat(fields[3]);
        }

        // the pair and its moment, not the row's position: shuffled rows keep their cells and scores
        List<String> rows = new java.util.ArrayList<>(input.lines().skip(1).toList());
        java.util.Collections.reverse(rows);
        String reversed = "user\titem\tuser_hour\tuser_device\n" + String.join("\n", rows) + "\n";
        List<String> back = predict(model, reversed, List.of("like")).lines().toList();
        assertEquals("user\titem\tlike\tuser_hour\tuser_device", back.get(0));
        for (int r = 0; r < pairs.size(); r++) {
            String[] row = back.get(pairs.size() - r).split("\t", -1);
            assertEquals(pairs.get(r) + "\t" + cells.get(r), row[0] + "\t" + row[1] + "\t" + row[3] + "\t" + row[4]);
            assertEquals(Float.parseFloat(lines.get(r + 1).split("\t", -1)[3]), Float.parseFloat(row[2]), 1e-6, String.join("\t", row));
        }

        // a header of context columns without rows: the header alone
        assertEquals("user\titem\trating\tuser_device\n", predict(model, "user\titem\tuser_device\n", List.of("rating")));

        // --output writes what standard output shows
        Path file = tmp.resolve("scores.tsv");
        CliTest.Run r = CliTest.run("predict", "--model", model.toString(), "--input", write("pairs.tsv", input).toString(),
                "--output", file.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(out, Files.readString(file, StandardCharsets.UTF_8));
        assertEquals(out, CliTest.run("predict", "--model", model.toString(), "--input", tmp.resolve("pairs.tsv").toString()).out());
    }

    @Test
    void aContextColumnNamedAsATaskIsWrittenWithAPrefix() throws Exception {
        write("ratings.csv", "user,item,stars,device,hour\n" + "u1,i1,4,tv,3\nu1,i2,2,phone,4\nu2,i1,5,tv,20\nu2,i2,1,phone,21\n".repeat(20));
        Path model = tmp.resolve("model");
        // a task called as the model's context feature user_hour
        taskweave.train(write("experiment.yaml", CONFIG.replace("{name: like,", "{name: user_hour,")), model, quiet());
        String out = predict(model, "user\titem\tuser_hour\tuser_device\nu1\ti1\t3\ttv\n", List.of());
        List<String> lines = out.lines().toList();
        // before: user item rating user_hour user_hour user_device
        assertEquals("user\titem\trating\tuser_hour\tcontext.user_hour\tuser_device", lines.get(0));
        String[] row = lines.get(1).split("\t", -1);
        assertEquals("u1\ti1\t3\ttv", row[0] + "\t" + row[1] + "\t" + row[4] + "\t" + row[5]);
        Float.parseFloat(row[3]);
        // without the task among the selected ones, the column keeps its name
        assertEquals("user\titem\trating\tuser_hour\tuser_device",
                predict(model, "user\titem\tuser_hour\tuser_device\n", List.of("rating")).lines().findFirst().orElseThrow());
    }

    @Test
    void anInputWithoutContextColumnsIsWrittenAsBefore() throws Exception {
        Path model = train();
        String withHeader = predict(model, "user\titem\nu1\ti5\nu2\ti7\nu1\ti5\n", List.of());
        String withoutHeader = predict(model, "u1\ti5\nu2\ti7\nu1\ti5\n", List.of());
        assertEquals(withHeader, withoutHeader);
        List<String> lines = withHeader.lines().toList();
        assertEquals("user\titem\trating\tlike", lines.get(0));
        assertEquals(4, lines.size(), withHeader);
        // user, item and one score per task: the form predict wrote before context columns
        String expected = "user\titem\trating\tlike\n";
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t", -1);
            assertEquals(4, f.length, line);
            expected += f[0] + "\t" + f[1] + "\t" + Float.parseFloat(f[2]) + "\t" + Float.parseFloat(f[3]) + "\n";
        }
        assertEquals(expected, withHeader);
        assertTrue(lines.get(1).startsWith("u1\ti5\t") && lines.get(2).startsWith("u2\ti7\t") && lines.get(3).startsWith("u1\ti5\t"),
                withHeader);
        // the scores are those of the same pairs with empty context cells (the users' current values)
        List<String> empty = predict(model, "user\titem\tuser_device\tuser_hour\nu1\ti5\t\t\nu2\ti7\t\t\nu1\ti5\t\t\n", List.of())
                .lines().toList();
        for (int r = 1; r < 4; r++) {
            String[] plain = lines.get(r).split("\t");
            String[] context = empty.get(r).split("\t", -1);
            assertEquals(plain[0] + "\t" + plain[1] + "\t\t", context[0] + "\t" + context[1] + "\t" + context[4] + "\t" + context[5]);
            assertEquals(Float.parseFloat(plain[2]), Float.parseFloat(context[2]), 1e-5, empty.get(r));
            assertEquals(Float.parseFloat(plain[3]), Float.parseFloat(context[3]), 1e-5, empty.get(r));
        }
    }
}
