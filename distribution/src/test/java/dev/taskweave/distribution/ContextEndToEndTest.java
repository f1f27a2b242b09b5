package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskweave.core.run.TrainingResult;
import java.nio.file.Files;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Per-interaction features end to end, through the {@code files} source: ratings with a planted
 * session mood and a planted device effect, which no user or item feature can explain and the
 * rows' own values can.
 */
class ContextEndToEndTest extends RuntimeTest {
    static final String CONFIG = """
            name: context
            seed: 3
            data:
              type: files
              params:
                interactions:
                  file: ratings.csv
                  user: user
                  item: item
                  timestamp: time
                  labels: {rating: stars}
                  context: {categorical: [device]}
                split: {by: random, valid: 0.1, test: 0.1}
                recent: [{label: rating, window: 4}]
            # no user id: a user's mean says nothing of a session's mood
            features: {embeddingDim: 8, wideOnly: [user_recent_rating], exclude: [user_id%s]}
            tasks:
              - {name: rating, head: regression, label: rating, metrics: [rmse], wideFeatures: [user_recent_rating], params: {tower: [16]}}
            sharing: {type: shared-bottom, params: {layers: [32]}}
            weighting: {type: fixed}
            optimizer: {learningRate: 0.01, weightDecay: 0.001}
            training: {batchSize: 128, epochs: 20, progressBar: false}
            """;

