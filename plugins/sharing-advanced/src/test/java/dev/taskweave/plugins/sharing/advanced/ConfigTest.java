package dev.taskweave.plugins.sharing.advanced;

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
    void omoeDefaults() {
        OmoeConfig config = bindValid(Map.of(), OmoeConfig.class);
        assertEquals(4, config.experts());
        assertEquals(List.of(128, 64), config.expertLayers());
        assertEquals(0.0, config.dropout());
        new OmoeConfig().validate();
    }

    @Test
    void omoeFullMapping() {
        OmoeConfig config = bindValid(params("experts", 6, "expertLayers", List.of(32, 16), "dropout", 0.1), OmoeConfig.class);
        assertEquals(6, config.experts());
        assertEquals(List.of(32, 16), config.expertLayers());
        assertEquals(0.1, config.dropout());
    }

    @Test
    void omoeRejectsBadValues() {
        assertInvalid(params("experts", 0), OmoeConfig.class, "experts");
        assertInvalid(params("expertLayers", List.of()), OmoeConfig.class, "expertLayers");
        assertInvalid(params("expertLayers", List.of(16, 0)), OmoeConfig.class, "expertLayers[1]");
        assertInvalid(params("expertLayers", null), OmoeConfig.class, "expertLayers");
        assertInvalid(params("dropout", 1.0), OmoeConfig.class, "dropout");
        assertThrows(IllegalArgumentException.class, () -> bindValid(params("gates", 2), OmoeConfig.class));
    }

    @Test
    void cgcDefaults() {
        CgcConfig config = bindValid(Map.of(), CgcConfig.class);
        assertEquals(2, config.sharedExperts());
        assertEquals(2, config.taskExperts());
        assertEquals(List.of(128, 64), config.expertLayers());
        assertEquals(0.0, config.dropout());
        new CgcConfig().validate();
    }

    @Test
    void cgcFullMapping() {
        CgcConfig config = bindValid(params("sharedExperts", 3, "taskExperts", 0, "expertLayers", List.of(16),
                "dropout", 0.2), CgcConfig.class);
        assertEquals(3, config.sharedExperts());
        assertEquals(0, config.taskExperts());
        assertEquals(List.of(16), config.expertLayers());
        assertEquals(0.2, config.dropout());
    }

    @Test
    void cgcRejectsBadValues() {
        assertInvalid(params("sharedExperts", 0), CgcConfig.class, "sharedExperts");
        assertInvalid(params("taskExperts", -1), CgcConfig.class, "taskExperts");
        assertInvalid(params("expertLayers", List.of()), CgcConfig.class, "expertLayers");
        assertInvalid(params("expertLayers", Arrays.asList(8, null)), CgcConfig.class, "expertLayers[1]");
        assertInvalid(params("dropout", -0.5), CgcConfig.class, "dropout");
        assertThrows(IllegalArgumentException.class, () -> bindValid(params("levels", 2), CgcConfig.class));
    }

    @Test
    void pleDefaults() {
        PleConfig config = bindValid(Map.of(), PleConfig.class);
        assertEquals(2, config.levels());
        assertEquals(2, config.sharedExperts());
        assertEquals(2, config.taskExperts());
        assertEquals(List.of(64, 32), config.expertLayers());
        assertEquals(0.0, config.dropout());
        new PleConfig().validate();
    }

    @Test
    void pleFullMapping() {
        PleConfig config = bindValid(params("levels", 3, "sharedExperts", 1, "taskExperts", 4, "expertLayers", List.of(8, 8),
                "dropout", 0.3), PleConfig.class);
        assertEquals(3, config.levels());
        assertEquals(1, config.sharedExperts());
        assertEquals(4, config.taskExperts());
        assertEquals(List.of(8, 8), config.expertLayers());
        assertEquals(0.3, config.dropout());
    }

    @Test
    void pleRejectsBadValues() {
        assertInvalid(params("levels", 0), PleConfig.class, "levels");
        assertInvalid(params("sharedExperts", 0), PleConfig.class, "sharedExperts");
        assertInvalid(params("taskExperts", -2), PleConfig.class, "taskExperts");
        assertInvalid(params("expertLayers", List.of(-1)), PleConfig.class, "expertLayers[0]");
        assertInvalid(params("expertLayers", null), PleConfig.class, "expertLayers");
        assertInvalid(params("dropout", Double.NaN), PleConfig.class, "dropout");
        assertThrows(IllegalArgumentException.class, () -> bindValid(params("experts", 2), PleConfig.class));
    }

    @Test
    void crossStitchDefaults() {
        CrossStitchConfig config = bindValid(Map.of(), CrossStitchConfig.class);
        assertEquals(List.of(128, 64), config.layers());
        assertEquals(0.0, config.dropout());
        assertEquals(0.9, config.selfWeight());
        new CrossStitchConfig().validate();
    }

    @Test
    void crossStitchFullMapping() {
        CrossStitchConfig config = bindValid(params("layers", List.of(32), "dropout", 0.1, "selfWeight", 1.0),
                CrossStitchConfig.class);
        assertEquals(List.of(32), config.layers());
        assertEquals(0.1, config.dropout());
        assertEquals(1.0, config.selfWeight());
        assertEquals(0.0, bindValid(params("selfWeight", 0), CrossStitchConfig.class).selfWeight());
    }

    @Test
    void crossStitchRejectsBadValues() {
        assertInvalid(params("layers", List.of()), CrossStitchConfig.class, "layers");
        assertInvalid(params("layers", List.of(4, 0)), CrossStitchConfig.class, "layers[1]");
        assertInvalid(params("dropout", 1.0), CrossStitchConfig.class, "dropout");
        assertInvalid(params("selfWeight", 1.01), CrossStitchConfig.class, "selfWeight");
        assertInvalid(params("selfWeight", -0.1), CrossStitchConfig.class, "selfWeight");
        assertInvalid(params("selfWeight", Double.NaN), CrossStitchConfig.class, "selfWeight");
        assertThrows(IllegalArgumentException.class, () -> bindValid(params("alpha", 0.5), CrossStitchConfig.class));
    }

    @Test
    void separateDefaults() {
        SeparateConfig config = bindValid(Map.of(), SeparateConfig.class);
        assertEquals(List.of(128, 64), config.layers());
        assertEquals(0.0, config.dropout());
        new SeparateConfig().validate();
    }

    @Test
    void separateFullMapping() {
        SeparateConfig config = bindValid(params("layers", List.of(16, 8, 4), "dropout", 0.5), SeparateConfig.class);
        assertEquals(List.of(16, 8, 4), config.layers());
        assertEquals(0.5, config.dropout());
        assertEquals(List.of(), bindValid(params("layers", List.of()), SeparateConfig.class).layers());
    }

    @Test
    void separateRejectsBadValues() {
        assertInvalid(params("layers", List.of(0)), SeparateConfig.class, "layers[0]");
        assertInvalid(params("layers", null), SeparateConfig.class, "layers");
        assertInvalid(params("dropout", -0.1), SeparateConfig.class, "dropout");
        assertThrows(IllegalArgumentException.class, () -> bindValid(params("penalty", 0.1), SeparateConfig.class));
    }

    @Test
    void softL2Defaults() {
        SoftL2Config config = bindValid(Map.of(), SoftL2Config.class);
        assertEquals(List.of(128, 64), config.layers());
        assertEquals(0.0, config.dropout());
        assertEquals(1e-3, config.penalty());
        new SoftL2Config().validate();
    }

    @Test
    void softL2FullMapping() {
        SoftL2Config config = bindValid(params("layers", List.of(8), "dropout", 0.1, "penalty", 0.5), SoftL2Config.class);
        assertEquals(List.of(8), config.layers());
        assertEquals(0.1, config.dropout());
        assertEquals(0.5, config.penalty());
        assertEquals(0.0, bindValid(params("penalty", 0), SoftL2Config.class).penalty());
    }

    @Test
    void softL2RejectsBadValues() {
        assertInvalid(params("layers", List.of()), SoftL2Config.class, "layers");
        assertInvalid(params("layers", List.of(8, -1)), SoftL2Config.class, "layers[1]");
        assertInvalid(params("dropout", 2.0), SoftL2Config.class, "dropout");
        assertInvalid(params("penalty", -1e-3), SoftL2Config.class, "penalty");
        assertInvalid(params("penalty", Double.NaN), SoftL2Config.class, "penalty");
        assertInvalid(params("penalty", Double.POSITIVE_INFINITY), SoftL2Config.class, "penalty");
        assertThrows(IllegalArgumentException.class, () -> bindValid(params("selfWeight", 0.5), SoftL2Config.class));
    }

    @Test
    void pathsNestUnderTheParamsPrefix() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> bindValid(params("levels", 0), PleConfig.class));
        assertEquals("sharing.params.levels", e.under("sharing.params").path());
        assertEquals("expected an integer >= 1, got 0", e.reason());
    }
}
