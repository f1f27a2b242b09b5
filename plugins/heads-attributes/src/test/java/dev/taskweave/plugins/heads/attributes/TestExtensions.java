package dev.taskweave.plugins.heads.attributes;

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
        assertEquals("multilabel", new MultiLabelHeadFactory().type());
        assertEquals(MultiLabelHeadConfig.class, new MultiLabelHeadFactory().configClass());
        assertEquals("multiclass", new MultiClassHeadFactory().type());
        assertEquals(MultiClassHeadConfig.class, new MultiClassHeadFactory().configClass());
        assertTrue(!new MultiLabelHeadFactory().description().isEmpty());
        assertTrue(!new MultiClassHeadFactory().description().isEmpty());
    }

    @Test
    void annotationProcessorIndexesBothFactories() throws Exception {
        // the index next to the factory classes (test-classes holds its own, empty, index)
        URL location = MultiLabelHeadFactory.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {location}, null);
                InputStream in = loader.getResourceAsStream("META-INF/extensions.idx")) {
            assertNotNull(in, "META-INF/extensions.idx is missing from " + location);
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertTrue(lines.contains(MultiLabelHeadFactory.class.getName()), lines.toString());
            assertTrue(lines.contains(MultiClassHeadFactory.class.getName()), lines.toString());
        }
    }
}
