package dev.taskweave.plugins.sharing;

import static dev.taskweave.testkit.PluginConfigs.assertInvalid;
import static dev.taskweave.testkit.PluginConfigs.bindValid;
import static dev.taskweave.testkit.PluginConfigs.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.taskweave.api.InvalidConfigException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class ConfigTest {
    @Test
    void sharedBottomDefaults() {
        SharedBottomConfig config = bindValid(Map.of(), SharedBottomConfig.class);
        assertEquals(List.of(128, 64), config.layers());
        assertEquals(0.0, config.dropout());
        new SharedBottomConfig().validate();
    }

    @Test
    void sharedBottomFullMapping() {
        SharedBottomConfig config = bindValid(params("layers", List.of(32), "dropout", 0.25), SharedBottomConfig.class);
        assertEquals(List.of(32), config.layers());
        assertEquals(0.25, config.dropout());
        assertEquals(List.of(), bindValid(params("layers", List.of()), SharedBottomConfig.class).layers());
    }

    @Test
    void sharedBottomRejectsBadValues() {
        assertInvalid(params("layers", List.of(8, 0)), SharedBottomConfig.class, "layers[1]");
        assertInvalid(params("layers", List.of(-3)), SharedBottomConfig.class, "layers[0]");
        assertInvalid(params("layers", Arrays.asList(8, null)), SharedBottomConfig.class, "layers[1]");
        assertInvalid(params("layers", null), SharedBottomConfig.class, "layers");
        assertInvalid(params("dropout", 1.0), SharedBottomConfig.class, "dropout");
        assertInvalid(params("dropout", -0.1), SharedBottomConfig.class, "dropout");
        assertInvalid(params("dropout", Double.NaN), SharedBottomConfig.class, "dropout");
        assertThrows(IllegalArgumentException.class, () -> bindValid(params("experts", 2), SharedBottomConfig.class));
    }

    @Test
    void mmoeDefaults() {
        MmoeConfig config = bindValid(Map.of(), MmoeConfig.class);
        assertEquals(4, config.experts());
        assertEquals(List.of(128, 64), config.expertLayers());
        assertEquals(0.0, config.dropout());
        new MmoeConfig().validate();
    }

    @Test
    void mmoeFullMapping() {
        MmoeConfig config = bindValid(params("experts", 6, "expertLayers", List.of(32, 16), "dropout", 0.1), MmoeConfig.class);
        assertEquals(6, config.experts());
        assertEquals(List.of(32, 16), config.expertLayers());
        assertEquals(0.1, config.dropout());
    }

    @Test
    void mmoeRejectsBadValues() {
        assertInvalid(params("experts", 0), MmoeConfig.class, "experts");
        assertInvalid(params("expertLayers", List.of()), MmoeConfig.class, "expertLayers");
        assertInvalid(params("expertLayers", List.of(16, 0)), MmoeConfig.class, "expertLayers[1]");
        assertInvalid(params("expertLayers", null), MmoeConfig.class, "expertLayers");
        assertInvalid(params("dropout", 1.5), MmoeConfig.class, "dropout");
        assertThrows(IllegalArgumentException.class, () -> bindValid(params("layers", List.of(8)), MmoeConfig.class));
    }

    @Test
    void pathsNestUnderTheParamsPrefix() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> bindValid(params("experts", 0), MmoeConfig.class));
        assertEquals("sharing.params.experts", e.under("sharing.params").path());
    }
}
