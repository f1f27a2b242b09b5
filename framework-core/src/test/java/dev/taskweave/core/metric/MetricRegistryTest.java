package dev.taskweave.core.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.metric.Metric;
import dev.taskweave.api.metric.MetricInput;
import dev.taskweave.core.metric.MetricRegistry.Output;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricRegistryTest {
    private static final Metric PLUGIN = new Metric() {
        @Override
        public String name() {
            return "gini";
        }

        @Override
        public boolean higherIsBetter() {
            return true;
        }

        @Override
        public double compute(MetricInput input) {
            return 0;
        }
    };

    private final MetricRegistry registry = new MetricRegistry(List.of(PLUGIN));

    @Test
    void theBuiltInsFitTheOutputsTheyMeanSomethingOn() {
        assertEquals(List.of("gini", "mae", "rmse"), registry.namesFor(Output.VALUE));
        assertEquals(List.of("accuracy", "auc", "ece", "gini", "logloss", "mae", "rmse"), registry.namesFor(Output.PROBABILITY));
        assertEquals(List.of("auc", "gini"), registry.namesFor(Output.SCORE));
        assertEquals(List.of("accuracy", "gini", "map", "micro_f1", "top1_precision"), registry.namesFor(Output.MULTI_LABEL));
        assertEquals(List.of("accuracy", "gini", "macro_f1"), registry.namesFor(Output.MULTI_CLASS));
        assertFalse(registry.fits("logloss", Output.VALUE));
        assertFalse(registry.fits("micro_f1", Output.PROBABILITY));
        // a plugin's metric declares no output: it fits every head, as before
        assertTrue(registry.fits("gini", Output.MULTI_CLASS));
    }

    @Test
    void everyBuiltInFitsSomeOutput() {
        for (Metric m : BuiltinMetrics.all()) {
            assertTrue(java.util.Arrays.stream(Output.values()).anyMatch(o -> registry.fits(m.name(), o)), m.name());
            assertFalse(java.util.Arrays.stream(Output.values()).allMatch(o -> registry.fits(m.name(), o)), m.name() + " is listed");
        }
    }
}
