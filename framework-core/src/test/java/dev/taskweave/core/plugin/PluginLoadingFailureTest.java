package dev.taskweave.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import dev.taskweave.api.DataException;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugins that fail to load, in part or whole, built as real jars inside the test. */
class PluginLoadingFailureTest {
    @TempDir
    Path work;

    private static String weighting(String pkg, String cls, String type, String constructorBody, String extra) {
        return """
                package %1$s;

                import dev.taskweave.api.model.LossWeighting;
                import dev.taskweave.api.model.LossWeightingFactory;
                import dev.taskweave.api.model.WeightingContext;

                @org.pf4j.Extension
                public final class %2$s implements LossWeightingFactory<%2$s.Config> {
                    public static final class Config {}
                    public %2$s() { %4$s }
                    @Override public String type() { return "%3$s"; }
                    @Override public Class<Config> configClass() { return Config.class; }
                    @Override public String description() { return "the %3$s weighting"; }
                    @Override public LossWeighting create(Config c, WeightingContext x) { return () -> null; }
                    %5$s
                }
                """.formatted(pkg, cls, type, constructorBody, extra);
    }

    private static String metrics(String pkg, String... names) {
        StringBuilder list = new StringBuilder();
        for (String n : names) {
            list.append(list.isEmpty() ? "" : ", ").append("""
                    new Metric() {
                        @Override public String name() { return "%s"; }
                        @Override public boolean higherIsBetter() { return false; }
                        @Override public double compute(MetricInput in) { throw new ArithmeticException("no rows to divide"); }
                    }""".formatted(n));
        }
        return """
                package %s;

                import dev.taskweave.api.metric.Metric;
                import dev.taskweave.api.metric.MetricInput;
                import dev.taskweave.api.metric.MetricProvider;
                import java.util.List;

                @org.pf4j.Extension
                public final class Metrics implements MetricProvider {
                    @Override public List<Metric> metrics() { return List.of(%s); }
                }
                """.formatted(pkg, list);
    }

    private Path jar(Path plugins, String file, String pluginId, Map<String, String> sources) throws Exception {
        return PluginJars.plugin(work, plugins.resolve(file), pluginId, "1.0.0", sources, Map.of(), e -> true);
    }

    private PluginRuntime start(Path plugins) {
        return PluginRuntime.start(List.of(plugins), Guice.createInjector(), "0.1.0-SNAPSHOT");
    }

