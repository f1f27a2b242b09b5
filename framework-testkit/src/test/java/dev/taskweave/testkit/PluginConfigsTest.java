package dev.taskweave.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.ValidatedConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class PluginConfigsTest {
    public static final class Sample implements ValidatedConfig {
        @JsonProperty
        int experts = 2;
        @JsonProperty
        List<Integer> layers = List.of(8);

        @Override
        public void validate() {
            ConfigChecks.atLeast("experts", experts, 1);
            ConfigChecks.widths("layers", layers, false);
        }
    }

    @Test
    void bindsLikeTheRuntime() {
        Sample sample = PluginConfigs.bindValid(PluginConfigs.params("experts", 3, "layers", List.of(4, 2)), Sample.class);
        assertEquals(3, sample.experts);
        assertEquals(List.of(4, 2), sample.layers);
        assertEquals(2, PluginConfigs.bindValid(null, Sample.class).experts);

        assertThrows(IllegalArgumentException.class, () -> PluginConfigs.bind(Map.of("expert", 3), Sample.class));
        assertThrows(IllegalArgumentException.class, () -> PluginConfigs.bind(Map.of("experts", 2.5), Sample.class));
        assertThrows(IllegalArgumentException.class, () -> PluginConfigs.bind(PluginConfigs.params("experts", null), Sample.class));
    }

    @Test
    void assertInvalidChecksThePath() {
        InvalidConfigException e = PluginConfigs.assertInvalid(Map.of("layers", List.of(4, 0)), Sample.class, "layers[1]");
        assertEquals("expected a layer width >= 1, got 0", e.reason());
        assertThrows(AssertionFailedError.class, () -> PluginConfigs.assertInvalid(Map.of("experts", 0), Sample.class, "layers"));
        assertThrows(AssertionFailedError.class, () -> PluginConfigs.assertInvalid(Map.of(), Sample.class, "experts"));
    }

    @Test
    void paramsKeepsNullsAndOrder() {
        Map<String, Object> params = PluginConfigs.params("b", 1, "a", null);
        assertEquals(List.of("b", "a"), List.copyOf(params.keySet()));
        assertTrue(params.containsKey("a"));
        assertThrows(IllegalArgumentException.class, () -> PluginConfigs.params("a"));
    }
}
