package dev.taskweave.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.core.cli.TaskweaveCli;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a third-party plugin gets wrong beyond an exception of its own: an {@link Error} its code
 * raises, a config class that cannot be created, two of its classes with one type name, a type
 * name that is no name; each reported naming the plugin.
 */
class PluginRuntimeErrorsTest {
    @TempDir
    Path work;

    private static final Registered<Object> HUBER = new Registered<>("huber", new Object(), "acme", "1.0",
            PluginRuntimeErrorsTest.class.getClassLoader());

    private static PluginFailureException failure(Supplier<Object> body) {
        return assertThrows(PluginFailureException.class, () -> HUBER.call("exp.yaml", "tasks[0].head", "create()", body));
    }

    @Test
    void anErrorOfThePluginsCodeIsAFailureOfThePlugin() {
        // before: a raw JVM stack trace, "Exception in thread "main" java.lang.StackOverflowError", exit 1, no plugin named
        PluginFailureException overflow = failure(() -> {
            throw new StackOverflowError();
        });
        assertEquals("exp.yaml: tasks[0].head: type 'huber' of plugin acme 1.0 failed in create(): StackOverflowError",
                overflow.getMessage());
        assertFalse(overflow.incompatible());

        PluginFailureException assertion = failure(() -> {
            throw new AssertionError("weights sum to 1");
        });
        assertEquals("exp.yaml: tasks[0].head: type 'huber' of plugin acme 1.0 failed in create(): AssertionError: weights sum to 1",
                assertion.getMessage());
        assertFalse(assertion.incompatible());

        // a static initializer's failure is a LinkageError, but the plugin's bug rather than a plugin built for another API
        PluginFailureException initializer = failure(() -> {
            throw new ExceptionInInitializerError(new IllegalStateException("no licence"));
        });
        assertEquals("exp.yaml: tasks[0].head: type 'huber' of plugin acme 1.0 failed in create(): ExceptionInInitializerError:"
                + " IllegalStateException: no licence (a static initializer of the plugin failed)", initializer.getMessage());
        assertFalse(initializer.incompatible());
        PluginFailureException later = failure(() -> {
            throw new NoClassDefFoundError("Could not initialize class acme.Tables");
        });
        assertEquals("exp.yaml: tasks[0].head: type 'huber' of plugin acme 1.0 failed in create(): NoClassDefFoundError:"
                + " Could not initialize class acme.Tables (a static initializer of the plugin failed)", later.getMessage());
        assertFalse(later.incompatible());
        // a class missing altogether is still the installation's
        assertTrue(failure(() -> {
            throw new NoClassDefFoundError("acme/lib/Helper");
        }).incompatible());
    }

    @Test
    void anOutOfMemoryErrorIsTheJvmsAndPassesUnchanged() {
        OutOfMemoryError oom = new OutOfMemoryError("acme pretend OOM");
        OutOfMemoryError thrown = assertThrows(OutOfMemoryError.class, () -> HUBER.call("exp.yaml", "tasks[0].head", "create()", () -> {
            throw oom;
        }));
        assertSame(oom, thrown);
        InternalError internal = new InternalError("jvm");
        assertSame(internal, assertThrows(InternalError.class, () -> HUBER.call(() -> {
            throw internal;
        })));
    }

    /** Config classes a plugin may get wrong; public, as a plugin's must be. */
    public static final class NoDefault {
        public int delta;

        public NoDefault(int delta) {
            this.delta = delta;
        }
    }

    public static final class TwoArguments {
        public TwoArguments(int a, int b) {}
    }

    public static final class ThrowingConstructor {
        public double delta = 1.0;

        public ThrowingConstructor() {
            throw new IllegalStateException("cfg ctor boom");
        }
    }

    public abstract static class Abstract {
        public double delta = 1.0;
    }

    public static final class ThrowingSetter {
        public void setDelta(double delta) {
            throw new UnsupportedOperationException("not yet");
        }
    }

    public static final class Holder {
        public NoDefault inner;
    }

    /** A validation of the YAML's values in a record's constructor: the user's mistake. */
    public record Checked(double delta) {
        public Checked {
            if (delta <= 0) {
                throw new IllegalArgumentException("delta must be > 0, got " + delta);
            }
        }
    }

