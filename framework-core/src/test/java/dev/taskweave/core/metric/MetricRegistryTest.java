package dev.taskweave.core.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.metric.Metric;
import dev.taskweave.api.metric.MetricInput;
import dev.taskweave.api.metric.MetricOutput;
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
        assertEquals(List.of("gini", "mae", "rmse"), registry.namesFor(MetricOutput.VALUE));
        assertEquals(List.of("accuracy", "auc", "ece", "gini", "logloss", "mae", "rmse"), registry.namesFor(MetricOutput.PROBABILITY));
        assertEquals(List.of("auc", "gini"), registry.namesFor(MetricOutput.SCORE));
        assertEquals(List.of("accuracy", "gini", "map", "micro_f1", "top1_precision"), registry.namesFor(MetricOutput.MULTI_LABEL));
        assertEquals(List.of("accuracy", "gini", "macro_f1"), registry.namesFor(MetricOutput.MULTI_CLASS));
        assertFalse(registry.fits("logloss", MetricOutput.VALUE));
        assertFalse(registry.fits("micro_f1", MetricOutput.PROBABILITY));
        // a plugin's metric declares no output: it fits every head, as before
        assertTrue(registry.fits("gini", MetricOutput.MULTI_CLASS));
    }

    @Test
    void everyBuiltInFitsSomeOutput() {
        for (Metric m : BuiltinMetrics.all()) {
            assertTrue(java.util.Arrays.stream(MetricOutput.values()).anyMatch(o -> registry.fits(m.name(), o)), m.name());
            assertFalse(java.util.Arrays.stream(MetricOutput.values()).allMatch(o -> registry.fits(m.name(), o)), m.name() + " is listed");
        }
    }

    @Test
    void aPluginsMetricFitsTheOutputsItDeclares() {
        Metric deviance = new Metric() {
            @Override
            public String name() {
                return "poisson_deviance";
            }

            @Override
            public boolean higherIsBetter() {
                return false;
            }

            @Override
            public double compute(MetricInput input) {
                return 0;
            }

            @Override
            public java.util.Set<MetricOutput> outputs() {
                return java.util.EnumSet.of(MetricOutput.VALUE);
            }
        };
        MetricRegistry withDeviance = new MetricRegistry(List.of(PLUGIN, deviance));
        assertTrue(withDeviance.fits("poisson_deviance", MetricOutput.VALUE));
        assertFalse(withDeviance.fits("poisson_deviance", MetricOutput.PROBABILITY));
        assertEquals(List.of("gini", "mae", "poisson_deviance", "rmse"), withDeviance.namesFor(MetricOutput.VALUE));
        assertEquals(List.of("auc", "gini"), withDeviance.namesFor(MetricOutput.SCORE));
        // wrapped as the runtime wraps a plugin's metric, it keeps what it declared
        dev.taskweave.core.plugin.PluginMetric wrapped = new dev.taskweave.core.plugin.PluginMetric(deviance, "acme", "1.0", "acme.jar",
                getClass().getClassLoader());
        assertEquals(java.util.Set.of(MetricOutput.VALUE), wrapped.outputs());
        assertFalse(new MetricRegistry(List.of(wrapped)).fits("poisson_deviance", MetricOutput.MULTI_CLASS));
    }
}
