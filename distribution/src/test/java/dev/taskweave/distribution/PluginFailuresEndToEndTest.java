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
 * under its params like one of validate(), and so is one of a head's createBlock(), naming the
 * plugin too; a DataException of loss() is a data error naming the plugin; check's dry step fails
 * where train's first step or the end of its first epoch would. A real plugin jar is compiled
 * inside the test.
 */
class PluginFailuresEndToEndTest {
    @TempDir
    static Path tmp;

    private static Path plugins;

    private static final String FACTORIES = """
            package acme;

            import dev.taskweave.api.DataException;
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

                /** No constructor without arguments: Jackson cannot make it from the params mapping. */
                public static final class NoDefaultConfig {
                    public double delta;
                    public NoDefaultConfig(double delta) { this.delta = delta; }
                }

                public static final class ThrowingConfig {
                    public ThrowingConfig() { throw new IllegalStateException("cfg ctor boom"); }
                }

                static int deeper(int n) { return deeper(n + 1) + 1; }

                @org.pf4j.Extension
                public static final class OomHead implements TaskHeadFactory<Config> {
                    @Override public String type() { return "oom-head"; }
                    @Override public Class<Config> configClass() { return Config.class; }
                    @Override public TaskHead create(Config c, TaskContext ctx) { throw new OutOfMemoryError("acme pretend OOM"); }
                }

                @org.pf4j.Extension
                public static final class OverflowHead implements TaskHeadFactory<Config> {
                    @Override public String type() { return "overflow-head"; }
                    @Override public Class<Config> configClass() { return Config.class; }
                    @Override public TaskHead create(Config c, TaskContext ctx) { deeper(0); return null; }
                }

                @org.pf4j.Extension
                public static final class AssertHead implements TaskHeadFactory<Config> {
                    @Override public String type() { return "assert-head"; }
                    @Override public Class<Config> configClass() { return Config.class; }
                    @Override public TaskHead create(Config c, TaskContext ctx) { throw new AssertionError("acme invariant broken"); }
                }

                @org.pf4j.Extension
                public static final class NoDefaultHead implements TaskHeadFactory<NoDefaultConfig> {
                    @Override public String type() { return "nodefault-head"; }
                    @Override public Class<NoDefaultConfig> configClass() { return NoDefaultConfig.class; }
                    @Override public TaskHead create(NoDefaultConfig c, TaskContext ctx) { return null; }
                }

                @org.pf4j.Extension
                public static final class NullConfigHead implements TaskHeadFactory<Config> {
                    @Override public String type() { return "nullconfig-head"; }
                    @Override public Class<Config> configClass() { return null; }
                    @Override public TaskHead create(Config c, TaskContext ctx) { return null; }
                }

                @org.pf4j.Extension
                public static final class ThrowingConfigHead implements TaskHeadFactory<ThrowingConfig> {
                    @Override public String type() { return "ctor-head"; }
                    @Override public Class<ThrowingConfig> configClass() { return ThrowingConfig.class; }
                    @Override public TaskHead create(ThrowingConfig c, TaskContext ctx) { return null; }
                }

                /**
                 * A head that fails only once it trains or scores, as {@code mode} says: "loss" throws in loss(),
                 * "refuses" throws an InvalidConfigException there, "scores" returns two columns; any other mode
                 * counts its loss() calls in the system property acme.loss.calls.
                 */
                static TaskHead trainingHead(String mode) {
                    return new TaskHead() {
                        @Override public ai.djl.nn.Block createBlock() { return ai.djl.nn.core.Linear.builder().setUnits(1).build(); }
                        @Override public ai.djl.ndarray.NDArray loss(ai.djl.ndarray.NDArray o, ai.djl.ndarray.NDArray y,
                                ai.djl.ndarray.NDArray m) {
                            if (mode.equals("loss")) {
                                throw new IllegalStateException("acme loss boom");
                            }
                            if (mode.equals("refuses")) {
                                throw new InvalidConfigException("failIn", "acme refuses loss");
                            }
                            if (mode.equals("data")) {
                                throw new DataException("task like", 0, "labels must be 0 or 1, got 4.0");
                            }
                            System.setProperty("acme.loss.calls", String.valueOf(Integer.getInteger("acme.loss.calls", 0) + 1));
                            return o.reshape(-1).sub(y).square().mul(m).sum();
                        }
                        @Override public ai.djl.ndarray.NDArray scores(ai.djl.ndarray.NDArray o) {
                            return mode.equals("scores") ? o.concat(o, 1) : o.reshape(-1);
                        }
                        @Override public List<String> defaultMetrics() { return List.of("rmse"); }
                    };
                }

                public abstract static class TrainingHeadFactory implements TaskHeadFactory<Config> {
                    private final String type;
                    private final String mode;
                    TrainingHeadFactory(String type, String mode) { this.type = type; this.mode = mode; }
                    @Override public String type() { return type; }
                    @Override public Class<Config> configClass() { return Config.class; }
                    @Override public TaskHead create(Config c, TaskContext ctx) { return trainingHead(mode); }
                }

                @org.pf4j.Extension
                public static final class LossBoomHead extends TrainingHeadFactory {
                    public LossBoomHead() { super("loss-boom", "loss"); }
                }

                @org.pf4j.Extension
                public static final class RefusesLossHead extends TrainingHeadFactory {
                    public RefusesLossHead() { super("refuses-loss", "refuses"); }
                }

                @org.pf4j.Extension
                public static final class DataLossHead extends TrainingHeadFactory {
                    public DataLossHead() { super("data-loss", "data"); }
                }

                public static final class TowerConfig {
                    public List<Integer> tower = List.of(16);
                    public TowerConfig() {}
                }

                /** A head whose createBlock() refuses a tower layer wider than 32. */
                @org.pf4j.Extension
                public static final class RefusesBlockHead implements TaskHeadFactory<TowerConfig> {
                    @Override public String type() { return "refuses-block"; }
                    @Override public Class<TowerConfig> configClass() { return TowerConfig.class; }
                    @Override public TaskHead create(TowerConfig c, TaskContext ctx) {
                        TaskHead head = trainingHead("count");
                        return new TaskHead() {
                            @Override public ai.djl.nn.Block createBlock() {
                                for (int i = 0; i < c.tower.size(); i++) {
                                    if (c.tower.get(i) > 32) {
                                        throw new InvalidConfigException("tower[" + i + "]", "must be at most 32 for this head");
                                    }
                                }
                                return head.createBlock();
                            }
                            @Override public ai.djl.ndarray.NDArray loss(ai.djl.ndarray.NDArray o, ai.djl.ndarray.NDArray y,
                                    ai.djl.ndarray.NDArray m) { return head.loss(o, y, m); }
                            @Override public ai.djl.ndarray.NDArray scores(ai.djl.ndarray.NDArray o) { return head.scores(o); }
                            @Override public List<String> defaultMetrics() { return List.of("rmse"); }
                        };
                    }
                }

                /** A weighting (the sum of the present tasks' losses) whose epochEnded() throws. */
                @org.pf4j.Extension
                public static final class EpochBoomWeighting implements LossWeightingFactory<Config> {
                    @Override public String type() { return "epoch-boom"; }
                    @Override public Class<Config> configClass() { return Config.class; }
                    @Override public LossWeighting create(Config c, WeightingContext ctx) {
                        return new LossWeighting() {
                            @Override public ai.djl.nn.Block createBlock() {
                                return new ai.djl.nn.LambdaBlock(
                                        in -> new ai.djl.ndarray.NDList(in.get(0).mul(in.get(1)).sum(), in.get(1)));
                            }
                            @Override public void epochEnded(int epoch, double[] losses) {
                                throw new IllegalStateException("acme epoch boom");
                            }
                        };
                    }
                }

                /** Hands the encoded input to every task; its gates() throws. */
                public static final class GatesBoom extends ai.djl.nn.LambdaBlock implements GatedBlock {
                    public GatesBoom(int tasks) {
                        super(x -> {
                            ai.djl.ndarray.NDList out = new ai.djl.ndarray.NDList();
                            for (int t = 0; t < tasks; t++) {
                                out.add(x.singletonOrThrow());
                            }
                            return out;
                        });
                    }
                    @Override public ai.djl.ndarray.NDList gates(ai.djl.training.ParameterStore ps, ai.djl.ndarray.NDArray input) {
                        throw new IllegalStateException("acme gates boom");
                    }
                }

                @org.pf4j.Extension
                public static final class GatesBoomSharing implements SharingStrategyFactory<Config> {
                    @Override public String type() { return "gates-boom"; }
                    @Override public Class<Config> configClass() { return Config.class; }
                    @Override public SharingStrategy create(Config c, SharingContext ctx) {
                        return SharingStrategy.of(() -> new GatesBoom(ctx.tasks().size()), ctx.inputWidth());
                    }
                }

                @org.pf4j.Extension
                public static final class WideScoresHead extends TrainingHeadFactory {
                    public WideScoresHead() { super("wide-scores", "scores"); }
                }

                @org.pf4j.Extension
                public static final class CountingHead extends TrainingHeadFactory {
                    public CountingHead() { super("counting", "count"); }
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

    /** A plugin's failure names the line of the path that chose the type too (line 9: tasks[1], as head() writes it). */
    @Test
    void aHeadsOwnExceptionNamesThePluginTheTypeAndThePath() throws IOException {
        CliTest.Run r = check("throws.yaml", head("throws-head"));
        assertEquals(1, r.code(), r.err());
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("taskweave: "), r.err());
        assertTrue(first.endsWith("throws.yaml:9: tasks[1].head: type 'throws-head' of plugin acme-mtl 1.0.0 failed in create(): "
                + "IllegalStateException: licence server unreachable"), r.err());
        assertFalse(r.err().contains("internal error"), r.err());
    }

    @Test
    void aFailureOfEncodeLabelOrANullHeadNamesThePluginNotAnInternalError() throws IOException {
        // before: "taskweave: internal error: java.lang.IllegalStateException: boom in encode", and a NullPointerException
        CliTest.Run r = check("encode.yaml", head("encode-throws"));
        assertEquals(1, r.code(), r.err());
        assertEquals("taskweave: " + tmp.resolve("encode.yaml") + ":9: tasks[1].head: type 'encode-throws' of plugin acme-mtl 1.0.0"
                + " failed in encodeLabel(): IllegalStateException: boom in encode", r.err().lines().findFirst().orElse(""), r.err());
        r = check("null.yaml", head("null-head"));
        assertEquals(1, r.code(), r.err());
        assertEquals("taskweave: " + tmp.resolve("null.yaml") + ":9: tasks[1].head: type 'null-head' of plugin acme-mtl 1.0.0"
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

    /** Before: the JVM's "Exception in thread "main" java.lang.StackOverflowError" and its trace, exit 1, no plugin named. */
    @Test
    void anErrorOfThePluginsCodeNamesThePlugin() throws IOException {
        CliTest.Run overflow = check("overflow.yaml", head("overflow-head"));
        assertEquals(1, overflow.code(), overflow.err());
        assertTrue(overflow.err().endsWith("overflow.yaml:9: tasks[1].head: type 'overflow-head' of plugin acme-mtl 1.0.0 failed in"
                + " create(): StackOverflowError\ntaskweave: run with --verbose for the plugin's stack trace\n"), overflow.err());
        assertFalse(overflow.err().contains("\tat "), overflow.err());

        CliTest.Run assertion = check("assert.yaml", head("assert-head"));
        assertEquals(1, assertion.code(), assertion.err());
        assertTrue(assertion.err().contains("assert.yaml:9: tasks[1].head: type 'assert-head' of plugin acme-mtl 1.0.0 failed in"
                + " create(): AssertionError: acme invariant broken\n"), assertion.err());
    }

    /** An OutOfMemoryError is the JVM's, whoever allocated last: an internal error, in one line without --verbose. */
    @Test
    void anOutOfMemoryErrorIsAnInternalErrorInOneLine() throws IOException {
        CliTest.Run r = check("oom.yaml", head("oom-head"));
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().endsWith("taskweave: internal error: java.lang.OutOfMemoryError: acme pretend OOM\n"
                + "taskweave: run with --verbose for the stack trace\n"), r.err());
        assertFalse(r.err().contains("Exception in thread") || r.err().contains("\tat "), r.err());
        Path file = tmp.resolve("oom.yaml");
        CliTest.Run verbose = run("check", "--config", file.toString(), "--verbose");
        assertEquals(1, verbose.code(), verbose.err());
        assertTrue(verbose.err().contains("\tat acme.Factories$OomHead.create("), verbose.err());
    }

    /** A config class Jackson cannot make is the plugin's bug, not a mistake in the YAML (before: exit 2, the plugin not named). */
    @Test
    void aConfigClassThatCannotBeCreatedNamesThePluginAndTheClass() throws IOException {
        // before: tasks[1].params: expected NoDefaultConfig, got a mapping
        CliTest.Run noDefault = check("nodefault.yaml", head("nodefault-head"));
        assertEquals(1, noDefault.code(), noDefault.err());
        assertTrue(noDefault.err().startsWith("taskweave: " + tmp.resolve("nodefault.yaml") + ":9: tasks[1].head: the config class"
                + " acme.Factories$NoDefaultConfig of type 'nodefault-head' of plugin acme-mtl 1.0.0 cannot be created: no constructor"
                + " without arguments\n"), noDefault.err());
        // before: tasks[1].params: Unrecognized Type: [null]
        CliTest.Run nullConfig = check("nullconfig.yaml", head("nullconfig-head"));
        assertEquals(1, nullConfig.code(), nullConfig.err());
        assertTrue(nullConfig.err().startsWith("taskweave: " + tmp.resolve("nullconfig.yaml") + ":9: tasks[1].head: type 'nullconfig-head'"
                + " of plugin acme-mtl 1.0.0 has no config class: its configClass() returned null\n"), nullConfig.err());
        // before: tasks[1].params: Cannot construct instance of `acme.Factories$ThrowingConfig`, problem: cfg ctor boom
        CliTest.Run ctor = check("ctor.yaml", head("ctor-head"));
        assertEquals(1, ctor.code(), ctor.err());
        assertTrue(ctor.err().startsWith("taskweave: " + tmp.resolve("ctor.yaml") + ":9: tasks[1].head: the config class"
                + " acme.Factories$ThrowingConfig of type 'ctor-head' of plugin acme-mtl 1.0.0 cannot be created: its constructor threw"
                + " IllegalStateException: cfg ctor boom\n"), ctor.err());
        // a mistake in the YAML stays one (exit 2, at its path)
        CliTest.Run unknown = check("unknown.yaml", head("throws-head").replace("head: throws-head, label: rating",
                "head: throws-head, label: rating, params: {tower: [4]}"));
        assertEquals(2, unknown.code(), unknown.err());
        assertTrue(unknown.err().contains("tasks[1].params.tower: unknown field 'tower'; expected one of []"), unknown.err());
    }

    /** Before: check passed (exit 0), and train failed at its first step. */
    @Test
    void checksDryStepFailsWhereTrainWouldWithTheSameMessage() throws IOException {
        CliTest.Run r = check("lossboom.yaml", head("loss-boom"));
        assertEquals(1, r.code(), r.err());
        String failure = "taskweave: " + tmp.resolve("lossboom.yaml") + ":9: tasks[1].head: type 'loss-boom' of plugin acme-mtl 1.0.0"
                + " failed in loss(): IllegalStateException: acme loss boom";
        assertEquals(failure, r.err().lines().findFirst().orElse(""), r.err());
        CliTest.Run train = run("train", "--config", tmp.resolve("lossboom.yaml").toString(), "--output", tmp.resolve("lossboom").toString());
        assertEquals(1, train.code(), train.err());
        assertEquals(failure, train.err().lines().findFirst().orElse(""), train.err());

        // the batch's 128 rows (training.batchSize) scored as evaluation scores them
        r = check("widescores.yaml", head("wide-scores"));
        assertEquals(1, r.code(), r.err());
        assertEquals("taskweave: " + tmp.resolve("widescores.yaml") + ":9: tasks[1].head: type 'wide-scores' of plugin acme-mtl 1.0.0"
                + " failed in scores(): must return shape (128) for a head of one output (outputWidth() 1), got (128, 2)",
                r.err().lines().findFirst().orElse(""), r.err());
    }

    /**
     * Before: "taskweave: failIn: acme refuses loss", exit 2, as if the YAML had a field failIn: the
     * experiment was accepted when the head was made, and what its loss() refuses is the plugin's to explain.
     */
    @Test
    void anInvalidConfigExceptionOfLossNamesTheFileThePathAndThePlugin() throws IOException {
        CliTest.Run r = check("refuses.yaml", head("refuses-loss"));
        assertEquals(1, r.code(), r.err());
        assertEquals("taskweave: " + tmp.resolve("refuses.yaml") + ":9: tasks[1].head: type 'refuses-loss' of plugin acme-mtl 1.0.0"
                + " failed in loss(): InvalidConfigException: failIn: acme refuses loss", r.err().lines().findFirst().orElse(""), r.err());
    }

    /** Before: "taskweave: tower[1]: must be at most 32 for this head", exit 2, naming neither the file, the params nor the plugin. */
    @Test
    void anInvalidConfigExceptionOfAHeadsCreateBlockIsPutUnderItsParamsAndNamesThePlugin() throws IOException {
        CliTest.Run r = check("refusesblock.yaml", head("refuses-block").replace("head: refuses-block, label: rating}",
                "head: refuses-block, label: rating, params: {tower: [16, 64]}}"));
        assertEquals(2, r.code(), r.err());
        assertEquals("taskweave: " + tmp.resolve("refusesblock.yaml") + ":9: tasks[1].params.tower[1]: must be at most 32 for this head"
                + " (type 'refuses-block' of plugin acme-mtl 1.0.0, in createBlock())", r.err().lines().findFirst().orElse(""), r.err());
    }

    /**
     * Before: "taskweave: task like: labels must be 0 or 1, got 4.0" (exit 2), naming neither the
     * file, the task's head nor the plugin; still a data error, exit 2, at check and at train.
     */
    @Test
    void aDataExceptionOfLossIsADataErrorThatNamesThePlugin() throws IOException {
        CliTest.Run r = check("dataloss.yaml", head("data-loss"));
        assertEquals(2, r.code(), r.err());
        String failure = "taskweave: " + tmp.resolve("dataloss.yaml") + ":9: tasks[1].head: type 'data-loss' of plugin acme-mtl 1.0.0"
                + " failed in loss(): DataException: task like: labels must be 0 or 1, got 4.0";
        assertEquals(failure, r.err().lines().findFirst().orElse(""), r.err());
        CliTest.Run train = run("train", "--config", tmp.resolve("dataloss.yaml").toString(), "--output",
                tmp.resolve("dataloss").toString());
        assertEquals(2, train.code(), train.err());
        assertEquals(failure, train.err().lines().findFirst().orElse(""), train.err());
    }

    /**
     * Before: check passed (exit 0), and train failed once its first epoch ended; and a sharing
     * block's failure named no line ("sharing.yaml: sharing.type: ...").
     */
    @Test
    void checksDryStepFailsWhereTheEndOfTrainsFirstEpochWouldWithTheSameMessage() throws IOException {
        CliTest.Run r = check("epochboom.yaml", EndToEndTest.CONFIG.replace("weighting: {type: uncertainty}",
                "weighting: {type: epoch-boom}"));
        assertEquals(1, r.code(), r.err());
        String failure = "taskweave: " + tmp.resolve("epochboom.yaml") + ":12: weighting.type: type 'epoch-boom' of plugin acme-mtl 1.0.0"
                + " failed in epochEnded(): IllegalStateException: acme epoch boom";
        assertEquals(failure, r.err().lines().findFirst().orElse(""), r.err());
        CliTest.Run train = run("train", "--config", tmp.resolve("epochboom.yaml").toString(), "--output",
                tmp.resolve("epochboom").toString());
        assertEquals(1, train.code(), train.err());
        assertEquals(failure, train.err().lines().findFirst().orElse(""), train.err());

        r = check("gatesboom.yaml", EndToEndTest.CONFIG.replace("sharing: {type: mmoe, params: {experts: 3, expertLayers: [32, 16]}}",
                "sharing: {type: gates-boom}"));
        assertEquals(1, r.code(), r.err());
        failure = "taskweave: " + tmp.resolve("gatesboom.yaml") + ":11: sharing.type: type 'gates-boom' of plugin acme-mtl 1.0.0 failed in"
                + " its block's gates(): IllegalStateException: acme gates boom";
        assertEquals(failure, r.err().lines().findFirst().orElse(""), r.err());
        train = run("train", "--config", tmp.resolve("gatesboom.yaml").toString(), "--output", tmp.resolve("gatesboom").toString());
        assertEquals(1, train.code(), train.err());
        assertEquals(failure, train.err().lines().findFirst().orElse(""), train.err());
    }

    /** check runs one step; the checks benchmark and tune make before training run none (they precede training in one process). */
    @Test
    void onlyTheCheckCommandRunsADryStep() throws Exception {
        Path experiment = tmp.resolve("counting.yaml");
        Files.writeString(experiment, head("counting"));
        int before = Integer.getInteger("acme.loss.calls", 0);
        CliTest.Run r = run("check", "--config", experiment.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\ndry step: one batch of 128 training rows through forward, losses, backward, scores, metrics, gradient"
                + " telemetry, gate usage and the weighting's epoch end: ok\nwarnings:"), r.out());
        // the step's, and the gradient telemetry's (a backward pass per task) as training's first epoch ends
        assertEquals(before + 2, Integer.getInteger("acme.loss.calls", 0), "two loss() calls of the counting task");

        before = Integer.getInteger("acme.loss.calls", 0);
        Path suite = tmp.resolve("counting-suite.yaml");
        Files.writeString(suite, "name: counting\nseeds: [1, 2]\nconfigurations:\n  - {name: a, experiment: counting.yaml}\n");
        Path tune = tmp.resolve("counting-tune.yaml");
        Files.writeString(tune, "name: counting\nexperiment: counting.yaml\nobjective: valid.rating.rmse\nsearch: grid\nseeds: [1]\n"
                + "parameters:\n  optimizer.learningRate: [0.001, 0.005]\n");
        try (dev.taskweave.core.Taskweave taskweave = dev.taskweave.core.Taskweave.start(List.of(Dist.plugins(), plugins))) {
            dev.taskweave.bench.Suite loaded = dev.taskweave.bench.Suite.load(suite, new dev.taskweave.core.config.ConfigLoader());
            new dev.taskweave.bench.BenchmarkRunner(taskweave).checkExperiments(loaded, loaded.config().seeds, false);
            // the library's check runs none unless asked
            assertFalse(taskweave.check(experiment, new PrintStream(OutputStream.nullOutputStream())).contains("dry step"));
        }
        CliTest.Run dryRun = run("tune", "--config", tune.toString(), "--dry-run");
        assertEquals(0, dryRun.code(), dryRun.err());
        assertEquals(before, Integer.getInteger("acme.loss.calls", 0), "no loss() call");
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
