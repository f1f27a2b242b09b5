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
