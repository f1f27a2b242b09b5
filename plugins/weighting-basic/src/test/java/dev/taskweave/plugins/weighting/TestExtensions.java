package dev.taskweave.plugins.weighting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestExtensions {
    @Test
    void factoriesDeclareTheirTypes() {
        assertEquals("fixed", new FixedWeightingFactory().type());
        assertEquals("equal", new EqualWeightingFactory().type());
        assertEquals("uncertainty", new UncertaintyWeightingFactory().type());
        assertEquals(FixedWeightingConfig.class, new EqualWeightingFactory().configClass());
        assertEquals(UncertaintyWeightingConfig.class, new UncertaintyWeightingFactory().configClass());
    }

    @Test
    void fixedAndUncertaintyReadTheTasksDeclaredWeightsAndEqualDoesNot() {
        assertTrue(new FixedWeightingFactory().readsTaskWeights());
        assertTrue(new UncertaintyWeightingFactory().readsTaskWeights());
        assertEquals(false, new EqualWeightingFactory().readsTaskWeights());
    }

    @Test
    void annotationProcessorIndexesAllFactories() throws Exception {
        // the index next to the factory classes (test-classes holds its own, empty, index)
        URL location = FixedWeightingFactory.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {location}, null);
                InputStream in = loader.getResourceAsStream("META-INF/extensions.idx")) {
            assertNotNull(in, "META-INF/extensions.idx is missing from " + location);
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            for (Class<?> factory : List.of(FixedWeightingFactory.class, EqualWeightingFactory.class,
                    UncertaintyWeightingFactory.class)) {
                assertTrue(lines.contains(factory.getName()), lines.toString());
            }
        }
    }
}
