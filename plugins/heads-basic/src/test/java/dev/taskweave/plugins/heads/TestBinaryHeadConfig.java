package dev.taskweave.plugins.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.testkit.PluginConfigs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestBinaryHeadConfig {
    @Test
    void defaults() {
        BinaryHeadConfig config = PluginConfigs.bind(Map.of(), BinaryHeadConfig.class);
        config.validate();
        assertEquals(List.of(32), config.tower());
        assertEquals(0.0, config.dropout());
        assertNull(config.threshold());
        assertEquals(0, config.negatives());
        assertEquals(0.0, config.pairwiseWeight());
        assertEquals(2048, config.pairwiseRows());
    }

    @Test
    void fullMapping() {
        BinaryHeadConfig config = PluginConfigs.bind(Map.of(
                "tower", List.of(),
                "dropout", 0.5,
                "threshold", 4.0,
                "negatives", 4), BinaryHeadConfig.class);
        config.validate();
        assertEquals(List.of(), config.tower());
        assertEquals(0.5, config.dropout());
        assertEquals(4.0, config.threshold());
        assertEquals(4, config.negatives());
    }

    @Test
    void unknownFieldIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> PluginConfigs.bind(Map.of("negative", 1), BinaryHeadConfig.class));
    }

    @Test
    void badValuesNameTheirField() {
        assertPath("tower[2]", Map.of("tower", List.of(8, 4, -1)));
        assertPath("dropout", Map.of("dropout", 1.5));
        assertPath("negatives", Map.of("negatives", -1));
    }

    @Test
    void numbersThatAreNotFiniteAreRefusedWhenBound() {
        // as the runtime refuses them while reading the YAML, before validate()
        for (String field : List.of("threshold", "pairwiseWeight", "dropout")) {
            for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> PluginConfigs.bind(Map.of(field, bad), BinaryHeadConfig.class));
                assertTrue(e.getMessage().contains("not a finite number"), e.getMessage());
            }
        }
    }

    private static void assertPath(String path, Map<String, ?> params) {
        // bound and validated as the runtime does: a value that is not finite is refused when bound
        PluginConfigs.assertInvalid(params, BinaryHeadConfig.class, path);
    }
}
