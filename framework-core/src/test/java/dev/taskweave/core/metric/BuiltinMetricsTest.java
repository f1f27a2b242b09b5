package dev.taskweave.core.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.metric.Metric;
import dev.taskweave.api.metric.MetricInput;
import dev.taskweave.core.plugin.PluginConflictException;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuiltinMetricsTest {
    private final MetricRegistry registry = new MetricRegistry(List.of());

    private double compute(String name, float[] scores, float[] labels) {
        return registry.find(name).compute(new MetricInput(scores, labels, new int[scores.length]));
    }

    @Test
    void regressionMetricsByHand() {
        float[] s = {3f, 4f, 1f};
        float[] y = {4f, 4f, 3f};
        // errors -1, 0, -2: rmse = sqrt(5/3), mae = 1
        assertEquals(Math.sqrt(5.0 / 3), compute("rmse", s, y), 1e-9);
        assertEquals(1.0, compute("mae", s, y), 1e-9);
    }

    @Test
    void aucRanksByTheLogitsWhereFloatSigmoidsTie() {
        // logits 20 (positive) and 17 (negative) both have the float32 sigmoid 1.0f: ranked by those
        // probabilities the two tie (AUC 0.5); by the logits the positive is first (AUC 1)
        float[] probabilities = {1.0f, 1.0f};
        float[] labels = {1f, 0f};
        assertEquals(0.5, compute("auc", probabilities, labels), 1e-12);
        assertEquals(1.0, registry.find("auc").compute(new MetricInput(probabilities, labels, new int[2], 1, new float[] {20f, 17f})),
                1e-12);
        assertEquals("ranking has 1 values for 2 scores", org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new MetricInput(probabilities, labels, new int[2], 1, new float[] {20f})).getMessage());
    }

    @Test
    void aucByHandWithTies() {
        // positives 0.9, 0.4; negatives 0.4, 0.1: pairs (0.9>0.4)=1, (0.9>0.1)=1, (0.4=0.4)=0.5, (0.4>0.1)=1 -> 3.5/4
        float[] s = {0.9f, 0.4f, 0.4f, 0.1f};
        float[] y = {1f, 1f, 0f, 0f};
        assertEquals(0.875, compute("auc", s, y), 1e-9);
        assertTrue(Double.isNaN(compute("auc", new float[] {0.1f, 0.2f}, new float[] {1f, 1f})));
    }

    @Test
    void loglossAndAccuracyByHand() {
        float[] s = {0.8f, 0.3f};
        float[] y = {1f, 1f};
        assertEquals((-Math.log(0.8) - Math.log(0.3)) / 2, compute("logloss", s, y), 1e-6);
        assertEquals(0.5, compute("accuracy", s, y), 1e-9);
    }

    private double wide(String name, float[] scores, float[] labels, int width) {
        return registry.find(name).compute(new MetricInput(scores, labels, new int[scores.length / width], width));
    }

    @Test
    void multiLabelMetricsByHand() {
        // two items, three genres
        float[] s = {0.9f, 0.6f, 0.1f, 0.2f, 0.7f, 0.4f};
        float[] y = {1f, 0f, 0f, 0f, 0f, 1f};
        // predicted at 0.5: {0,1} and {1}; tp=1 (item0 g0), fp=2, fn=1 -> 2/(2+2+1)
        assertEquals(2.0 / 5, wide("micro_f1", s, y, 3), 1e-12);
        // top-1: item0 -> g0 (hit), item1 -> g1 (miss)
        assertEquals(0.5, wide("top1_precision", s, y, 3), 1e-12);
        // AP item0 = 1; item1 ranking g1, g2, g0 -> label at rank 2 -> 1/2
        assertEquals(0.75, wide("map", s, y, 3), 1e-12);
        assertTrue(Double.isNaN(wide("rmse", s, y, 3)));
    }

    @Test
    void multiClassAndCalibrationByHand() {
        float[] s = {0.7f, 0.2f, 0.1f, 0.1f, 0.3f, 0.6f, 0.5f, 0.4f, 0.1f};
        float[] y = {0f, 2f, 1f};
        assertEquals(2.0 / 3, wide("accuracy", s, y, 3), 1e-12);
        // class 0: tp 1, fp 1 -> 2/3; class 1: fn 1 -> 0; class 2: tp 1 -> 1 => mean 5/9
        assertEquals(5.0 / 9, wide("macro_f1", s, y, 3), 1e-12);
        // ECE: bins 0.1 (p .15, y 0) and 0.9 (p .95, y 1) -> (0.15 + 0.05) / 2
        assertEquals(0.1, compute("ece", new float[] {0.15f, 0.95f}, new float[] {0f, 1f}), 1e-6);
    }

    @Test
    void aNaNPredictionGivesNaNNeverAScore() {
        float nan = Float.NaN;
        // counted naively: the NaN positive sorts above the negative (auc 1.0), NaN is "below 0.5"
        // for two negatives (accuracy 1.0), and logloss, rmse, mae, ece carry the NaN through
        float[] s = {nan, 0.2f};
        float[] y = {1f, 0f};
        for (String metric : List.of("auc", "accuracy", "logloss", "rmse", "mae", "ece")) {
            assertTrue(Double.isNaN(compute(metric, s, y)), metric);
        }
        assertTrue(Double.isNaN(BuiltinMetrics.auc(s, y)));
        assertTrue(Double.isNaN(compute("accuracy", new float[] {nan, nan}, new float[] {0f, 0f})));
        // wide heads: argmax and the 0.5 threshold never see NaN as a prediction
        float[] wide = {0.9f, nan, 0.1f, 0.2f, 0.7f, 0.4f};
        for (String metric : List.of("micro_f1", "top1_precision", "map")) {
            assertTrue(Double.isNaN(wide(metric, wide, new float[] {1f, 0f, 0f, 0f, 1f, 0f}, 3)), metric);
        }
        for (String metric : List.of("accuracy", "macro_f1")) {
            assertTrue(Double.isNaN(wide(metric, wide, new float[] {0f, 1f}, 3)), metric);
        }
    }

    @Test
    void pluginMetricNameClashIsAnError() {
        Metric clash = new Metric() {
            public String name() {
                return "rmse";
            }

            public boolean higherIsBetter() {
                return false;
            }

            public double compute(MetricInput input) {
                return 0;
            }
        };
        assertThrows(PluginConflictException.class, () -> new MetricRegistry(List.of(clash)));
    }
}
