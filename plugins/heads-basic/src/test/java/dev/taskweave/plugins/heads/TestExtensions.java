package dev.taskweave.plugins.heads;

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
        assertEquals("regression", new RegressionHeadFactory().type());
        assertEquals(RegressionHeadConfig.class, new RegressionHeadFactory().configClass());
        assertEquals("binary", new BinaryHeadFactory().type());
        assertEquals(BinaryHeadConfig.class, new BinaryHeadFactory().configClass());
        assertTrue(!new RegressionHeadFactory().description().isEmpty());
        assertTrue(!new BinaryHeadFactory().description().isEmpty());
        assertEquals("bpr", new BprHeadFactory().type());
        assertEquals(BprHeadConfig.class, new BprHeadFactory().configClass());
    }

    @Test
    void annotationProcessorIndexesBothFactories() throws Exception {
        // the index next to the factory classes (test-classes holds its own, empty, index)
        URL location = RegressionHeadFactory.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {location}, null);
                InputStream in = loader.getResourceAsStream("META-INF/extensions.idx")) {
            assertNotNull(in, "META-INF/extensions.idx is missing from " + location);
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertTrue(lines.contains(RegressionHeadFactory.class.getName()), lines.toString());
            assertTrue(lines.contains(BinaryHeadFactory.class.getName()), lines.toString());
            assertTrue(lines.contains(BprHeadFactory.class.getName()), lines.toString());
        }
    }
}
