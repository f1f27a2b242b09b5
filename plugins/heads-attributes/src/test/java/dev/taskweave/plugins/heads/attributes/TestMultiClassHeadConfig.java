package dev.taskweave.plugins.heads.attributes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.taskweave.testkit.PluginConfigs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestMultiClassHeadConfig {
    @Test
    void defaults() {
        MultiClassHeadConfig config = PluginConfigs.bind(Map.of(), MultiClassHeadConfig.class);
        config.validate();
        assertEquals(List.of(64), config.tower());
        assertEquals(0.0, config.dropout());
        assertEquals(0.0, config.labelSmoothing());
    }

    @Test
    void fullMapping() {
        MultiClassHeadConfig config = PluginConfigs.bind(Map.of(
                "tower", List.of(),
                "dropout", 0.5,
                "labelSmoothing", 0.1), MultiClassHeadConfig.class);
        config.validate();
        assertEquals(List.of(), config.tower());
        assertEquals(0.5, config.dropout());
        assertEquals(0.1, config.labelSmoothing());
    }

    @Test
    void unknownFieldIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> PluginConfigs.bind(Map.of("smoothing", 0.1), MultiClassHeadConfig.class));
    }

    @Test
    void badValuesNameTheirField() {
        assertPath("tower[2]", Map.of("tower", List.of(8, 4, -1)));
        assertPath("dropout", Map.of("dropout", 1.5));
        assertPath("labelSmoothing", Map.of("labelSmoothing", 1.0));
        assertPath("labelSmoothing", Map.of("labelSmoothing", -0.1));
        assertPath("labelSmoothing", Map.of("labelSmoothing", Double.NaN));
    }

    private static void assertPath(String path, Map<String, ?> params) {
        // bound and validated as the runtime does: a value that is not finite is refused when bound
        PluginConfigs.assertInvalid(params, MultiClassHeadConfig.class, path);
    }
}