    /**
     * 200 users rate 32 of 40 items in two sessions of sixteen; a rating is 3 + half the item's
     * quality (-1, 0 or 1) + the session's mood (-1 or +1) + 0.5 on a TV (-0.5 on a phone) + noise
     * of deviation 0.3. Times increase through each user's sessions.
     */
    void writeData() throws Exception {
        Random random = new Random(5);
        StringBuilder rows = new StringBuilder("user,item,stars,time,device\n");
        long time = 0;
        for (int u = 0; u < 200; u++) {
            java.util.List<Integer> items = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                items.add(i);
            }
            java.util.Collections.shuffle(items, random);
            for (int session = 0; session < 2; session++) {
                double mood = random.nextBoolean() ? 1 : -1;
                for (int k = 0; k < 16; k++) {
                    int item = items.get(session * 16 + k);
                    boolean tv = random.nextBoolean();
                    double stars = 3 + 0.5 * (item % 3 - 1) + mood + (tv ? 0.5 : -0.5) + 0.3 * random.nextGaussian();
                    rows.append("u").append(u).append(",i").append(item).append(',')
                            .append(String.format(java.util.Locale.ROOT, "%.2f", stars)).append(',').append(time++)
                            .append(',').append(tv ? "tv" : "phone").append('\n');
                }
                time += 1000;
            }
        }
        Files.writeString(tmp.resolve("ratings.csv"), rows.toString());
    }

    @Test
    void theRowsOwnMomentExplainsWhatNoEntityFeatureCan() throws Exception {
        writeData();
        TrainingResult with = taskweave.train(write("with.yaml", CONFIG.formatted("")), tmp.resolve("with"), quiet());
        TrainingResult without = taskweave.train(write("without.yaml", CONFIG.formatted(", user_device, user_recent_rating")
                .replace("wideOnly: [user_recent_rating], ", "")
                .replace(", wideFeatures: [user_recent_rating]", "")), tmp.resolve("without"), quiet());
        double rmseWith = with.metrics().get("test").get("rating").get("rmse");
        double rmseWithout = without.metrics().get("test").get("rating").get("rmse");
        String figures = "test RMSE with the per-interaction features " + rmseWith + ", without " + rmseWithout;
        // without them (and without the user's id), mood and device are noise to the model:
        // sqrt(1 + 0.25 + 0.09) = 1.16 at best
        assertTrue(rmseWithout > 1.05, figures);
        // (the same model on data drawn the same way by a script, four draws: 0.77 to 0.79 times the RMSE without)
        assertTrue(rmseWith < 0.85 * rmseWithout, figures);

        // the device is a context feature of the user's (the last one used is the table's), the
        // recent mean a feature derived from interactions; both read per row
        ObjectMapper json = new ObjectMapper();
        var features = json.readTree(tmp.resolve("with/model.json").toFile()).get("features");
        int found = 0;
        for (var f : features) {
            if (f.get("name").asText().equals("user_device") || f.get("name").asText().equals("user_recent_rating")) {
                assertTrue(f.get("perInteraction").asBoolean(), f.toString());
                assertEquals(f.get("name").asText().equals("user_recent_rating"), f.get("fromInteractions").asBoolean(), f.toString());
                found++;
            }
        }
        assertEquals(2, found, features.toString());
        // reloading re-reads the rows' values, checks the data's fingerprint and reproduces every metric
        assertEquals(json.valueToTree(with.metrics()), json.valueToTree(taskweave.evaluate(tmp.resolve("with"))));

        // serving: a request may give the moment's values (context); without, the user's current ones
        try (dev.taskweave.serve.TaskweaveServer server = serve(tmp.resolve("with"))) {
            var scored = ServeNewItemsTest.post(server, """
                    {"pairs": [
                      {"user": "u7", "item": "i3", "context": {"user_device": "tv"}},
                      {"user": "u7", "item": "i3", "context": {"user_device": "phone"}},
                      {"user": "u7", "item": "i3", "context": {"user_device": "tv", "user_recent_rating": 1.0}},
                      {"user": "u7", "item": "i3", "context": {"user_device": "tv", "user_recent_rating": -1.0}},
                      {"user": "u7", "item": "i3"}]}""");
            double[] rating = new double[5];
            for (int i = 0; i < 5; i++) {
                rating[i] = scored.at("/scores/" + i + "/scores/rating").asDouble();
            }
            String served = java.util.Arrays.toString(rating);
            // each answer repeats its pair's context as the request gave it, so the five answers for
            // (u7, i3) are told apart by more than their positions; the pair without one has none
            String[] contexts = {"{\"user_device\":\"tv\"}", "{\"user_device\":\"phone\"}",
                "{\"user_device\":\"tv\",\"user_recent_rating\":1.0}", "{\"user_device\":\"tv\",\"user_recent_rating\":-1.0}"};
            for (int i = 0; i < contexts.length; i++) {
                assertEquals(contexts[i], scored.at("/scores/" + i + "/context").toString(), scored.toString());
            }
            assertEquals(java.util.List.of("user", "item", "scores"), fieldNames(scored.at("/scores/4")), scored.toString());
            assertEquals(java.util.List.of("user", "item", "context", "scores"), fieldNames(scored.at("/scores/0")), scored.toString());
            // planted: a TV adds 1 star against a phone, a good session more than a bad one
            assertTrue(rating[0] - rating[1] > 0.6, served);
            assertTrue(rating[2] - rating[3] > 0.5, served);
            // the last pair reads u7's current values (its latest device, its latest ratings' mean), as predict does
            java.io.StringWriter predicted = new java.io.StringWriter();
            taskweave.predict(tmp.resolve("with"), write("pairs.tsv", "u7\ti3\n"), predicted, java.util.List.of("rating"));
            String[] line = predicted.toString().strip().split("\n");
            assertEquals(Double.parseDouble(line[line.length - 1].split("\t")[2]), rating[4], 1e-4, predicted + " / " + served);
            // predict reads a moment per pair too: columns after user and item, named in the header
            java.io.StringWriter withContext = new java.io.StringWriter();
            taskweave.predict(tmp.resolve("with"), write("context.tsv",
                    "user\titem\tuser_device\tuser_recent_rating\nu7\ti3\ttv\t\nu7\ti3\tphone\t\nu7\ti3\ttv\t1.0\nu7\ti3\t\t\n"),
                    withContext, java.util.List.of("rating"));
            String[] rows = withContext.toString().split("\n"); // not stripped: the last row ends in empty cells
            assertEquals(5, rows.length, withContext.toString());
            // each row repeats its context cells, as given, after its scores, which keep their columns
            assertEquals("user\titem\trating\tuser_device\tuser_recent_rating", rows[0]);
            String[][] cells = {{"tv", ""}, {"phone", ""}, {"tv", "1.0"}, {"", ""}};
            for (int r = 0; r < cells.length; r++) {
                String[] f = rows[r + 1].split("\t", -1);
                assertTrue(f.length == 5 && f[0].equals("u7") && f[1].equals("i3") && f[3].equals(cells[r][0]) && f[4].equals(cells[r][1]),
                        withContext.toString());
            }
            // the same scores as /v1/predict's pairs; an empty cell is the user's current value, so
            // the first row is u7 on a TV at its current mean and the last is the plain pair
            assertEquals(rating[0], Double.parseDouble(rows[1].split("\t", -1)[2]), 1e-4, withContext + " / " + served);
            assertEquals(rating[1], Double.parseDouble(rows[2].split("\t", -1)[2]), 1e-4, withContext + " / " + served);
            assertEquals(rating[2], Double.parseDouble(rows[3].split("\t", -1)[2]), 1e-4, withContext + " / " + served);
            assertEquals(rating[4], Double.parseDouble(rows[4].split("\t", -1)[2]), 1e-4, withContext + " / " + served);
            dev.taskweave.api.DataException bad = org.junit.jupiter.api.Assertions.assertThrows(dev.taskweave.api.DataException.class,
                    () -> taskweave.predict(tmp.resolve("with"), write("bad.tsv", "user\titem\tcolour\nu7\ti3\tred\n"),
                            new java.io.StringWriter(), java.util.List.of()));
            assertTrue(bad.getMessage().contains("column 3 'colour' is not a per-interaction feature of the model; it has "
                    + "[user_device, user_recent_rating]"), bad.getMessage());
            bad = org.junit.jupiter.api.Assertions.assertThrows(dev.taskweave.api.DataException.class,
                    () -> taskweave.predict(tmp.resolve("with"), write("radio.tsv", "user\titem\tuser_device\nu7\ti3\tradio\n"),
                            new java.io.StringWriter(), java.util.List.of()));
            assertTrue(bad.getMessage().contains("column 'user_device': unknown value 'radio'"), bad.getMessage());
            ServeNewItemsTest.assertError(server, "{\"pairs\": [{\"user\": \"u7\", \"item\": \"i3\", \"context\": {\"colour\": 1}}]}",
                    400, "pairs[0].context.colour", "the model has no per-interaction feature of that name; it has [user_device, user_recent_rating]");
            ServeNewItemsTest.assertError(server,
                    "{\"pairs\": [{\"user\": \"u7\", \"item\": \"i3\", \"context\": {\"user_device\": \"radio\"}}]}",
                    400, "pairs[0].context.user_device", "unknown value 'radio'");
            // a ranking at one moment: every candidate is read with the request's context
            double[][] ranked = new double[2][];
            int d = 0;
            for (String device : java.util.List.of("tv", "phone")) {
                ServeEndToEndTest.Response r = ServeEndToEndTest.call(server, "POST", "/v1/recommend",
                        "{\"user\": \"u7\", \"k\": 2, \"formula\": \"rating\", \"candidates\": [\"i3\", \"i4\"], "
                                + "\"context\": {\"user_device\": \"" + device + "\"}}");
                assertEquals(200, r.status(), r.text());
                // the answer repeats the moment it ranked at, before the list
                assertEquals("{\"user_device\":\"" + device + "\"}", r.body().get("context").toString(), r.text());
                assertEquals(java.util.List.of("model", "user", "coldStart", "formula", "excludeSeen", "candidates", "context", "items"),
                        fieldNames(r.body()), r.text());
                ranked[d] = new double[2];
                for (var item : r.body().get("items")) {
                    ranked[d][item.get("item").asText().equals("i3") ? 0 : 1] = item.get("score").asDouble();
                }
                d++;
            }
            assertEquals(rating[0], ranked[0][0], 1e-4, "recommend scores i3 on a TV as predict does");
            assertEquals(rating[1], ranked[1][0], 1e-4, "and on a phone");
            assertTrue(ranked[0][1] - ranked[1][1] > 0.6, java.util.Arrays.deepToString(ranked));

            // the batch command takes one moment for every user: u7's top item on a TV is scored as the server scores it
            java.nio.file.Path users = write("users.txt", "u7\n");
            java.nio.file.Path output = tmp.resolve("recs.tsv");
            CliTest.Run batch = CliTest.run("recommend", "--model", tmp.resolve("with").toString(), "--output", output.toString(),
                    "--users", users.toString(), "--k", "1", "--formula", "rating", "--context", "{\"user_device\": \"tv\"}");
            assertEquals(0, batch.code(), batch.err());
            String[] top = Files.readAllLines(output).get(1).split("\t");
            ServeEndToEndTest.Response one = ServeEndToEndTest.call(server, "POST", "/v1/recommend",
                    "{\"user\": \"u7\", \"k\": 1, \"formula\": \"rating\", \"context\": {\"user_device\": \"tv\"}}");
            assertEquals(one.body().at("/items/0/item").asText(), top[2], batch.err());
            assertEquals(one.body().at("/items/0/score").asDouble(), Double.parseDouble(top[3]), 1e-5);
            CliTest.Run wrong = CliTest.run("recommend", "--model", tmp.resolve("with").toString(), "--output", output.toString(),
                    "--users", users.toString(), "--formula", "rating", "--context", "{\"user_device\": \"radio\"}");
            assertEquals(2, wrong.code(), wrong.err());
            assertTrue(wrong.err().contains("--context") && wrong.err().contains("unknown value 'radio'"), wrong.err());
            CliTest.Run notJson = CliTest.run("recommend", "--model", tmp.resolve("with").toString(), "--output", output.toString(),
                    "--context", "tv");
            assertEquals(2, notJson.code(), notJson.err());
            assertTrue(notJson.err().contains("--context: expected a JSON object"), notJson.err());
        }
    }

    private static java.util.List<String> fieldNames(com.fasterxml.jackson.databind.JsonNode node) {
        java.util.List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void theFastRankingPathReadsTheRequestsContextAsPredictDoes() throws Exception {
        // no wide part: /v1/recommend scores the user once and adds the cached items (the factored path),
        // which read the user's stored device instead of the request's before
        writeData();
        String config = CONFIG.formatted("").replace(", wideFeatures: [user_recent_rating]", "").replace("wideOnly: [user_recent_rating], ", "");
        assertTrue(!config.contains("wide"), config);
        taskweave.train(write("factored.yaml", config), tmp.resolve("factored"), quiet());
        try (dev.taskweave.serve.TaskweaveServer server = serve(tmp.resolve("factored"))) {
            assertTrue(server.holder().current().model().factored() != null, "the model is ranked by the factored scorer");
            for (String device : java.util.List.of("tv", "phone")) {
                // the items u7 has not rated: the ones the factored path scores (rated ones are scored as pairs)
                ServeEndToEndTest.Response r = ServeEndToEndTest.call(server, "POST", "/v1/recommend",
                        "{\"user\": \"u7\", \"k\": 40, \"formula\": \"rating\", \"excludeSeen\": true, "
                                + "\"context\": {\"user_device\": \"" + device + "\"}}");
                assertEquals(200, r.status(), r.text());
                assertTrue(r.body().get("items").size() > 0, r.text());
                for (var item : r.body().get("items")) {
                    var pair = ServeNewItemsTest.post(server, "{\"pairs\": [{\"user\": \"u7\", \"item\": \"" + item.get("item").asText()
                            + "\", \"context\": {\"user_device\": \"" + device + "\"}}]}");
                    assertEquals(pair.at("/scores/0/scores/rating").asDouble(), item.get("score").asDouble(), 1e-4,
                            device + ": " + r.text() + " / " + pair);
                }
            }
        }
    }

    @Test
    void aWideOnlyFeatureMustBeOneTheModelReads() throws Exception {
        writeData();
        String config = CONFIG.formatted("");
        assertConfigError(config.replace("wideOnly: [user_recent_rating]", "wideOnly: [user_colour]"),
                "features.wideOnly[0]", "the data has no feature 'user_colour'");
        assertConfigError(config.replace("exclude: [user_id]", "exclude: [user_id, user_recent_rating]"),
                "features.wideOnly[0]", "'user_recent_rating' is left out by features.include or features.exclude");
        assertConfigError(config.replace(", wideFeatures: [user_recent_rating]", ""),
                "features.wideOnly[0]", "no task lists 'user_recent_rating' in its wideFeatures: nothing would read it");
    }
}
