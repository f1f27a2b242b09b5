package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.core.cli.TaskweaveCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin's own failures in create() name the plugin, the type and the config path; an
 * InvalidConfigException of a weighting's, sharing strategy's or data source's create() is put
 * under its params like one of validate(). A real plugin jar is compiled inside the test.
 */
class PluginFailuresEndToEndTest {
    @TempDir
    static Path tmp;

    private static Path plugins;

    private static final String FACTORIES = """
            package acme;

            import dev.taskweave.api.InvalidConfigException;
            import dev.taskweave.api.model.*;
            import dev.taskweave.api.data.*;
            import java.util.List;

            public final class Factories {
                public static final class Config { public Config() {} }

                @org.pf4j.Extension
                public static final class ThrowingHead implements TaskHeadFactory<Config> {
                    @Override public String type() { return "throws-head"; }
                    @Override public Class<Config> configClass() { return Config.class; }
                    @Override public String description() { return "a head whose create throws"; }
                    @Override public TaskHead create(Config c, TaskContext ctx) {
                        throw new IllegalStateException("licence server unreachable");
                    }
                }

                @org.pf4j.Extension
                public static final class EncodeThrowingHead implements TaskHeadFactory<Config> {
                    @Override public String type() { return "encode-throws"; }
                    @Override public Class<Config> configClass() { return Config.class; }
                    @Override public TaskHead create(Config c, TaskContext ctx) {
                        return new TaskHead() {
                            @Override public ai.djl.nn.Block createBlock() { return ai.djl.nn.core.Linear.builder().setUnits(1).build(); }
                            @Override public ai.djl.ndarray.NDArray loss(ai.djl.ndarray.NDArray o, ai.djl.ndarray.NDArray y,
                                    ai.djl.ndarray.NDArray m) { return o.sum(); }
                            @Override public ai.djl.ndarray.NDArray scores(ai.djl.ndarray.NDArray o) { return o.reshape(-1); }
                            @Override public float encodeLabel(float raw) { throw new IllegalStateException("boom in encode"); }
                            @Override public List<String> defaultMetrics() { return List.of("rmse"); }
                        };
                    }
                }

                @org.pf4j.Extension
                public static final class NullHead implements TaskHeadFactory<Config> {
                    @Override public String type() { return "null-head"; }
                    @Override public Class<Config> configClass() { return Config.class; }
                    @Override public TaskHead create(Config c, TaskContext ctx) { return null; }
                }

                @org.pf4j.Extension
                public static final class LinkageHead implements TaskHeadFactory<Config> {
                    @Override public String type() { return "linkage-head"; }
                    @Override public Class<Config> configClass() { return Config.class; }
                    @Override public TaskHead create(Config c, TaskContext ctx) {
                        throw new NoSuchMethodError("'int dev.taskweave.api.model.TaskContext.width()'");
                    }
                }

                @org.pf4j.Extension
                public static final class InvalidWeighting implements LossWeightingFactory<Config> {
                    @Override public String type() { return "invalid-weighting"; }
                    @Override public Class<Config> configClass() { return Config.class; }
                    @Override public LossWeighting create(Config c, WeightingContext ctx) {
                        throw new InvalidConfigException("tasks[1]", "expected a task of the experiment, got 'lik'");
                    }
                }

                @org.pf4j.Extension
                public static final class InvalidSharing implements SharingStrategyFactory<Config> {
                    @Override public String type() { return "invalid-sharing"; }
                    @Override public Class<Config> configClass() { return Config.class; }
                    @Override public SharingStrategy create(Config c, SharingContext ctx) {
                        throw new InvalidConfigException("experts", "must be at most the number of tasks times 4");
                    }
                }

                @org.pf4j.Extension
                public static final class InvalidData implements DatasetSourceFactory<Config> {
                    @Override public String type() { return "invalid-data"; }
                    @Override public Class<Config> configClass() { return Config.class; }
                    @Override public DatasetSource create(Config c, DataContext ctx) {
                        throw new InvalidConfigException("path", "is not a directory");
                    }
                }
            }
            """;

