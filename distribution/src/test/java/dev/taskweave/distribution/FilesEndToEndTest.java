package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskweave.core.run.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The {@code files} data source end to end: CSV files with planted structure (a user's segment
 * and an item's category decide the rating), trained through the distribution's plugin jars.
 */
class FilesEndToEndTest extends RuntimeTest {
    static final int USERS = 300;
    static final int COLD_USERS = 30;
    static final int ITEMS = 60;

    static final String CONFIG = """
            name: files
            seed: 4
            data:
              type: files
              params:
                interactions:
                  file: train.csv
                  user: user
                  item: item
                  timestamp: time
                  labels: {rating: stars}
                split: {by: files, validFile: valid.csv, testFile: test.csv}
                users: {file: users.tsv, id: id, categorical: [segment], numeric: [age]}
                items: {file: items.csv, id: item_id, categorical: [category], multiValued: {tags: "|"}}
                itemHistory: values
                historyLabel: rating
                attributes: [item_category]
                attributeHoldout: 0.2
                ranking: {negatives: 20}
            features: {embeddingDim: 8, idDropout: 0.2}
            tasks:
              - {name: rating, head: regression, label: rating, metrics: [rmse], params: {tower: [16]}}
              - {name: like, head: binary, label: rating, metrics: [auc], params: {tower: [16], threshold: 4}}
              - {name: watch, head: binary, label: observed, metrics: [auc], params: {tower: [16], negatives: 1}}
              - name: category
                head: multiclass
                label: item_category
                metrics: [accuracy]
                weight: 2.0
                hideFeatures: [item_id]
                params: {tower: [16]}
            sharing: {type: shared-bottom, params: {layers: [32]}}
            weighting: {type: fixed}
            optimizer: {learningRate: 0.01}
            training: {batchSize: 128, epochs: 8, progressBar: false}
            """;

    /**
     * Users in three segments, items in three categories; each user rates 10 items of the category
     * matching their segment and 10 others, 2 + 2 * (segment == category) + noise stars, clamped
     * to 1..5. The last 30 users are cold: all their rows are test rows.
     *
     * @return the RMSE of the training mean on the test rows
     */
    double writeData() throws Exception {
        return writeData(tmp);
    }

    /** {@link #writeData()} into {@code dir}; the items file also lists two items nobody rated, item-new-0 and item-new-1. */
    static double writeData(Path dir) throws Exception {
        Random random = new Random(11);
        StringBuilder users = new StringBuilder("id\tsegment\tage\n");
        for (int u = 0; u < USERS; u++) {
            users.append("user-").append(u).append('\t').append("seg").append(u % 3).append('\t').append(18 + random.nextInt(50)).append('\n');
        }
        StringBuilder items = new StringBuilder("item_id,category,tags\n");
        for (int i = 0; i < ITEMS; i++) {
            items.append("item-").append(i).append(",cat").append(i % 3).append(",\"t").append(random.nextInt(4)).append("|t")
                    .append(random.nextInt(4)).append("\"\n");
        }
        items.append("item-new-0,cat0,\"t1|t2\"\nitem-new-1,cat1,t3\n");
        String header = "user,item,stars,time\n";
        StringBuilder train = new StringBuilder(header);
        StringBuilder valid = new StringBuilder(header);
        StringBuilder test = new StringBuilder(header);
        double trainSum = 0;
        int trainCount = 0;
        java.util.List<Integer> testStars = new java.util.ArrayList<>();
        int time = 0;
        for (int u = 0; u < USERS; u++) {
            boolean cold = u >= USERS - COLD_USERS;
            // half of a user's 20 items from the category of their segment: who watches what is planted too
            java.util.List<Integer> same = new java.util.ArrayList<>();
            java.util.List<Integer> other = new java.util.ArrayList<>();
            for (int i = 0; i < ITEMS; i++) {
                (i % 3 == u % 3 ? same : other).add(i);
            }
            java.util.Collections.shuffle(same, random);
            java.util.Collections.shuffle(other, random);
            java.util.List<Integer> rated = new java.util.ArrayList<>(same.subList(0, 10));
            rated.addAll(other.subList(0, 10));
            java.util.Collections.shuffle(rated, random);
            int k = 0;
            for (int i : rated) {
                double mean = 2 + 2 * (u % 3 == i % 3 ? 1 : 0);
                int stars = (int) Math.max(1, Math.min(5, Math.round(mean + 0.5 * random.nextGaussian())));
                String row = "user-" + u + ",item-" + i + "," + stars + "," + (time++) + "\n";
                if (cold || k % 10 == 9) {
                    test.append(row);
                    testStars.add(stars);
                } else if (k % 10 == 8) {
                    valid.append(row);
                } else {
                    train.append(row);
                    trainSum += stars;
                    trainCount++;
                }
                k++;
            }
        }
        Files.writeString(dir.resolve("users.tsv"), users.toString());
        Files.writeString(dir.resolve("items.csv"), items.toString());
        Files.writeString(dir.resolve("train.csv"), train.toString());
        Files.writeString(dir.resolve("valid.csv"), valid.toString());
        Files.writeString(dir.resolve("test.csv"), test.toString());
        double mean = trainSum / trainCount;
        return Math.sqrt(testStars.stream().mapToDouble(s -> (s - mean) * (s - mean)).average().orElseThrow());
    }

    @Test
    void aSparselyLabelledBinaryTaskWithNegativesRecordsTheRowsItsNegativesAreDrawnFor() throws Exception {
        // a click label on every fourth row (1 when 4 stars or more), empty on the others; one
        // negative is drawn for every row, labelled or not
        writeData();
        int[] rows = {0};
        int[] labelled = {0};
        for (String split : new String[] {"train.csv", "valid.csv", "test.csv"}) {
            java.util.List<String> lines = Files.readAllLines(tmp.resolve(split));
            StringBuilder out = new StringBuilder(lines.get(0)).append(",clicked\n");
            for (int r = 1; r < lines.size(); r++) {
                String line = lines.get(r);
                boolean has = r % 4 == 0;
                out.append(line).append(',').append(has ? (Integer.parseInt(line.split(",")[2]) >= 4 ? "1" : "0") : "").append('\n');
                if (split.equals("train.csv")) {
                    rows[0]++;
                    labelled[0] += has ? 1 : 0;
                }
            }
            Files.writeString(tmp.resolve(split), out.toString());
        }
        String yaml = CONFIG.replace("labels: {rating: stars}", "labels: {rating: stars, clicked: clicked}")
                .replace("epochs: 8", "epochs: 1")
                .replace("  - {name: watch,", "  - {name: click, head: binary, label: clicked, metrics: [auc], params: {tower: [16], negatives: 1}}\n  - {name: watch,");
        Path model = tmp.resolve("clicks");
        TrainingResult result = taskweave.train(write("clicks.yaml", yaml), model, quiet());
        com.fasterxml.jackson.databind.JsonNode click = null;
        for (com.fasterxml.jackson.databind.JsonNode task : new ObjectMapper().readTree(model.resolve("model.json").toFile()).get("tasks")) {
            if (task.get("name").asText().equals("click")) {
                click = task;
            }
        }
        // the statistics the head's starting offset is computed from (BinaryHead.priorLogit: the
        // positives among the labelled rows and one negative per row)
        assertEquals(labelled[0], click.get("labelCount").asLong());
        assertEquals(rows[0], click.get("labelRows").asLong());
        // a field releases of format 1 do not know: the model is of format 2
        assertEquals(2, new ObjectMapper().readTree(model.resolve("model.json").toFile()).get("formatVersion").asInt());
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.valueToTree(result.metrics()), json.valueToTree(taskweave.evaluate(model)));
        // fewer rows than labelled rows, in a model.json edited by hand (its checksum removed too)
        String text = Files.readString(model.resolve("model.json"));
        Files.writeString(model.resolve("model.json"), text.replace("\"labelRows\" : " + rows[0], "\"labelRows\" : 1"));
        Files.delete(model.resolve("model.json.crc32c"));
        dev.taskweave.core.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.taskweave.core.config.ConfigException.class, () -> taskweave.evaluate(model));
        assertTrue(e.getMessage().contains("model.json: tasks[2].labelRows: 1 training rows, below the task's " + labelled[0]
                + " labelled rows (labelCount)"), e.getMessage());
    }

    @Test
    void learnsThePlantedStructureAndServesColdUsersFromTheirFeatures() throws Exception {
        double baseline = writeData();
        Path config = write("experiment.yaml", CONFIG);
        TrainingResult result = taskweave.train(config, tmp.resolve("model"), quiet());
        Map<String, Map<String, Map<String, Double>>> m = result.metrics();
        double rmse = m.get("test").get("rating").get("rmse");
        double cold = m.get("test_cold_user").get("rating").get("rmse");
        double auc = m.get("test").get("like").get("auc");
        double accuracy = m.get("attribute_test").get("category").get("accuracy");
        String figures = "baseline " + baseline + ", test " + rmse + ", cold users " + cold + ", like AUC " + auc
                + ", category accuracy " + accuracy + ", HR@10 " + m.get("test").get("watch").get("hr@10");
        // the warm and the cold users' ratings both follow segment x category: far below the mean's error
        assertTrue(rmse < 0.75 * baseline, figures);
        assertTrue(cold < 0.8 * baseline, figures);
        assertTrue(auc > 0.85, figures);
        // a positive among 20 negatives is in the top 10 by chance with probability 10 / 21 = 0.476
        assertTrue(m.get("test").get("watch").get("hr@10") > 0.56, figures);
        // 12 held-out items, three categories: the items' raters (the values history) tell them apart
        assertTrue(accuracy > 0.5, figures);
        // the cold users' 600 rows are reported apart; the warm test keeps the 540 rows of the others
        ObjectMapper json = new ObjectMapper();
        var description = json.readTree(tmp.resolve("model/model.json").toFile()).get("dataDescription");
        assertEquals("600", description.get("rows.test_cold_user").asText(), description.toString());
        assertEquals("540", description.get("rows.test").asText());
        assertEquals("270", description.get("rankings.test.lists").asText());
        // reloading re-reads the files, checks their fingerprint and reproduces every metric
        assertEquals(json.valueToTree(m), json.valueToTree(taskweave.evaluate(tmp.resolve("model"))));
    }

    @Test
    void theShopExampleLearnsItsPlantedStructure() throws Exception {
        String example = Files.readString(Dist.home().resolve("examples/shop.yaml"))
                .replace("file: shop/", "file: " + Dist.home().resolve("examples/shop") + "/")
                .replace("epochs: 30", "epochs: 6");
        TrainingResult result = taskweave.train(write("shop.yaml", example), tmp.resolve("shop"), quiet());
        Map<String, Map<String, Double>> test = result.metrics().get("test");
        String figures = result.metrics().toString();
        // chance: AUC 0.5, HR@10 among 51 candidates 10 / 51 = 0.196, one category of six 0.167
        assertTrue(test.get("click").get("auc") > 0.62, figures);
        assertTrue(test.get("purchase").get("auc") > 0.62, figures);
        assertTrue(test.get("view").get("hr@10") > 0.4, figures);
        assertTrue(result.metrics().get("attribute_test").get("category").get("accuracy") > 0.6, figures);
    }
}
