package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.djl.ndarray.NDManager;
import dev.taskweave.core.data.FeatureGatherer;
import dev.taskweave.core.run.AssembledModel;
import dev.taskweave.core.run.FactoredScorer;
import dev.taskweave.core.run.TaskScorer;
import dev.taskweave.core.run.TrainingResult;
import dev.taskweave.core.store.ModelStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Histories gathered into sparse arrays ({@link FeatureGatherer#SPARSE_HISTORY_WIDTH_PROPERTY}
 * at 1, so that this small data's histories take the path a large catalogue's do) train, evaluate
 * and score as the dense ones: the same sums in another order.
 */
class SparseHistoryEndToEndTest extends RuntimeTest {
    static final String CONFIG = """
            name: sparse
            seed: 5
            data:
              type: synthetic
              params: {users: 150, items: 80, meanInteractionsPerUser: 20, history: true}
            features: {embeddingDim: 8, idDropout: 0.1, historyDropout: {user_history: 0.3}}
            tasks:
              - {name: rating, head: regression, label: rating, metrics: [rmse], params: {tower: [8]}}
              - {name: like, head: binary, label: rating, metrics: [auc], params: {tower: [8], threshold: 4.0}}
            sharing: {type: mmoe, params: {experts: 2, expertLayers: [16]}}
            weighting: {type: fixed}
            optimizer: {learningRate: 0.01}
            training: {batchSize: 64, epochs: 2, progressBar: false}
            """;

    @Test
    void sparseHistoriesTrainEvaluateAndScoreAsDenseOnes() throws Exception {
        Path config = write("sparse.yaml", CONFIG);
        TrainingResult dense = taskweave.train(config, tmp.resolve("dense"), quiet());
        TrainingResult sparse = withSparseWidth("1", () -> taskweave.train(config, tmp.resolve("sparse"), quiet()));
        // the same rows, the same draws of history dropout: the losses differ by float rounding only
        for (int e = 0; e < 2; e++) {
            for (String task : new String[] {"rating", "like"}) {
                double expected = dense.history().get(e).trainLoss().get(task);
                assertEquals(expected, sparse.history().get(e).trainLoss().get(task), 1e-4 * Math.abs(expected),
                        "epoch " + (e + 1) + " " + task + " loss");
            }
        }
        // and they did take another path: sums in another order round differently somewhere
        org.junit.jupiter.api.Assertions.assertNotEquals(dense.metrics(), sparse.metrics());
        for (String[] metric : new String[][] {{"rating", "rmse"}, {"like", "auc"}}) {
            for (String split : new String[] {"valid", "test", "test_cold_user"}) {
                double expected = dense.metrics().get(split).get(metric[0]).get(metric[1]);
                assertEquals(expected, sparse.metrics().get(split).get(metric[0]).get(metric[1]), 2e-3,
                        split + " " + metric[0] + "." + metric[1]);
            }
        }
        // the sparse run's model evaluates to its own metrics, with either gathering
        Map<String, Map<String, Map<String, Double>>> again = withSparseWidth("1", () -> taskweave.evaluate(tmp.resolve("sparse")));
        for (String split : new String[] {"test", "test_cold_user"}) {
            assertEquals(sparse.metrics().get(split).get("rating").get("rmse"), again.get(split).get("rating").get("rmse"), 1e-9, split);
            assertEquals(sparse.metrics().get(split).get("rating").get("rmse"),
                    taskweave.evaluate(tmp.resolve("sparse")).get(split).get("rating").get("rmse"), 1e-5, split + ", dense");
        }
        // scoring pairs and a user's every item (the factored path encodes every item, with its
        // history, at once) reads the same either way
        ModelStore store = taskweave.injector().getInstance(ModelStore.class);
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelStore.LoadedModel loaded = store.load(tmp.resolve("sparse"), manager);
            AssembledModel model = loaded.model();
            FeatureGatherer denseGatherer = new FeatureGatherer(model.features(), loaded.users(), loaded.items());
            FeatureGatherer sparseGatherer = new FeatureGatherer(model.features(), loaded.users(), loaded.items()).withSparseHistoryWidth(1);
            int items = loaded.items().size();
            int[] all = new int[items];
            Arrays.setAll(all, i -> i);
            int[] tasks = {0, 1};
            try (FactoredScorer factored = FactoredScorer.create(model, sparseGatherer, manager)) {
                assertNotNull(factored, "an MMoE model without a wide part is factorable");
                for (int user : new int[] {0, 42, loaded.users().size() - 1}) {
                    int[] users = new int[items];
                    Arrays.fill(users, user);
                    float[][] plain = TaskScorer.score(model, denseGatherer, users, all, tasks, manager);
                    FactoredScoringTest.assertClose(plain, TaskScorer.score(model, sparseGatherer, users, all, tasks, manager),
                            "pairs of user " + user);
                    FactoredScoringTest.assertClose(plain, factored.score(sparseGatherer, user, null, tasks, manager),
                            "factored, user " + user);
                }
            }
        }
    }

    /**
     * Two pairwise tasks each gather their negatives' histories; densely gathered, each into memory
     * of its own, as the first's arrays are read again by the backward pass after the second has
     * gathered (they shared one buffer: the first task's gradient was computed from the second's
     * rows, and the run drifted from the sparse one, which uses no such buffer).
     */
    @Test
    void twoPairwiseTasksTrainAsWithSparseHistories() throws Exception {
        Path config = write("pairwise.yaml", CONFIG.replace("""
                  - {name: like, head: binary, label: rating, metrics: [auc], params: {tower: [8], threshold: 4.0}}
                """, """
                  - {name: watch, head: bpr, label: observed, params: {tower: [8]}}
                  - {name: click, head: bpr, label: observed, params: {tower: [4]}}
                """).replace("historyDropout: {user_history: 0.3}", "historyDropout: {}"));
        TrainingResult dense = taskweave.train(config, tmp.resolve("pairwise-dense"), quiet());
        TrainingResult sparse = withSparseWidth("1", () -> taskweave.train(config, tmp.resolve("pairwise-sparse"), quiet()));
        for (int e = 0; e < 2; e++) {
            for (String task : new String[] {"rating", "watch", "click"}) {
                double expected = dense.history().get(e).trainLoss().get(task);
                assertEquals(expected, sparse.history().get(e).trainLoss().get(task), 1e-4 * Math.abs(expected),
                        "epoch " + (e + 1) + " " + task + " loss");
            }
        }
    }

    /** Runs {@code action} with the sparse history width property at {@code width}, restored after. */
    static <T> T withSparseWidth(String width, java.util.concurrent.Callable<T> action) throws Exception {
        String before = System.getProperty(FeatureGatherer.SPARSE_HISTORY_WIDTH_PROPERTY);
        System.setProperty(FeatureGatherer.SPARSE_HISTORY_WIDTH_PROPERTY, width);
        try {
            return action.call();
        } finally {
            if (before == null) {
                System.clearProperty(FeatureGatherer.SPARSE_HISTORY_WIDTH_PROPERTY);
            } else {
                System.setProperty(FeatureGatherer.SPARSE_HISTORY_WIDTH_PROPERTY, before);
            }
        }
    }
}
