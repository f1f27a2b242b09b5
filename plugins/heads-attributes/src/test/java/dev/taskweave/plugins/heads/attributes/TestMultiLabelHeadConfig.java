package dev.taskweave.plugins.heads.attributes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.testkit.PluginConfigs;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestMultiLabelHeadConfig {
    @Test
    void defaults() {
        MultiLabelHeadConfig config = PluginConfigs.bind(Map.of(), MultiLabelHeadConfig.class);
        config.validate();
        assertEquals(List.of(64), config.tower());
        assertEquals(0.0, config.dropout());
        assertEquals(1.0, config.positiveWeight());
    }

    @Test
    void fullMapping() {
        MultiLabelHeadConfig config = PluginConfigs.bind(Map.of(
                "tower", List.of(128, 32),
                "dropout", 0.25,
                "positiveWeight", 5.0), MultiLabelHeadConfig.class);
        config.validate();
        assertEquals(List.of(128, 32), config.tower());
        assertEquals(0.25, config.dropout());
        assertEquals(5.0, config.positiveWeight());
    }

    @Test
    void emptyTowerIsAllowed() {
        PluginConfigs.bind(Map.of("tower", List.of()), MultiLabelHeadConfig.class).validate();
    }

    @Test
    void unknownFieldIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> PluginConfigs.bind(Map.of("posWeight", 2.0), MultiLabelHeadConfig.class));
    }

    @Test
    void badValuesNameTheirField() {
        assertPath("tower[1]", Map.of("tower", List.of(8, 0)));
        assertPath("tower[0]", Map.of("tower", Arrays.asList((Integer) null)));
        assertPath("dropout", Map.of("dropout", 1.0));
        assertPath("dropout", Map.of("dropout", -0.1));
        assertPath("positiveWeight", Map.of("positiveWeight", 0.0));
        assertPath("positiveWeight", Map.of("positiveWeight", -2.0));
        assertPath("positiveWeight", Map.of("positiveWeight", Double.NaN));
        assertPath("positiveWeight", Map.of("positiveWeight", Double.POSITIVE_INFINITY));
        MultiLabelHeadConfig nullTower = new MultiLabelHeadConfig();
        nullTower.setTower(null);
        assertEquals("tower", assertThrows(InvalidConfigException.class, nullTower::validate).path());
    }

    private static void assertPath(String path, Map<String, ?> params) {
        // bound and validated as the runtime does: a value that is not finite is refused when bound
        PluginConfigs.assertInvalid(params, MultiLabelHeadConfig.class, path);
    }
}