    @BeforeAll
    static void buildPlugin() throws IOException {
        Path src = tmp.resolve("src/acme/Factories.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, FACTORIES);
        Path classes = tmp.resolve("classes");
        Files.createDirectories(classes);
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-classpath", System.getProperty("java.class.path"),
                "-d", classes.toString(), "-proc:full", src.toString());
        assertEquals(0, rc, "the test plugin did not compile");
        Manifest manifest = new Manifest();
        Attributes a = manifest.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Plugin-Id", "acme-mtl");
        a.putValue("Plugin-Version", "1.0.0");
        plugins = tmp.resolve("plugins");
        Files.createDirectories(plugins);
        try (OutputStream os = Files.newOutputStream(plugins.resolve("acme-mtl-1.0.0.jar"));
                JarOutputStream out = new JarOutputStream(os, manifest); Stream<Path> files = Files.walk(classes)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(p));
                out.closeEntry();
            }
        }
    }

    private static String head(String type) {
        String like = "- {name: like, head: binary, label: rating, metrics: [auc], params: {tower: [16], threshold: 4.0}}";
        assertTrue(EndToEndTest.CONFIG.contains(like));
        return EndToEndTest.CONFIG.replace(like, "- {name: like, head: " + type + ", label: rating}");
    }

    private static CliTest.Run check(String name, String config) throws IOException {
        Path file = tmp.resolve(name);
        Files.writeString(file, config);
        return run("check", "--config", file.toString());
    }

    private static CliTest.Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] full = Stream.concat(Stream.of("--plugins", Dist.plugins().toString(), "--plugins", plugins.toString()),
                Stream.of(args)).toArray(String[]::new);
        int code = TaskweaveCli.run(full, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliTest.Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aHeadsOwnExceptionNamesThePluginTheTypeAndThePath() throws IOException {
        CliTest.Run r = check("throws.yaml", head("throws-head"));
        assertEquals(1, r.code(), r.err());
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("taskweave: "), r.err());
        assertTrue(first.endsWith("throws.yaml: tasks[1].head: type 'throws-head' of plugin acme-mtl 1.0.0 failed in create(): "
                + "IllegalStateException: licence server unreachable"), r.err());
        assertFalse(r.err().contains("internal error"), r.err());
    }

    @Test
    void aFailureOfEncodeLabelOrANullHeadNamesThePluginNotAnInternalError() throws IOException {
        // before: "taskweave: internal error: java.lang.IllegalStateException: boom in encode", and a NullPointerException
        CliTest.Run r = check("encode.yaml", head("encode-throws"));
        assertEquals(1, r.code(), r.err());
        assertEquals("taskweave: " + tmp.resolve("encode.yaml") + ": tasks[1].head: type 'encode-throws' of plugin acme-mtl 1.0.0"
                + " failed in encodeLabel(): IllegalStateException: boom in encode", r.err().lines().findFirst().orElse(""), r.err());
        r = check("null.yaml", head("null-head"));
        assertEquals(1, r.code(), r.err());
        assertEquals("taskweave: " + tmp.resolve("null.yaml") + ": tasks[1].head: type 'null-head' of plugin acme-mtl 1.0.0"
                + " failed in create(): returned null", r.err().lines().findFirst().orElse(""), r.err());
    }

    @Test
    void aLinkageErrorSaysThePluginDoesNotFitAndIsBadInput() throws IOException {
        CliTest.Run r = check("linkage.yaml", head("linkage-head"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("tasks[1].head: type 'linkage-head' of plugin acme-mtl 1.0.0 failed in create(): NoSuchMethodError: "),
                r.err());
        assertTrue(r.err().contains("built against another version of the Taskweave API"), r.err());
    }

    @Test
    void anInvalidConfigExceptionOfCreateIsPutUnderItsParams() throws IOException {
        CliTest.Run r = check("weighting.yaml", EndToEndTest.CONFIG.replace("weighting: {type: uncertainty}",
                "weighting: {type: invalid-weighting}"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("weighting.yaml: weighting.params.tasks[1]: expected a task of the experiment, got 'lik'"), r.err());

        r = check("sharing.yaml", EndToEndTest.CONFIG.replace("sharing: {type: mmoe, params: {experts: 3, expertLayers: [32, 16]}}",
                "sharing: {type: invalid-sharing}"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("sharing.yaml: sharing.params.experts: must be at most the number of tasks times 4"), r.err());

        r = check("data.yaml", EndToEndTest.CONFIG.replace("type: synthetic\n  params: {users: 300, items: 120, meanInteractionsPerUser: 30}",
                "type: invalid-data"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("data.yaml: data.params.path: is not a directory"), r.err());
    }

    @Test
    void pluginsListsDescriptionsAndMetrics() {
        CliTest.Run r = run("plugins");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("acme-mtl 1.0.0"), r.out());
        assertTrue(r.out().contains("task head throws-head: a head whose create throws"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("metric:") && l.contains("rmse") && l.contains("auc")), r.out());
    }
}
