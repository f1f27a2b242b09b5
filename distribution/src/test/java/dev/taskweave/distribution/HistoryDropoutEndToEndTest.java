package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskweave.core.run.TrainingResult;
import org.junit.jupiter.api.Test;

/** {@code features.historyDropout} on synthetic data with history features. */
class HistoryDropoutEndToEndTest extends RuntimeTest {
    static final String CONFIG = """
            name: thinned
            seed: 3
            data:
              type: synthetic
              params: {users: 150, items: 80, meanInteractionsPerUser: 20, history: true}
            features: {embeddingDim: 8, idDropout: 0.1, historyDropout: {user_history: 0.5}}
            tasks:
              - {name: rating, head: regression, label: rating, metrics: [rmse], params: {tower: [8]}}
            sharing: {type: shared-bottom, params: {layers: [16]}}
            weighting: {type: fixed}
            optimizer: {learningRate: 0.01}
            training: {batchSize: 128, epochs: 2, progressBar: false}
            """;

    @Test
    void thinnedHistoriesTrainDifferentlyAndEvaluateAsTheyAre() throws Exception {
        TrainingResult thinned = taskweave.train(write("thinned.yaml", CONFIG), tmp.resolve("thinned"), quiet());
        TrainingResult whole = taskweave.train(write("whole.yaml", CONFIG.replace(", historyDropout: {user_history: 0.5}", "")),
                tmp.resolve("whole"), quiet());
        // the training rows read different histories, so the first epoch's loss differs
        assertNotEquals(whole.history().get(0).trainLoss(), thinned.history().get(0).trainLoss());
        double rmse = thinned.metrics().get("test").get("rating").get("rmse");
        assertTrue(rmse > 0 && rmse < 2, "test RMSE " + rmse);
        // evaluation reads the histories whole: the reloaded model reproduces every metric
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.valueToTree(thinned.metrics()), json.valueToTree(taskweave.evaluate(tmp.resolve("thinned"))));
    }

    @Test
    void errorsNameTheSettingAndTheHistoryFeatures() throws Exception {
        assertConfigError(CONFIG.replace("{user_history: 0.5}", "{user_age: 0.5}"),
                "features.historyDropout.user_age", "the data has no feature 'user_age'; its history features: [user_history, item_history]");
        assertConfigError(CONFIG.replace("{user_history: 0.5}", "{user_id: 0.5}"),
                "features.historyDropout.user_id", "'user_id' is not a history feature");
        assertConfigError(CONFIG.replace("{user_history: 0.5}", "{item_history: 1.0}"),
                "features.historyDropout.item_history", "must be in [0, 1), got 1.0");
        // below 1 as a double, 1 as the float the layers hold: the first step failed before
        assertConfigError(CONFIG.replace("{user_history: 0.5}", "{item_history: 0.99999999}"),
                "features.historyDropout.item_history", "must be in [0, 1), got 0.99999999, which is 1 in single precision");
    }
}
