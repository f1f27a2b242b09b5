package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The plugins' parent pom writes the manifest the host reads, with the API version it was built against. */
class PluginManifestTest {
    @Test
    void everyBundledPluginRecordsTheHostsApiVersionAndItsProvider() throws Exception {
        Path api;
        try (Stream<Path> lib = Files.list(Dist.home().resolve("lib"))) {
            api = lib.filter(p -> p.getFileName().toString().startsWith("framework-api-")).findFirst().orElseThrow();
        }
        Properties pom = new Properties();
        try (JarFile jar = new JarFile(api.toFile())) {
            pom.load(jar.getInputStream(jar.getEntry("META-INF/maven/dev.taskweave/framework-api/pom.properties")));
        }
        String hostApi = pom.getProperty("version");
        assertNotNull(hostApi);
        List<Path> jars;
        try (Stream<Path> plugins = Files.list(Dist.plugins())) {
            jars = plugins.filter(p -> p.toString().endsWith(".jar")).toList();
        }
        assertFalse(jars.isEmpty());
        for (Path p : jars) {
            try (JarFile jar = new JarFile(p.toFile())) {
                Attributes a = jar.getManifest().getMainAttributes();
                assertEquals(hostApi, a.getValue("Taskweave-Api"), p.toString());
                assertEquals("Taskweave", a.getValue("Plugin-Provider"), p.toString());
                assertTrue(jar.getEntry("META-INF/extensions.idx") != null, p + " has no extension index");
            }
        }
    }
}