    public static final class Plain {
        public double delta = 1.0;
    }

    /** As the assembler binds a type's params: {@code binding its params} inside a call into the plugin. */
    private static Object bind(Map<String, Object> params, Class<?> type) {
        ConfigLoader loader = new ConfigLoader();
        return HUBER.call("exp.yaml", "tasks[0].head", "binding its params", () -> loader.bind(params, type, "exp.yaml", "tasks[0].params"));
    }

    private static String bindFailure(Map<String, Object> params, Class<?> type) {
        PluginFailureException e = assertThrows(PluginFailureException.class, () -> bind(params, type));
        assertFalse(e.incompatible());
        return e.getMessage();
    }

    @Test
    void aConfigClassThatCannotBeCreatedIsTheFailureOfThePluginNotOfTheYaml() {
        String prefix = "exp.yaml: tasks[0].head: the config class " + getClass().getName();
        // before: tasks[0].params: expected NoDefault, got a mapping (exit 2)
        assertEquals(prefix + "$NoDefault of type 'huber' of plugin acme 1.0 cannot be created: no constructor without arguments",
                bindFailure(Map.of("delta", 2), NoDefault.class));
        assertEquals(prefix + "$NoDefault of type 'huber' of plugin acme 1.0 cannot be created: no constructor without arguments",
                bindFailure(Map.of(), NoDefault.class));
        assertEquals(prefix + "$TwoArguments of type 'huber' of plugin acme 1.0 cannot be created: no constructor without arguments",
                bindFailure(Map.of(), TwoArguments.class));
        // before: tasks[0].params: Cannot construct instance of ...ThrowingConstructor, problem: cfg ctor boom (exit 2)
        assertEquals(prefix + "$ThrowingConstructor of type 'huber' of plugin acme 1.0 cannot be created: its constructor threw"
                + " IllegalStateException: cfg ctor boom", bindFailure(Map.of(), ThrowingConstructor.class));
        assertEquals(prefix + "$Abstract of type 'huber' of plugin acme 1.0 cannot be created: it is abstract or an interface",
                bindFailure(Map.of(), Abstract.class));
        assertEquals(prefix + "$ThrowingSetter of type 'huber' of plugin acme 1.0 cannot be created: setting 'delta' threw"
                + " UnsupportedOperationException: not yet", bindFailure(Map.of("delta", 2.0), ThrowingSetter.class));
        // before: tasks[0].params: Unrecognized Type: [null]
        assertEquals("exp.yaml: tasks[0].head: type 'huber' of plugin acme 1.0 has no config class: its configClass() returned null",
                bindFailure(Map.of(), null));
    }

    @Test
    void theYamlsMistakesStayTheYamls() {
        ConfigException unknown = assertThrows(ConfigException.class, () -> bind(Map.of("delt", 2.0), Plain.class));
        assertEquals("exp.yaml: tasks[0].params.delt: unknown field 'delt'; expected one of [delta]", unknown.getMessage());
        ConfigException type = assertThrows(ConfigException.class, () -> bind(Map.of("delta", "big"), Plain.class));
        assertEquals("exp.yaml: tasks[0].params.delta: cannot read 'big' as a number", type.getMessage());
        // a record's check of its values is the YAML's, as today
        ConfigException checked = assertThrows(ConfigException.class, () -> bind(Map.of("delta", -1.0), Checked.class));
        assertTrue(checked.getMessage().startsWith("exp.yaml: tasks[0].params: "), checked.getMessage());
        assertTrue(checked.getMessage().contains("delta must be > 0, got -1.0"), checked.getMessage());
        // a nested value given as a mapping where its class takes a number: the YAML may be what is wrong
        ConfigException nested = assertThrows(ConfigException.class, () -> bind(Map.of("inner", Map.of("delta", 1)), Holder.class));
        assertTrue(nested.getMessage().startsWith("exp.yaml: tasks[0].params.inner: "), nested.getMessage());
        // an InvalidConfigException passes a plugin call unchanged, as ever
        InvalidConfigException own = new InvalidConfigException("delta", "must be > 0");
        assertSame(own, assertThrows(InvalidConfigException.class, () -> HUBER.call(() -> {
            throw own;
        })));
    }