    @Test
    void anExtensionWhoseConstructorThrowsIsReportedAndTheOthersLoad() throws Exception {
        Path plugins = work.resolve("plugins");
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("acme/Good.java", weighting("acme", "Good", "good", "", ""));
        sources.put("acme/Bad.java", weighting("acme", "Bad", "bad", "if (true) throw new IllegalStateException(\"licence server unreachable\");", ""));
        jar(plugins, "acme.jar", "acme-mtl", sources);
        try (PluginRuntime runtime = start(plugins)) {
            ExtensionRegistry registry = runtime.registry();
            assertEquals(List.of("good"), registry.types(ExtensionKind.WEIGHTING));
            assertEquals(1, registry.failures().size(), registry.failures().toString());
            ExtensionFailure f = registry.failures().get(0);
            assertEquals("acme-mtl", f.pluginId());
            assertEquals("acme.Bad", f.className());
            assertTrue(f.reason().startsWith("IllegalStateException: licence server unreachable"), f.reason());
            assertTrue(registry.warnings().stream().anyMatch(w -> w.contains("acme.Bad") && w.contains("acme-mtl 1.0.0")),
                    registry.warnings().toString());
            ConfigException e = assertThrows(ConfigException.class,
                    () -> registry.require(ExtensionKind.WEIGHTING, "bad", "weighting.type", "exp.yaml"));
            assertTrue(e.getMessage().startsWith("exp.yaml: weighting.type: unknown loss weighting type 'bad'; available: [good]"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("acme.Bad of plugin acme-mtl 1.0.0 (IllegalStateException: licence server unreachable)"),
                    e.getMessage());
        }
    }

    @Test
    void thePluginsCommandListsAFailedExtensionAndExitsWithTwo() throws Exception {
        Path plugins = work.resolve("plugins");
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("acme/Good.java", weighting("acme", "Good", "good", "", ""));
        sources.put("acme/Bad.java", weighting("acme", "Bad", "bad", "if (true) throw new IllegalStateException(\"licence server unreachable\");", ""));
        jar(plugins, "acme.jar", "acme-mtl", sources);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = dev.taskweave.core.cli.TaskweaveCli.run(new String[] {"--plugins", plugins.toString(), "plugins"},
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        String listing = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        String errors = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(2, code, listing + errors);
        assertTrue(listing.contains("loss weighting:   good"), listing);
        assertTrue(listing.contains("  FAILED acme.Bad: IllegalStateException: licence server unreachable"), listing);
        assertTrue(!listing.contains("warning: extension acme.Bad"), "listed once, as FAILED: " + listing);
        assertTrue(errors.contains("1 extension failed to load (FAILED above): acme.Bad of plugin acme-mtl"), errors);
        // without the broken extension the listing is a success
        Path fixed = work.resolve("fixed");
        PluginJars.plugin(work.resolve("build-fixed"), fixed.resolve("acme.jar"), "acme-mtl", "1.0.1",
                Map.of("acme/Good.java", weighting("acme", "Good", "good", "", "")), Map.of(), e -> true);
        assertEquals(0, dev.taskweave.core.cli.TaskweaveCli.run(new String[] {"--plugins", fixed.toString(), "plugins"},
                new java.io.PrintStream(new java.io.ByteArrayOutputStream()), new java.io.PrintStream(new java.io.ByteArrayOutputStream())));

        // a truncated jar beside it: the plugin it should have been is missing, and the check says so
        byte[] whole = Files.readAllBytes(fixed.resolve("acme.jar"));
        Files.write(fixed.resolve("other.jar"), java.util.Arrays.copyOf(whole, whole.length / 3));
        java.io.ByteArrayOutputStream out2 = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err2 = new java.io.ByteArrayOutputStream();
        int truncated = dev.taskweave.core.cli.TaskweaveCli.run(new String[] {"--plugins", fixed.toString(), "plugins"},
                new java.io.PrintStream(out2, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.PrintStream(err2, true, java.nio.charset.StandardCharsets.UTF_8));
        String listed = out2.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(2, truncated, listed + err2);
        assertTrue(listed.contains("warning: " + fixed.resolve("other.jar") + " was not loaded as a plugin: "), listed);
        assertTrue(err2.toString(java.nio.charset.StandardCharsets.UTF_8)
                .contains("1 file in the plugins directories could not be loaded as plugins (warnings above)"), err2.toString());
        // and an unknown type names it as a place the type may be
        try (PluginRuntime runtime = PluginRuntime.start(List.of(fixed), Guice.createInjector(), "0.1.0-SNAPSHOT")) {
            RuntimeException unknown = assertThrows(RuntimeException.class,
                    () -> runtime.registry().require(ExtensionKind.WEIGHTING, "other", "weighting.type", "x.yaml"));
            assertTrue(unknown.getMessage().contains("a file in the plugins directories could not be loaded as plugins and may hold it: "
                    + fixed.resolve("other.jar")), unknown.getMessage());
        }
    }

    @Test
    void aPluginsDirectoryThatIsAFileIsSaidToBeOne() throws Exception {
        Path file = java.nio.file.Files.writeString(work.resolve("plugins.txt"), "x");
        PluginConflictException e = assertThrows(PluginConflictException.class, () -> start(file).close());
        assertEquals("plugins directory " + file + " is not a directory", e.getMessage());
        PluginConflictException missing = assertThrows(PluginConflictException.class, () -> start(work.resolve("none")).close());
        assertEquals("plugins directory " + work.resolve("none") + " does not exist", missing.getMessage());
    }

    @Test
    void aKindNoPluginProvidesSaysThatThePluginDirectoriesReplaceTheDefault() throws Exception {
        Path plugins = work.resolve("plugins");
        jar(plugins, "acme.jar", "acme-mtl", Map.of("acme/Good.java", weighting("acme", "Good", "good", "", "")));
        try (PluginRuntime runtime = start(plugins)) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> runtime.registry().require(ExtensionKind.DATASET, "synthetic", "data.type", "exp.yaml"));
            assertTrue(e.getMessage().contains("available: [] (no plugin provides a data source: --plugins and TASKWEAVE_PLUGINS"
                    + " replace the distribution's plugins directory; give it too)"), e.getMessage());
        }
    }

    @Test
    void anExtensionNeedingALibraryThatIsNotPackedIsReportedAndTheOthersLoad() throws Exception {
        Path plugins = work.resolve("plugins");
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("acme/lib/Helper.java", "package acme.lib; public final class Helper { public static String hello() { return \"hi\"; } }");
        sources.put("acme/Good.java", weighting("acme", "Good", "good", "", ""));
        sources.put("acme/NeedsLib.java", weighting("acme", "NeedsLib", "needs-lib", "acme.lib.Helper.hello();", ""));
        PluginJars.plugin(work, plugins.resolve("acme.jar"), "acme-lib", "1.0.0", sources, Map.of(), e -> !e.startsWith("acme/lib/"));
        try (PluginRuntime runtime = start(plugins)) {
            ExtensionRegistry registry = runtime.registry();
            assertEquals(List.of("good"), registry.types(ExtensionKind.WEIGHTING));
            ExtensionFailure f = registry.failures().get(0);
            assertEquals("acme.NeedsLib", f.className());
            assertTrue(f.reason().startsWith("NoClassDefFoundError: acme/lib/Helper"), f.reason());
            assertTrue(f.reason().contains("not packed into its jar"), f.reason());
        }
    }

    @Test
    void aPluginWithoutAnExtensionIndexIsAWarning() throws Exception {
        Path plugins = work.resolve("plugins");
        PluginJars.plugin(work, plugins.resolve("noindex.jar"), "acme-noindex", "1.0.0",
                Map.of("acme/Good.java", weighting("acme", "Good", "good", "", "")), Map.of(),
                e -> !e.equals("META-INF/extensions.idx"));
        try (PluginRuntime runtime = start(plugins)) {
            assertTrue(runtime.registry().plugins().containsKey("acme-noindex"));
            assertEquals(List.of(), runtime.registry().types(ExtensionKind.WEIGHTING));
            assertTrue(runtime.registry().warnings().stream().anyMatch(w -> w.startsWith("plugin acme-noindex 1.0.0")
                    && w.contains("provides no extension") && w.contains("META-INF/extensions.idx")), runtime.registry().warnings().toString());
        }
    }

    @Test
    void twoJarsWithOnePluginIdStopStartUpNamingBothFiles() throws Exception {
        Path plugins = work.resolve("plugins");
        jar(plugins, "acme-1.0.jar", "acme-mtl", Map.of("one/Good.java", weighting("one", "Good", "one", "", "")));
        jar(plugins, "acme-1.1.jar", "acme-mtl", Map.of("two/Good.java", weighting("two", "Good", "two", "", "")));
        PluginConflictException e = assertThrows(PluginConflictException.class, () -> start(plugins));
        assertTrue(e.getMessage().startsWith("plugin id 'acme-mtl' is used by two plugin files: "), e.getMessage());
        assertTrue(e.getMessage().contains("acme-1.0.jar") && e.getMessage().contains("acme-1.1.jar"), e.getMessage());
    }

    @Test
    void aMetricNameProvidedTwiceStopsStartUpNamingBothPlugins() throws Exception {
        Path plugins = work.resolve("plugins");
        jar(plugins, "first.jar", "first-metrics", Map.of("first/Metrics.java", metrics("first", "mape")));
        jar(plugins, "second.jar", "second-metrics", Map.of("second/Metrics.java", metrics("second", "mape")));
        PluginConflictException e = assertThrows(PluginConflictException.class, () -> start(plugins));
        assertTrue(e.getMessage().startsWith("the metric 'mape' is provided by two plugins: "), e.getMessage());
        assertTrue(e.getMessage().contains("first-metrics (") && e.getMessage().contains("second-metrics ("), e.getMessage());
    }

    @Test
    void aMetricNameOfTheBuiltInsIsRefused() throws Exception {
        Path plugins = work.resolve("plugins");
        jar(plugins, "m.jar", "acme-metrics", Map.of("acme/Metrics.java", metrics("acme", "rmse")));
        PluginConflictException e = assertThrows(PluginConflictException.class, () -> start(plugins));
        // a built-in cannot be removed: the plugin's metric is what must change
        assertTrue(e.getMessage().startsWith("the metric 'rmse' of plugin acme-metrics 1.0.0 ("), e.getMessage());
        assertTrue(e.getMessage().contains("has the name of a built-in metric, which a plugin cannot replace; rename the plugin's"
                + " metric, or remove the plugin"), e.getMessage());
        assertFalse(e.getMessage().contains("remove one of them"), e.getMessage());
    }

    @Test
    void pluginMetricsAreListedAndTheirFailuresNameThePlugin() throws Exception {
        Path plugins = work.resolve("plugins");
        jar(plugins, "m.jar", "acme-metrics", Map.of("acme/Metrics.java", metrics("acme", "mape", "poisson_deviance")));
        try (PluginRuntime runtime = start(plugins)) {
            assertEquals(List.of("mape", "poisson_deviance"),
                    runtime.registry().plugins().get("acme-metrics").types().get(ExtensionRegistry.METRICS));
            PluginMetric mape = runtime.metrics().get(0);
            assertEquals("mape", mape.name());
            PluginFailureException e = assertThrows(PluginFailureException.class, () -> mape.compute(null));
            assertEquals("metric 'mape' of plugin acme-metrics 1.0.0 failed in compute(): ArithmeticException: no rows to divide",
                    e.getMessage());
            assertFalse(e.incompatible());
        }
    }

    @Test
    void aPluginBuiltAgainstANewerApiIsRefusedAndAnOlderOneLoads() throws Exception {
        Path newer = work.resolve("newer");
        PluginJars.plugin(work, newer.resolve("acme.jar"), "acme-mtl", "2.0.0",
                Map.of("acme/Good.java", weighting("acme", "Good", "good", "", "")), Map.of("Taskweave-Api", "0.3.0"), e -> true);
        PluginConflictException e = assertThrows(PluginConflictException.class,
                () -> PluginRuntime.start(List.of(newer), Guice.createInjector(), "0.2.1"));
        assertTrue(e.getMessage().startsWith("plugin acme-mtl 2.0.0 ("), e.getMessage());
        assertTrue(e.getMessage().contains("was built against Taskweave API 0.3.0, newer than this Taskweave's 0.2.1"), e.getMessage());
        // the same API, a snapshot of it, or an older one loads
        for (String host : List.of("0.3.0", "0.3.0-SNAPSHOT", "1.0.0")) {
            try (PluginRuntime runtime = PluginRuntime.start(List.of(newer), Guice.createInjector(), host)) {
                assertEquals(List.of("good"), runtime.registry().types(ExtensionKind.WEIGHTING), host);
            }
        }
    }

    /** A plugin's {@code Plugin-Requires} range is checked against the host's version (PF4J ignores it by default). */
    @Test
    void aPluginThatRequiresAnotherTaskweaveIsRefused() throws Exception {
        Path plugins = work.resolve("requires");
        PluginJars.plugin(work, plugins.resolve("acme.jar"), "acme-mtl", "2.0.0",
                Map.of("acme/Good.java", weighting("acme", "Good", "good", "", "")), Map.of("Plugin-Requires", ">=0.3.0 & <0.4.0"),
                e -> true);
        for (String host : List.of("0.2.1", "0.4.0")) {
            PluginConflictException e = assertThrows(PluginConflictException.class,
                    () -> PluginRuntime.start(List.of(plugins), Guice.createInjector(), host));
            assertTrue(e.getMessage().startsWith("plugin acme-mtl 2.0.0 (") && e.getMessage().contains(
                    "requires Taskweave >=0.3.0 & <0.4.0 (its Plugin-Requires), and this Taskweave is " + host), e.getMessage());
        }
        // inside the range, a snapshot too
        for (String host : List.of("0.3.0", "0.3.0-SNAPSHOT", "0.3.9")) {
            try (PluginRuntime runtime = PluginRuntime.start(List.of(plugins), Guice.createInjector(), host)) {
                assertEquals(List.of("good"), runtime.registry().types(ExtensionKind.WEIGHTING), host);
            }
        }
    }

    /** Manifests an author can get wrong: each refusal names the plugin, its file and what to write. */
    @Test
    void aMalformedRequiresAMissingDependencyOrABadPluginClassNamesThePlugin() throws Exception {
        // a Maven-style range is no version constraint PF4J reads (its parser threw out of loading, "internal error")
        Path ranges = work.resolve("ranges");
        PluginJars.plugin(work, ranges.resolve("acme.jar"), "acme-mtl", "2.0.0",
                Map.of("acme/Good.java", weighting("acme", "Good", "good", "", "")), Map.of("Plugin-Requires", "[0.2,0.3)"), e -> true);
        PluginConflictException range = assertThrows(PluginConflictException.class,
                () -> PluginRuntime.start(List.of(ranges), Guice.createInjector(), "0.2.1"));
        assertTrue(range.getMessage().startsWith("plugin acme-mtl 2.0.0 (" + ranges.resolve("acme.jar") + "): its Plugin-Requires"
                + " '[0.2,0.3)' is not a version constraint ("), range.getMessage());
        assertTrue(range.getMessage().endsWith("expected a range such as >=0.2.0 or >=0.2.0 & <0.3.0"), range.getMessage());

        // a dependency no installed plugin provides
        Path dependent = work.resolve("dependent");
        PluginJars.plugin(work, dependent.resolve("needs.jar"), "acme-needs", "1.0.0",
                Map.of("needs/Good.java", weighting("needs", "Good", "good", "", "")), Map.of("Plugin-Dependencies", "acme-base@>=1.0.0"),
                e -> true);
        PluginConflictException missing = assertThrows(PluginConflictException.class,
                () -> PluginRuntime.start(List.of(dependent), Guice.createInjector(), "0.2.1"));
        assertTrue(missing.getMessage().startsWith("plugins could not be loaded together: "), missing.getMessage());
        assertTrue(missing.getMessage().contains("acme-base"), missing.getMessage());

        // a Plugin-Class that is not in the jar, and one whose constructor throws
        Path wrongClass = work.resolve("wrong-class");
        PluginJars.plugin(work, wrongClass.resolve("wrong.jar"), "acme-wrong", "1.0.0",
                Map.of("wrong/Good.java", weighting("wrong", "Good", "good", "", "")), Map.of("Plugin-Class", "wrong.Missing"), e -> true);
        PluginConflictException notThere = assertThrows(PluginConflictException.class,
                () -> PluginRuntime.start(List.of(wrongClass), Guice.createInjector(), "0.2.1"));
        assertTrue(notThere.getMessage().startsWith("plugin acme-wrong (" + wrongClass.resolve("wrong.jar") + ") did not start: its"
                + " Plugin-Class wrong.Missing cannot be loaded (java.lang.ClassNotFoundException: wrong.Missing)"), notThere.getMessage());
        Path throwing = work.resolve("throwing");
        PluginJars.plugin(work, throwing.resolve("throwing.jar"), "acme-throwing", "1.0.0",
                Map.of("throwing/Good.java", weighting("throwing", "Good", "good", "", ""), "throwing/Main.java",
                        "package throwing;\npublic class Main extends org.pf4j.Plugin {\n    public Main() {\n"
                        + "        throw new IllegalStateException(\"licence server unreachable\");\n    }\n}\n"),
                Map.of("Plugin-Class", "throwing.Main"), e -> true);
        PluginConflictException constructor = assertThrows(PluginConflictException.class,
                () -> PluginRuntime.start(List.of(throwing), Guice.createInjector(), "0.2.1"));
        assertTrue(constructor.getMessage().endsWith("did not start: its Plugin-Class throwing.Main failed in its constructor:"
                + " java.lang.IllegalStateException: licence server unreachable"), constructor.getMessage());
    }

    /** A library under a shared package that the host does not ship comes from the plugin's jar. */
    @Test
    void aLibraryUnderASharedPackageTheHostLacksLoadsFromThePlugin() throws Exception {
        Path plugins = work.resolve("packed");
        PluginJars.plugin(work, plugins.resolve("acme.jar"), "acme-mtl", "1.0.0", Map.of(
                "acme/Good.java", weighting("acme", "Good", "good", "new com.fasterxml.jackson.packedbyplugin.Format();", ""),
                "com/fasterxml/jackson/packedbyplugin/Format.java",
                "package com.fasterxml.jackson.packedbyplugin;\npublic class Format {}\n"), Map.of(), e -> true);
        try (PluginRuntime runtime = PluginRuntime.start(List.of(plugins), Guice.createInjector(), "0.1.0-SNAPSHOT")) {
            assertEquals(List.of("good"), runtime.registry().types(ExtensionKind.WEIGHTING));
            assertTrue(runtime.registry().failures().isEmpty(), runtime.registry().failures().toString());
        }
    }

    /** PF4J's directory layout: the manifest under classes/, read for the API version too. */
    @Test
    void anUnpackedPluginsApiVersionIsReadFromItsClassesDirectory() throws Exception {
        Path dir = Files.createDirectories(work.resolve("unpacked/acme/classes/META-INF"));
        Files.writeString(dir.resolve("MANIFEST.MF"), "Manifest-Version: 1.0\nPlugin-Id: acme\nTaskweave-Api: 9.0.0\n");
        assertEquals("9.0.0", ApiVersion.required(work.resolve("unpacked/acme")));
        Path flat = Files.createDirectories(work.resolve("flat/acme/META-INF"));
        Files.writeString(flat.resolve("MANIFEST.MF"), "Manifest-Version: 1.0\nPlugin-Id: acme\nTaskweave-Api: 8.0.0\n");
        assertEquals("8.0.0", ApiVersion.required(work.resolve("flat/acme")));
    }

    @Test
    void apiVersionsCompareByTheirNumbers() {
        assertTrue(ApiVersion.compare("0.10.0", "0.9.1") > 0);
        assertEquals(0, ApiVersion.compare("0.1.0-SNAPSHOT", "0.1.0"));
        assertEquals(0, ApiVersion.compare("1.0", "1.0.0"));
        assertTrue(ApiVersion.compare("1.0.0", "1.0.1-SNAPSHOT") < 0);
    }

    @Test
    void aPluginsOwnExceptionNamesThePluginTheTypeAndThePath() {
        Registered<Object> reg = new Registered<>("poisson", new Object(), "acme-mtl", "1.0.0", getClass().getClassLoader());
        PluginFailureException e = assertThrows(PluginFailureException.class, () -> reg.call("exp.yaml", "tasks[0].head", "create()",
                () -> {
                    throw new IllegalStateException("licence server unreachable");
                }));
        assertEquals("exp.yaml: tasks[0].head: type 'poisson' of plugin acme-mtl 1.0.0 failed in create(): "
                + "IllegalStateException: licence server unreachable", e.getMessage());
        assertFalse(e.incompatible());

        PluginFailureException linkage = assertThrows(PluginFailureException.class, () -> reg.call(() -> {
            throw new NoSuchMethodError("'int dev.taskweave.api.model.TaskContext.inputWidth()'");
        }));
        assertTrue(linkage.getMessage().startsWith("type 'poisson' of plugin acme-mtl 1.0.0 failed: NoSuchMethodError: "),
                linkage.getMessage());
        assertTrue(linkage.getMessage().contains("built against another version of the Taskweave API"), linkage.getMessage());
        assertTrue(linkage.incompatible());
    }

    @Test
    void theFrameworksOwnExceptionsPassAPluginCallUnchanged() {
        Registered<Object> reg = new Registered<>("poisson", new Object(), "acme-mtl", "1.0.0", getClass().getClassLoader());
        for (RuntimeException own : List.of(new InvalidConfigException("tower[0]", "must be >= 1"),
                new DataException("f.csv", 3, "bad"), new ConfigException("x.yaml", "data", 0, "bad"))) {
            RuntimeException thrown = assertThrows(RuntimeException.class, () -> reg.call("x.yaml", "data.type", "create()", () -> {
                throw own;
            }));
            assertSame(own, thrown);
        }
    }
}
