package dev.taskweave.plugins.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.testkit.PluginConfigs;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestRegressionHeadConfig {
    @Test
    void defaults() {
        RegressionHeadConfig config = PluginConfigs.bind(Map.of(), RegressionHeadConfig.class);
        config.validate();
        assertEquals(List.of(32), config.tower());
        assertEquals(0.0, config.dropout());
        assertTrue(config.centerOnMean());
        assertNull(config.minScore());
        assertNull(config.maxScore());
    }

    @Test
    void fullMapping() {
        RegressionHeadConfig config = PluginConfigs.bind(Map.of(
                "tower", List.of(64, 16),
                "dropout", 0.25,
                "centerOnMean", false,
                "minScore", 1.0,
                "maxScore", 5.0), RegressionHeadConfig.class);
        config.validate();
        assertEquals(List.of(64, 16), config.tower());
        assertEquals(0.25, config.dropout());
        assertEquals(false, config.centerOnMean());
        assertEquals(1.0, config.minScore());
        assertEquals(5.0, config.maxScore());
    }

    @Test
    void emptyTowerIsAllowed() {
        PluginConfigs.bind(Map.of("tower", List.of()), RegressionHeadConfig.class).validate();
    }

    @Test
    void unknownFieldIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> PluginConfigs.bind(Map.of("towers", List.of(8)), RegressionHeadConfig.class));
    }

    @Test
    void badValuesNameTheirField() {
        assertPath("tower[1]", Map.of("tower", List.of(8, 0)));
        // a null in the list, as the runtime does, is refused when bound
        assertThrows(IllegalArgumentException.class,
                () -> PluginConfigs.bind(Map.of("tower", Arrays.asList((Integer) null)), RegressionHeadConfig.class));
        RegressionHeadConfig nullElement = new RegressionHeadConfig();
        nullElement.setTower(Arrays.asList((Integer) null));
        assertEquals("tower[0]", assertThrows(InvalidConfigException.class, nullElement::validate).path());
        assertPath("dropout", Map.of("dropout", 1.0));
        assertPath("dropout", Map.of("dropout", -0.1));
        assertPath("maxScore", Map.of("minScore", 1.0));
        assertPath("minScore", Map.of("maxScore", 5.0));
        assertPath("minScore", Map.of("minScore", 5.0, "maxScore", 5.0));
        assertThrows(IllegalArgumentException.class,
                () -> PluginConfigs.bind(Map.of("minScore", Double.NaN, "maxScore", 5.0), RegressionHeadConfig.class));
        RegressionHeadConfig nullTower = new RegressionHeadConfig();
        nullTower.setTower(null);
        assertEquals("tower", assertThrows(InvalidConfigException.class, nullTower::validate).path());
    }

    private static void assertPath(String path, Map<String, ?> params) {
        // bound and validated as the runtime does: a value that is not finite is refused when bound
        PluginConfigs.assertInvalid(params, RegressionHeadConfig.class, path);
    }
}