    private static String weighting(String pkg, String cls, String type, String constructorBody) {
        return """
                package %1$s;

                import dev.taskweave.api.model.LossWeighting;
                import dev.taskweave.api.model.LossWeightingFactory;
                import dev.taskweave.api.model.WeightingContext;

                @org.pf4j.Extension
                public final class %2$s implements LossWeightingFactory<%2$s.Config> {
                    public static final class Config {}
                    public %2$s() { %4$s }
                    @Override public String type() { return %3$s; }
                    @Override public Class<Config> configClass() { return Config.class; }
                    @Override public LossWeighting create(Config c, WeightingContext x) { return () -> null; }
                }
                """.formatted(pkg, cls, type, constructorBody);
    }

    private static String metrics(String pkg, String cls, String... names) {
        StringBuilder list = new StringBuilder();
        for (String n : names) {
            list.append(list.isEmpty() ? "" : ", ").append("""
                    new Metric() {
                        @Override public String name() { return "%s"; }
                        @Override public boolean higherIsBetter() { return false; }
                        @Override public double compute(MetricInput in) { return 0; }
                    }""".formatted(n));
        }
        return """
                package %s;

                import dev.taskweave.api.metric.Metric;
                import dev.taskweave.api.metric.MetricInput;
                import dev.taskweave.api.metric.MetricProvider;
                import java.util.List;

                @org.pf4j.Extension
                public final class %s implements MetricProvider {
                    @Override public List<Metric> metrics() { return List.of(%s); }
                }
                """.formatted(pkg, cls, list);
    }

    private Path jar(String dir, String pluginId, Map<String, String> sources) throws Exception {
        Path plugins = work.resolve(dir);
        PluginJars.plugin(work.resolve(dir + "-build"), plugins.resolve(pluginId + "-1.0.0.jar"), pluginId, "1.0.0", sources, Map.of(),
                e -> true);
        return plugins;
    }

    private static PluginRuntime start(Path plugins) {
        return PluginRuntime.start(List.of(plugins), Guice.createInjector(), "0.1.0-SNAPSHOT");
    }

    @Test
    void anErrorInAnExtensionsConstructorLeavesItOutAndTheOthersLoad() throws Exception {
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("acme/Good.java", weighting("acme", "Good", "\"good\"", ""));
        sources.put("acme/Deep.java", weighting("acme", "Deep", "\"deep\"", "if (true) throw new StackOverflowError();"));
        sources.put("acme/Asserts.java", weighting("acme", "Asserts", "\"asserts\"", "if (true) throw new AssertionError(\"never\");"));
        try (PluginRuntime runtime = start(jar("errors", "acme-errors", sources))) {
            assertEquals(List.of("good"), runtime.registry().types(ExtensionKind.WEIGHTING));
            assertEquals(List.of("acme.Asserts: AssertionError: never", "acme.Deep: StackOverflowError"),
                    runtime.registry().failures().stream().map(f -> f.className() + ": " + f.reason()).sorted().toList());
        }
    }

    @Test
    void twoClassesOfOnePluginWithOneTypeNameAreNamed() throws Exception {
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("acme/First.java", weighting("acme", "First", "\"same\"", ""));
        sources.put("acme/Second.java", weighting("acme", "Second", "\"same\"", ""));
        Path plugins = jar("same", "acme-type", sources);
        PluginConflictException e = assertThrows(PluginConflictException.class, () -> start(plugins));
        // before: ... is provided by two plugins: acme-type (.../acme-type-1.0.0.jar) and acme-type (.../acme-type-1.0.0.jar)
        assertEquals("the loss weighting type 'same' is provided by two classes of plugin acme-type 1.0.0 ("
                + plugins.resolve("acme-type-1.0.0.jar") + "): acme.First and acme.Second; each type name may be provided once:"
                + " rename one of them in the plugin (taskweave plugins lists what loaded)", e.getMessage());
    }

