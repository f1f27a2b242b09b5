package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.taskweave.api.model.TaskHead;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RankingMetricsTest {
    @Test
    void hitRateNdcgAndPerUserAucByHand() {
        // list 1: positive 0.9 beats all three negatives -> rank 0: hit, ndcg 1, auc 1
        // list 2: positive 0.5; negatives 0.7, 0.5 (tie counts against), 0.1 -> rank 2: hit at K=3, ndcg 1/log2(4) = 0.5,
        //         auc (0 + 0.5 + 1) / 3 = 0.5
        // list 3: positive 0.2 below all three -> rank 3: miss at K=3, auc 0
        float[] scores = {0.9f, 0.1f, 0.2f, 0.3f, 0.5f, 0.7f, 0.5f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f};
        Map<String, Double> m = Evaluator.rankingMetrics(scores, new int[] {3, 3, 3}, 3);
        assertEquals(2.0 / 3, m.get("hr@3"), 1e-12);
        assertEquals((1 + 0.5) / 3, m.get("ndcg@3"), 1e-12);
        assertEquals((1 + 0.5 + 0) / 3, m.get("auc_per_user"), 1e-12);
    }

    @Test
    void aNaNScoreMakesEveryRankingMetricNaN() {
        // a diverged model: every score NaN. Comparisons with NaN are false, so counted naively the
        // positive would rank 0 in every list: hr@3 = ndcg@3 = 1.0 and auc_per_user = 0.0
        float nan = Float.NaN;
        Map<String, Double> diverged = Evaluator.rankingMetrics(new float[] {nan, nan, nan, nan, nan, nan}, new int[] {2, 2}, 3);
        assertEquals(3, diverged.size());
        diverged.forEach((metric, v) -> assertTrue(Double.isNaN(v), metric + " = " + v));
        // one NaN among finite scores (list 1's negative): still not measured; list 2 alone would be a hit with auc 1
        Map<String, Double> one = Evaluator.rankingMetrics(new float[] {0.9f, nan, 0.1f, 0.8f, 0.2f, 0.3f}, new int[] {2, 2}, 3);
        assertEquals(List.of("hr@3", "ndcg@3", "auc_per_user"), List.copyOf(one.keySet()));
        one.forEach((metric, v) -> assertTrue(Double.isNaN(v), metric + " = " + v));
        // a NaN positive likewise
        Map<String, Double> positive = Evaluator.rankingMetrics(new float[] {nan, 0.1f, 0.2f}, new int[] {2}, 1);
        positive.forEach((metric, v) -> assertTrue(Double.isNaN(v), metric + " = " + v));
    }

    @Test
    void aListWithoutNegativesCountsForHitRateButNotForPerUserAuc() {
        // list 1: a positive alone: rank 0, a hit, no pair to compare; list 2: 0.9 against 0.1: auc 1
        Map<String, Double> m = Evaluator.rankingMetrics(new float[] {0.5f, 0.9f, 0.1f}, new int[] {0, 1}, 10);
        assertEquals(1.0, m.get("hr@10"), 1e-12);
        assertEquals(1.0, m.get("auc_per_user"), 1e-12);
        // no list has a negative: per-user AUC is undefined
        assertTrue(Double.isNaN(Evaluator.rankingMetrics(new float[] {0.5f}, new int[] {0}, 10).get("auc_per_user")));
    }

    @Test
    void candidatesOfALogitHeadAreRankedByTheLogitNotItsSaturatedSigmoid() {
        // logits 20 (the positive) and 18: both sigmoids are 1.0f in float32, a tie that would count against the positive
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray logits = manager.create(new float[] {20f, 18f}).reshape(2, 1);
            TaskHead head = new LogitHead();
            float[] sigmoids = head.scores(logits).toFloatArray();
            assertEquals(sigmoids[0], sigmoids[1]);
            assertEquals(0.6309, Evaluator.rankingMetrics(sigmoids, new int[] {1}, 10).get("ndcg@10"), 1e-4);
            float[] ranked = Evaluator.rankingValues(head, logits).toFloatArray();
            assertArrayEquals(new float[] {20f, 18f}, ranked);
            Map<String, Double> m = Evaluator.rankingMetrics(ranked, new int[] {1}, 10);
            assertEquals(1.0, m.get("ndcg@10"), 1e-12);
            assertEquals(1.0, m.get("auc_per_user"), 1e-12);
        }
    }

    /** A binary head as far as ranking goes: one logit, scores its sigmoid. */
    private static final class LogitHead implements TaskHead {
        @Override
        public Block createBlock() {
            throw new UnsupportedOperationException();
        }

        @Override
        public NDArray loss(NDArray output, NDArray labels, NDArray mask) {
            throw new UnsupportedOperationException();
        }

        @Override
        public NDArray scores(NDArray output) {
            return ai.djl.nn.Activation.sigmoid(output).reshape(-1);
        }

        @Override
        public List<String> defaultMetrics() {
            return List.of("auc");
        }

        @Override
        public boolean producesLogit() {
            return true;
        }
    }

    @Test
    void cosineByHand() {
        assertEquals(-1.0, Telemetry.cosine(new double[] {1, 2}, new double[] {-2, -4}), 1e-12);
        assertEquals(0.0, Telemetry.cosine(new double[] {1, 0}, new double[] {0, 3}), 1e-12);
        assertEquals(0.0, Telemetry.cosine(new double[] {0, 0}, new double[] {1, 3}), 1e-12);
    }
}
