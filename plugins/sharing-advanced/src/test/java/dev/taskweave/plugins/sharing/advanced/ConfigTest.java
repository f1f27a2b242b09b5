package dev.taskweave.plugins.sharing.advanced;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.ValidatedConfig;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class ConfigTest {
    private static final ObjectMapper MAPPER =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private static <C extends ValidatedConfig> C bind(Map<String, ?> params, Class<C> type) {
        C config = MAPPER.convertValue(params, type);
        config.validate();
        return config;
    }

    private static void assertInvalid(Map<String, ?> params, Class<? extends ValidatedConfig> type, String path) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> bind(params, type));
        assertEquals(path, e.path());
    }

    private static Map<String, Object> map(Object... keyValues) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    @Test
    void omoeDefaults() {
        OmoeConfig config = bind(Map.of(), OmoeConfig.class);
        assertEquals(4, config.experts());
        assertEquals(List.of(128, 64), config.expertLayers());
        assertEquals(0.0, config.dropout());
        new OmoeConfig().validate();
    }

    @Test
    void omoeFullMapping() {
        OmoeConfig config = bind(map("experts", 6, "expertLayers", List.of(32, 16), "dropout", 0.1), OmoeConfig.class);
        assertEquals(6, config.experts());
        assertEquals(List.of(32, 16), config.expertLayers());
        assertEquals(0.1, config.dropout());
    }

    @Test
    void omoeRejectsBadValues() {
        assertInvalid(map("experts", 0), OmoeConfig.class, "experts");
        assertInvalid(map("expertLayers", List.of()), OmoeConfig.class, "expertLayers");
        assertInvalid(map("expertLayers", List.of(16, 0)), OmoeConfig.class, "expertLayers[1]");
        assertInvalid(map("expertLayers", null), OmoeConfig.class, "expertLayers");
        assertInvalid(map("dropout", 1.0), OmoeConfig.class, "dropout");
        assertThrows(IllegalArgumentException.class, () -> bind(map("gates", 2), OmoeConfig.class));
    }

    @Test
    void cgcDefaults() {
        CgcConfig config = bind(Map.of(), CgcConfig.class);
        assertEquals(2, config.sharedExperts());
        assertEquals(2, config.taskExperts());
        assertEquals(List.of(128, 64), config.expertLayers());
        assertEquals(0.0, config.dropout());
        new CgcConfig().validate();
    }

    @Test
    void cgcFullMapping() {
        CgcConfig config = bind(map("sharedExperts", 3, "taskExperts", 0, "expertLayers", List.of(16),
                "dropout", 0.2), CgcConfig.class);
        assertEquals(3, config.sharedExperts());
        assertEquals(0, config.taskExperts());
        assertEquals(List.of(16), config.expertLayers());
        assertEquals(0.2, config.dropout());
    }

    @Test
    void cgcRejectsBadValues() {
        assertInvalid(map("sharedExperts", 0), CgcConfig.class, "sharedExperts");
        assertInvalid(map("taskExperts", -1), CgcConfig.class, "taskExperts");
        assertInvalid(map("expertLayers", List.of()), CgcConfig.class, "expertLayers");
        assertInvalid(map("expertLayers", Arrays.asList(8, null)), CgcConfig.class, "expertLayers[1]");
        assertInvalid(map("dropout", -0.5), CgcConfig.class, "dropout");
        assertThrows(IllegalArgumentException.class, () -> bind(map("levels", 2), CgcConfig.class));
    }

    @Test
    void pleDefaults() {
        PleConfig config = bind(Map.of(), PleConfig.class);
        assertEquals(2, config.levels());
        assertEquals(2, config.sharedExperts());
        assertEquals(2, config.taskExperts());
        assertEquals(List.of(64, 32), config.expertLayers());
        assertEquals(0.0, config.dropout());
        new PleConfig().validate();
    }

    @Test
    void pleFullMapping() {
        PleConfig config = bind(map("levels", 3, "sharedExperts", 1, "taskExperts", 4, "expertLayers", List.of(8, 8),
                "dropout", 0.3), PleConfig.class);
        assertEquals(3, config.levels());
        assertEquals(1, config.sharedExperts());
        assertEquals(4, config.taskExperts());
        assertEquals(List.of(8, 8), config.expertLayers());
        assertEquals(0.3, config.dropout());
    }

    @Test
    void pleRejectsBadValues() {
        assertInvalid(map("levels", 0), PleConfig.class, "levels");
        assertInvalid(map("sharedExperts", 0), PleConfig.class, "sharedExperts");
        assertInvalid(map("taskExperts", -2), PleConfig.class, "taskExperts");
        assertInvalid(map("expertLayers", List.of(-1)), PleConfig.class, "expertLayers[0]");
        assertInvalid(map("expertLayers", null), PleConfig.class, "expertLayers");
        assertInvalid(map("dropout", Double.NaN), PleConfig.class, "dropout");
        assertThrows(IllegalArgumentException.class, () -> bind(map("experts", 2), PleConfig.class));
    }

    @Test
    void crossStitchDefaults() {
        CrossStitchConfig config = bind(Map.of(), CrossStitchConfig.class);
        assertEquals(List.of(128, 64), config.layers());
        assertEquals(0.0, config.dropout());
        assertEquals(0.9, config.selfWeight());
        new CrossStitchConfig().validate();
    }

    @Test
    void crossStitchFullMapping() {
        CrossStitchConfig config = bind(map("layers", List.of(32), "dropout", 0.1, "selfWeight", 1.0),
                CrossStitchConfig.class);
        assertEquals(List.of(32), config.layers());
        assertEquals(0.1, config.dropout());
        assertEquals(1.0, config.selfWeight());
        assertEquals(0.0, bind(map("selfWeight", 0), CrossStitchConfig.class).selfWeight());
    }

    @Test
    void crossStitchRejectsBadValues() {
        assertInvalid(map("layers", List.of()), CrossStitchConfig.class, "layers");
        assertInvalid(map("layers", List.of(4, 0)), CrossStitchConfig.class, "layers[1]");
        assertInvalid(map("dropout", 1.0), CrossStitchConfig.class, "dropout");
        assertInvalid(map("selfWeight", 1.01), CrossStitchConfig.class, "selfWeight");
        assertInvalid(map("selfWeight", -0.1), CrossStitchConfig.class, "selfWeight");
        assertInvalid(map("selfWeight", Double.NaN), CrossStitchConfig.class, "selfWeight");
        assertThrows(IllegalArgumentException.class, () -> bind(map("alpha", 0.5), CrossStitchConfig.class));
    }

    @Test
    void separateDefaults() {
        SeparateConfig config = bind(Map.of(), SeparateConfig.class);
        assertEquals(List.of(128, 64), config.layers());
        assertEquals(0.0, config.dropout());
        new SeparateConfig().validate();
    }

    @Test
    void separateFullMapping() {
        SeparateConfig config = bind(map("layers", List.of(16, 8, 4), "dropout", 0.5), SeparateConfig.class);
        assertEquals(List.of(16, 8, 4), config.layers());
        assertEquals(0.5, config.dropout());
        assertEquals(List.of(), bind(map("layers", List.of()), SeparateConfig.class).layers());
    }

    @Test
    void separateRejectsBadValues() {
        assertInvalid(map("layers", List.of(0)), SeparateConfig.class, "layers[0]");
        assertInvalid(map("layers", null), SeparateConfig.class, "layers");
        assertInvalid(map("dropout", -0.1), SeparateConfig.class, "dropout");
        assertThrows(IllegalArgumentException.class, () -> bind(map("penalty", 0.1), SeparateConfig.class));
    }

    @Test
    void softL2Defaults() {
        SoftL2Config config = bind(Map.of(), SoftL2Config.class);
        assertEquals(List.of(128, 64), config.layers());
        assertEquals(0.0, config.dropout());
        assertEquals(1e-3, config.penalty());
        new SoftL2Config().validate();
    }

    @Test
    void softL2FullMapping() {
        SoftL2Config config = bind(map("layers", List.of(8), "dropout", 0.1, "penalty", 0.5), SoftL2Config.class);
        assertEquals(List.of(8), config.layers());
        assertEquals(0.1, config.dropout());
        assertEquals(0.5, config.penalty());
        assertEquals(0.0, bind(map("penalty", 0), SoftL2Config.class).penalty());
    }

    @Test
    void softL2RejectsBadValues() {
        assertInvalid(map("layers", List.of()), SoftL2Config.class, "layers");
        assertInvalid(map("layers", List.of(8, -1)), SoftL2Config.class, "layers[1]");
        assertInvalid(map("dropout", 2.0), SoftL2Config.class, "dropout");
        assertInvalid(map("penalty", -1e-3), SoftL2Config.class, "penalty");
        assertInvalid(map("penalty", Double.NaN), SoftL2Config.class, "penalty");
        assertInvalid(map("penalty", Double.POSITIVE_INFINITY), SoftL2Config.class, "penalty");
        assertThrows(IllegalArgumentException.class, () -> bind(map("selfWeight", 0.5), SoftL2Config.class));
    }

    @Test
    void pathsNestUnderTheParamsPrefix() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> bind(map("levels", 0), PleConfig.class));
        assertEquals("sharing.params.levels", e.under("sharing.params").path());
        assertEquals("expected an integer >= 1, got 0", e.reason());
    }
}