    @Test
    void aTypeNameThatIsNoPlainTokenIsAFailedExtension() throws Exception {
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("acme/Good.java", weighting("acme", "Good", "\"huber_2.v1\"", ""));
        sources.put("acme/Spaced.java", weighting("acme", "Spaced", "\" huber2 \"", ""));
        sources.put("acme/Capital.java", weighting("acme", "Capital", "\"Bad Name\"", ""));
        sources.put("acme/Nothing.java", weighting("acme", "Nothing", "null", ""));
        try (PluginRuntime runtime = start(jar("names", "acme-names", sources))) {
            // before: listed as "loss weighting:  huber2 , Bad Name"
            assertEquals(List.of("huber_2.v1"), runtime.registry().types(ExtensionKind.WEIGHTING));
            List<String> failures = runtime.registry().failures().stream().map(ExtensionFailure::toString).sorted().toList();
            String at = " of plugin acme-names 1.0.0 (" + work.resolve("names/acme-names-1.0.0.jar") + ") was not loaded: ";
            assertEquals(List.of(
                    "extension acme.Capital" + at + "its type() 'Bad Name' is not a type name: one word, without spaces or control"
                            + " characters (as in shared-bottom)",
                    "extension acme.Nothing" + at + "its type() returned null",
                    "extension acme.Spaced" + at + "its type() ' huber2 ' is not a type name: one word, without spaces or control"
                            + " characters (as in shared-bottom)"), failures);
        }
    }

    @Test
    void everyBuiltInNameIsATypeOrMetricName() {
        for (String type : List.of("binary", "bpr", "regression", "multiclass", "multilabel", "shared-bottom", "mmoe", "omoe", "ple",
                "cgc", "cross-stitch", "soft-l2", "separate", "fixed", "equal", "uncertainty", "dwa", "rlw", "gradnorm", "pcgrad",
                "cagrad", "mgda-ub", "synthetic", "movielens", "files")) {
            assertEquals(null, ExtensionRegistry.typeNameProblem(type), type);
        }
        for (dev.taskweave.api.metric.Metric m : dev.taskweave.core.metric.BuiltinMetrics.all()) {
            assertEquals(null, ExtensionRegistry.metricNameProblem(m.name()), m.name());
        }
        // what loaded before this check still loads (models trained with it keep loading): capitals, a '.', '--'
        for (String metric : List.of("hr@10", "ndcg@10", "auc_per_user", "mape", "poisson_deviance", "recall-at-5", "NDCG", "recall@0.5")) {
            assertEquals(null, ExtensionRegistry.metricNameProblem(metric), metric);
        }
        for (String type : List.of("MyHead", "a--b", "-huber")) {
            assertEquals(null, ExtensionRegistry.typeNameProblem(type), type);
        }
        for (String bad : List.of("", " mape", "ma pe", "mape\n")) {
            assertTrue(ExtensionRegistry.metricNameProblem(bad) != null, bad);
        }
        for (String bad : List.of("", " huber2 ", "hu ber", "huber\t", "Bad Name")) {
            assertTrue(ExtensionRegistry.typeNameProblem(bad) != null, bad);
        }
    }

    @Test
    void metricNamesAreCheckedAndAClashWithABuiltInSaysTheBuiltInStays() throws Exception {
        Path builtin = jar("rmse", "acme-metrics", Map.of("acme/Metrics.java", metrics("acme", "Metrics", "rmse")));
        PluginConflictException e = assertThrows(PluginConflictException.class, () -> start(builtin));
        // before: the metric 'rmse' is provided by two plugins: the built-in metrics and acme-metrics (...); remove one of them
        assertEquals("the metric 'rmse' of plugin acme-metrics 1.0.0 (" + builtin.resolve("acme-metrics-1.0.0.jar") + ", acme.Metrics)"
                + " has the name of a built-in metric, which a plugin cannot replace; rename the plugin's metric, or remove the plugin"
                + " (taskweave plugins lists what loaded)", e.getMessage());

        Map<String, String> twice = new LinkedHashMap<>();
        twice.put("acme/Metrics.java", metrics("acme", "Metrics", "mape"));
        twice.put("acme/More.java", metrics("acme", "More", "mape"));
        Path same = jar("twice", "acme-twice", twice);
        PluginConflictException both = assertThrows(PluginConflictException.class, () -> start(same));
        assertEquals("the metric 'mape' of plugin acme-twice 1.0.0 (" + same.resolve("acme-twice-1.0.0.jar")
                + ") is provided twice: by acme.Metrics and by acme.More; each metric name may be provided once: rename one of them in the plugin"
                + " (taskweave plugins lists what loaded)", both.getMessage());

        Path named = jar("named", "acme-named", Map.of("acme/Metrics.java", metrics("acme", "Metrics", "mape", " smape ")));
        try (PluginRuntime runtime = start(named)) {
            assertEquals(List.of("mape"), runtime.metrics().stream().map(PluginMetric::name).toList());
            assertEquals(List.of("its metric ' smape ' is not a metric name: one word, without spaces or control characters (as in"
                    + " micro_f1); the metric is not loaded"),
                    runtime.registry().failures().stream().map(ExtensionFailure::reason).toList());
        }
    }

