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
    }
}
