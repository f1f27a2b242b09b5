package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void cosineByHand() {
        assertEquals(-1.0, Telemetry.cosine(new double[] {1, 2}, new double[] {-2, -4}), 1e-12);
        assertEquals(0.0, Telemetry.cosine(new double[] {1, 0}, new double[] {0, 3}), 1e-12);
        assertEquals(0.0, Telemetry.cosine(new double[] {0, 0}, new double[] {1, 3}), 1e-12);
    }
}
