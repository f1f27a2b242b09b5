package dev.taskweave.plugins.weighting.dynamic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.testkit.PluginConfigs;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestConfigs {
    @Test
    void dwa() {
        DwaConfig defaults = PluginConfigs.bind(Map.of(), DwaConfig.class);
        defaults.validate();
        assertEquals(2.0, defaults.temperature());
        assertEquals(0.5, PluginConfigs.bind(Map.of("temperature", 0.5), DwaConfig.class).temperature());
        assertThrows(IllegalArgumentException.class, () -> PluginConfigs.bind(Map.of("temp", 1.0), DwaConfig.class));
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
            PluginConfigs.assertInvalid(Map.of("temperature", bad), DwaConfig.class, "temperature");
        }
        for (double bad : new double[] {0, -1}) {
            DwaConfig config = PluginConfigs.bind(Map.of("temperature", bad), DwaConfig.class);
            assertEquals("temperature", assertThrows(InvalidConfigException.class, config::validate).path());
            assertThrows(InvalidConfigException.class,
                    () -> new DwaWeightingFactory().create(config, Harness.context(2)));
        }
    }

    @Test
    void rlwHasNoFields() {
        PluginConfigs.bind(Map.of(), RlwConfig.class);
        assertThrows(IllegalArgumentException.class,
                () -> PluginConfigs.bind(Map.of("distribution", "dirichlet"), RlwConfig.class));
    }

    @Test
    void pcgrad() {
        assertEquals(0L, PluginConfigs.bind(Map.of(), PcGradConfig.class).seed());
        assertEquals(42L, PluginConfigs.bind(Map.of("seed", 42), PcGradConfig.class).seed());
        assertThrows(IllegalArgumentException.class, () -> PluginConfigs.bind(Map.of("seeds", 1), PcGradConfig.class));
    }

    @Test
    void mgda() {
        MgdaConfig defaults = PluginConfigs.bind(Map.of(), MgdaConfig.class);
        defaults.validate();
        assertEquals("none", defaults.normalization());
        for (String value : MgdaConfig.NORMALIZATIONS) {
            MgdaConfig config = PluginConfigs.bind(Map.of("normalization", value), MgdaConfig.class);
            config.validate();
            assertEquals(value, config.normalization());
        }
        for (String bad : new String[] {"L2", "loss-", ""}) {
            MgdaConfig config = PluginConfigs.bind(Map.of("normalization", bad), MgdaConfig.class);
            InvalidConfigException e = assertThrows(InvalidConfigException.class, config::validate);
            assertEquals("normalization", e.path());
            assertEquals("expected one of none, l2, loss, loss+, got " + bad, e.reason());
        }
        MgdaConfig missing = new MgdaConfig();
        missing.setNormalization(null);
        assertThrows(InvalidConfigException.class, missing::validate);
        assertThrows(IllegalArgumentException.class,
                () -> PluginConfigs.bind(Map.of("normalisation", "l2"), MgdaConfig.class));
    }

    @Test
    void cagrad() {
        CaGradConfig defaults = PluginConfigs.bind(Map.of(), CaGradConfig.class);
        defaults.validate();
        assertEquals(0.4, defaults.c());
        CaGradConfig zero = PluginConfigs.bind(Map.of("c", 0.0), CaGradConfig.class);
        zero.validate();
        assertEquals(0.0, zero.c());
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
            PluginConfigs.assertInvalid(Map.of("c", bad), CaGradConfig.class, "c");
        }
        for (double bad : new double[] {-0.1}) {
            CaGradConfig config = PluginConfigs.bind(Map.of("c", bad), CaGradConfig.class);
            assertEquals("c", assertThrows(InvalidConfigException.class, config::validate).path());
            assertThrows(InvalidConfigException.class,
                    () -> new CaGradWeightingFactory().create(config, Harness.context(2)));
        }
    }

    @Test
    void gradnorm() {
        GradNormConfig defaults = PluginConfigs.bind(Map.of(), GradNormConfig.class);
        defaults.validate();
        assertEquals(1.5, defaults.alpha());
        assertEquals(0.025, defaults.learningRate());
        GradNormConfig bound = PluginConfigs.bind(Map.of("alpha", 0.0, "learningRate", 0.1), GradNormConfig.class);
        bound.validate();
        assertEquals(0.0, bound.alpha());
        assertEquals(0.1, bound.learningRate());
        for (double bad : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            PluginConfigs.assertInvalid(Map.of("alpha", bad), GradNormConfig.class, "alpha");
        }
        PluginConfigs.assertInvalid(Map.of("learningRate", Double.NaN), GradNormConfig.class, "learningRate");
        for (double bad : new double[] {0, -0.1}) {
            GradNormConfig config = PluginConfigs.bind(Map.of("learningRate", bad), GradNormConfig.class);
            assertEquals("learningRate", assertThrows(InvalidConfigException.class, config::validate).path());
            assertThrows(InvalidConfigException.class,
                    () -> new GradNormWeightingFactory().create(config, Harness.context(2)));
        }
    }
}
