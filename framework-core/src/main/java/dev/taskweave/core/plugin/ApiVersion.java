package dev.taskweave.core.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The Taskweave API version a plugin was built against (its manifest's {@code Taskweave-Api},
 * written by the plugins' parent pom) and the host's.
 */
final class ApiVersion {
    /** The manifest entry. */
    static final String ENTRY = "Taskweave-Api";

    private ApiVersion() {}

    /** @return the host's framework-api version, or null when unknown (classes not from a jar) */
    static String host() {
        try (InputStream in = dev.taskweave.api.ExtensionFactory.class
                .getResourceAsStream("/META-INF/maven/dev.taskweave/framework-api/pom.properties")) {
            if (in == null) {
                return null;
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            return null;
        }
    }

    /** @return the plugin's {@code Taskweave-Api} entry, or null when it has none (built before it existed, or by hand) */
    static String required(Path plugin) {
        try {
            Manifest manifest;
            if (Files.isDirectory(plugin)) {
                // PF4J's directory layout keeps the classes, and the manifest with them, under classes/
                Path file = plugin.resolve("META-INF/MANIFEST.MF");
                if (!Files.isRegularFile(file)) {
                    file = plugin.resolve("classes/META-INF/MANIFEST.MF");
                }
                if (!Files.isRegularFile(file)) {
                    return null;
                }
                try (InputStream in = Files.newInputStream(file)) {
                    manifest = new Manifest(in);
                }
            } else {
                try (JarFile jar = new JarFile(plugin.toFile())) {
                    manifest = jar.getManifest();
                }
            }
            String value = manifest == null ? null : manifest.getMainAttributes().getValue(ENTRY);
            return value == null || value.isBlank() ? null : value.strip();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Compares the numeric parts ({@code 1.2.3}) of two versions; a qualifier ({@code -SNAPSHOT})
     * is ignored, so a plugin built against {@code 0.2.0} loads on {@code 0.2.0-SNAPSHOT}.
     */
    static int compare(String a, String b) {
        int[] x = numbers(a);
        int[] y = numbers(b);
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = Integer.compare(i < x.length ? x[i] : 0, i < y.length ? y[i] : 0);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** @return the numeric part of a version ({@code 0.2.0} of {@code 0.2.0-SNAPSHOT}), as PF4J compares it with a plugin's requirement */
    static String numeric(String version) {
        return version.strip().split("[-+]", 2)[0];
    }

    private static int[] numbers(String version) {
        String core = version.strip().split("[-+]", 2)[0];
        String[] parts = core.split("\\.");
        int[] n = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String digits = parts[i].replaceAll("[^0-9].*$", "");
            n[i] = digits.isEmpty() ? 0 : Integer.parseInt(digits.length() > 9 ? digits.substring(0, 9) : digits);
        }
        return n;
    }
}