    private record Run(int code, String out, String err) {}

    private static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = TaskweaveCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void thePluginsCommandListsWhatLoadedAndTheClash() throws Exception {
        Path plugins = work.resolve("clash");
        PluginJars.weightingPlugin(work, plugins, "first-plugin", "first.pkg", "same-name", "one");
        PluginJars.weightingPlugin(work, plugins, "second-plugin", "second.pkg", "other-name", "two");
        PluginJars.plugin(work.resolve("third-build"), plugins.resolve("third.jar"), "third-plugin", "1.0.0",
                Map.of("third/Clashing.java", weighting("third", "Clashing", "\"same-name\"", ""), "third/Metrics.java",
                        metrics("third", "Metrics", "rmse", "mape")), Map.of(), e -> true);
        // before: nothing on stdout, exit 2, the clash on stderr
        Run r = cli("--plugins", plugins.toString(), "plugins");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("first-plugin 1.2.3  test plugin first-plugin"), r.out());
        assertTrue(r.out().contains("second-plugin 1.2.3  test plugin second-plugin"), r.out());
        assertTrue(r.out().contains("third-plugin 1.0.0  test plugin third-plugin"), r.out());
        assertTrue(r.out().contains("\nloss weighting:   other-name, same-name\n"), r.out());
        // the plugins are registered by id: the first of two with one type name keeps it
        assertTrue(r.out().contains("first-plugin.jar\n  loss weighting:   same-name\n"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("metric:") && l.contains("mape") && l.contains("rmse")), r.out());
        assertTrue(r.out().contains("\nclash: the loss weighting type 'same-name' is provided by two plugins: first-plugin ("
                + plugins.resolve("first-plugin.jar") + ") and third-plugin (" + plugins.resolve("third.jar") + "); remove one of them\n"),
                r.out());
        assertTrue(r.out().contains("\nclash: the metric 'rmse' of plugin third-plugin 1.0.0 (" + plugins.resolve("third.jar")
                + ", third.Metrics) has the name of a built-in metric, which a plugin cannot replace; rename the plugin's metric, or"
                + " remove the plugin\n"), r.out());
        assertEquals("2 names provided twice (clash above): every other command refuses to start until they are resolved\n", r.err());
        // every other command refuses to start on it, naming both clashes
        Path config = java.nio.file.Files.writeString(work.resolve("exp.yaml"), "seed: 1\n");
        Run check = cli("--plugins", plugins.toString(), "check", "--config", config.toString());
        assertEquals(2, check.code(), check.err());
        assertTrue(check.err().startsWith("taskweave: the loss weighting type 'same-name' is provided by two plugins: "), check.err());
        assertTrue(check.err().contains("; the metric 'rmse' of plugin third-plugin 1.0.0 ("), check.err());
        assertTrue(check.err().endsWith(" (taskweave plugins lists what loaded)\n"), check.err());
    }

    @Test
    void thePluginsCommandListsWhatLoadedAndAPluginIdUsedByTwoFiles() throws Exception {
        Path shipped = work.resolve("shipped");
        Path jar = PluginJars.weightingPlugin(work, shipped, "dup-plugin", "dup.pkg", "dup-name", "one");
        Path dup = java.nio.file.Files.createDirectories(work.resolve("dup"));
        java.nio.file.Files.copy(jar, dup.resolve("copy.jar"));
        String clash = "plugin id 'dup-plugin' is used by two plugin files: " + jar + " and " + dup.resolve("copy.jar")
                + "; remove one of them";
        // before: nothing on stdout, exit 2, only the clash on stderr
        Run r = cli("--plugins", shipped.toString(), "--plugins", dup.toString(), "plugins");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.out().startsWith("dup-plugin 1.2.3  test plugin dup-plugin\n  from " + jar + "\n"), r.out());
        assertTrue(r.out().contains("\nloss weighting:   dup-name\n"), r.out());
        assertTrue(r.out().endsWith("\nclash: " + clash + "\n"), r.out());
        assertEquals("1 name provided twice (clash above): every other command refuses to start until it is resolved\n", r.err());
        // every other command refuses to start on it
        Path config = java.nio.file.Files.writeString(work.resolve("exp.yaml"), "seed: 1\n");
        Run check = cli("--plugins", shipped.toString(), "--plugins", dup.toString(), "check", "--config", config.toString());
        assertEquals(2, check.code(), check.err());
        assertEquals("taskweave: " + clash + " (taskweave plugins lists what loaded)\n", check.err());
    }

    @Test
    void pluginsMayBeGivenAfterTheCommand() throws Exception {
        Path one = work.resolve("one");
        PluginJars.weightingPlugin(work, one, "first-plugin", "first.pkg", "first-name", "one");
        Path two = work.resolve("two");
        PluginJars.weightingPlugin(work, two, "second-plugin", "second.pkg", "second-name", "two");
        // before: taskweave: Unknown options: '--plugins', ... (see --help)
        Run after = cli("plugins", "--plugins", one.toString());
        assertEquals(0, after.code(), after.err());
        assertTrue(after.out().contains("\nloss weighting:   first-name\n"), after.out());
        // given before and after, every directory is read
        Run both = cli("--plugins", one.toString(), "plugins", "--plugins", two.toString());
        assertEquals(0, both.code(), both.err());
        assertTrue(both.out().contains("\nloss weighting:   first-name, second-name\n"), both.out());
        Run missing = cli("plugins", "--plugins", work.resolve("none").toString());
        assertEquals(2, missing.code(), missing.err());
        assertEquals("taskweave: --plugins: plugins directory " + work.resolve("none") + " does not exist\n", missing.err());
    }

    @Test
    void anErrorThatEscapesIsOneLineWithoutVerbose() throws Exception {
        String source = weighting("acme", "Hungry", "\"hungry\"", "").replace("@Override public LossWeighting create",
                "@Override public String description() { throw new OutOfMemoryError(\"acme pretend OOM\"); }\n"
                        + "    @Override public LossWeighting create");
        Path plugins = jar("oom", "acme-oom", Map.of("acme/Hungry.java", source));
        // before: Exception in thread "main" java.lang.OutOfMemoryError: acme pretend OOM, and the JVM's stack trace
        Run r = cli("--plugins", plugins.toString(), "plugins");
        assertEquals(1, r.code(), r.err());
        assertEquals("taskweave: internal error: java.lang.OutOfMemoryError: acme pretend OOM\n"
                + "taskweave: run with --verbose for the stack trace\n", r.err());
        Run verbose = cli("--plugins", plugins.toString(), "plugins", "--verbose");
        assertEquals(1, verbose.code(), verbose.err());
        assertTrue(verbose.err().startsWith("taskweave: internal error: java.lang.OutOfMemoryError: acme pretend OOM\n"
                + "java.lang.OutOfMemoryError: acme pretend OOM\n\tat acme.Hungry.description("), verbose.err());

        // an error of the plugin's own code is the plugin's failure, as its exceptions are
        String deep = weighting("acme", "Deep", "\"deep\"", "").replace("@Override public LossWeighting create",
                "@Override public String description() { throw new StackOverflowError(); }\n    @Override public LossWeighting create");
        Run listed = cli("--plugins", jar("deep", "acme-deep", Map.of("acme/Deep.java", deep)).toString(), "plugins");
        assertEquals(0, listed.code(), listed.err());
        assertTrue(listed.out().contains("    loss weighting deep: (description() failed: java.lang.StackOverflowError)\n"), listed.out());
    }
}
