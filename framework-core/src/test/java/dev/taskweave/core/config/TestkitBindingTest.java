package dev.taskweave.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.ValidatedConfig;
import dev.taskweave.testkit.PluginConfigs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The testkit binds plugin params with the runtime's rules, so plugin tests see what users see. */
class TestkitBindingTest {
    /** A plugin configuration with a field of each kind the rules treat apart. */
    public static final class Params implements ValidatedConfig {
        public boolean flag;
        public double rate = 0.5;
        public int size = 1;
        public List<Integer> sizes = List.of(1);
        public Map<String, Double> weights = Map.of();

        @Override
        public void validate() throws InvalidConfigException {}
    }

    private static Map<String, Object> params(String key, Object value) {
        Map<String, Object> params = new HashMap<>();
        params.put(key, value);
        return params;
    }

    private static final List<Map<String, Object>> REFUSED = List.of(
            params("colour", 1),                 // unknown field
            params("size", null),                // null for a primitive
            params("size", 1.5),                 // fraction for an integer
            params("flag", 7),                   // number for a flag
            params("sizes", null),               // null list
            params("sizes", nullIn()),           // null in a list
            params("weights", null),             // null mapping
            params("rate", Double.NaN),          // not finite
            params("rate", Double.POSITIVE_INFINITY));

    private static List<Integer> nullIn() {
        List<Integer> list = new ArrayList<>();
        list.add(1);
        list.add(null);
        return list;
    }

    @Test
    void theRuntimeAndTheTestkitRefuseTheSameParams() {
        ConfigLoader loader = new ConfigLoader();
        for (Map<String, Object> bad : REFUSED) {
            assertThrows(ConfigException.class, () -> loader.bind(bad, Params.class, "x.yaml", "tasks[0].params"), bad::toString);
            assertThrows(IllegalArgumentException.class, () -> PluginConfigs.bind(bad, Params.class), bad::toString);
        }
        Map<String, Object> good = new HashMap<>(Map.of("flag", true, "rate", 0.25, "size", 3, "sizes", List.of(2, 3)));
        good.put("weights", Map.of("a", 1.0));
        Params runtime = loader.bind(good, Params.class, "x.yaml", "tasks[0].params");
        Params testkit = PluginConfigs.bind(good, Params.class);
        assertTrue(runtime.flag && testkit.flag);
        assertEquals(List.of(runtime.rate, runtime.size, runtime.sizes), List.of(testkit.rate, testkit.size, testkit.sizes));
        // a string stays readable as a flag or a number (${VAR} substitution writes its value quoted)
        assertTrue(PluginConfigs.bind(params("flag", "true"), Params.class).flag);
    }
}
