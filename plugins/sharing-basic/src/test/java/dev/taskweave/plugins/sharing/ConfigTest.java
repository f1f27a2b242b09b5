package dev.taskweave.plugins.sharing;

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
    void sharedBottomDefaults() {
        SharedBottomConfig config = bind(Map.of(), SharedBottomConfig.class);
        assertEquals(List.of(128, 64), config.layers());
        assertEquals(0.0, config.dropout());
        new SharedBottomConfig().validate();
    }

    @Test
    void sharedBottomFullMapping() {
        SharedBottomConfig config = bind(map("layers", List.of(32), "dropout", 0.25), SharedBottomConfig.class);
        assertEquals(List.of(32), config.layers());
        assertEquals(0.25, config.dropout());
        assertEquals(List.of(), bind(map("layers", List.of()), SharedBottomConfig.class).layers());
    }

    @Test
    void sharedBottomRejectsBadValues() {
        assertInvalid(map("layers", List.of(8, 0)), SharedBottomConfig.class, "layers[1]");
        assertInvalid(map("layers", List.of(-3)), SharedBottomConfig.class, "layers[0]");
        assertInvalid(map("layers", Arrays.asList(8, null)), SharedBottomConfig.class, "layers[1]");
        assertInvalid(map("layers", null), SharedBottomConfig.class, "layers");
        assertInvalid(map("dropout", 1.0), SharedBottomConfig.class, "dropout");
        assertInvalid(map("dropout", -0.1), SharedBottomConfig.class, "dropout");
        assertInvalid(map("dropout", Double.NaN), SharedBottomConfig.class, "dropout");
        assertThrows(IllegalArgumentException.class, () -> bind(map("experts", 2), SharedBottomConfig.class));
    }

    @Test
    void mmoeDefaults() {
        MmoeConfig config = bind(Map.of(), MmoeConfig.class);
        assertEquals(4, config.experts());
        assertEquals(List.of(128, 64), config.expertLayers());
        assertEquals(0.0, config.dropout());
        new MmoeConfig().validate();
    }

    @Test
    void mmoeFullMapping() {
        MmoeConfig config = bind(map("experts", 6, "expertLayers", List.of(32, 16), "dropout", 0.1), MmoeConfig.class);
        assertEquals(6, config.experts());
        assertEquals(List.of(32, 16), config.expertLayers());
        assertEquals(0.1, config.dropout());
    }

    @Test
    void mmoeRejectsBadValues() {
        assertInvalid(map("experts", 0), MmoeConfig.class, "experts");
        assertInvalid(map("expertLayers", List.of()), MmoeConfig.class, "expertLayers");
        assertInvalid(map("expertLayers", List.of(16, 0)), MmoeConfig.class, "expertLayers[1]");
        assertInvalid(map("expertLayers", null), MmoeConfig.class, "expertLayers");
        assertInvalid(map("dropout", 1.5), MmoeConfig.class, "dropout");
        assertThrows(IllegalArgumentException.class, () -> bind(map("layers", List.of(8)), MmoeConfig.class));
    }

    @Test
    void pathsNestUnderTheParamsPrefix() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> bind(map("experts", 0), MmoeConfig.class));
        assertEquals("sharing.params.experts", e.under("sharing.params").path());
    }
}
