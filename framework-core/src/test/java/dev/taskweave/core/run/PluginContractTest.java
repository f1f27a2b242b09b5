package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import dev.taskweave.api.DataException;
import dev.taskweave.api.ExtensionFactory;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.api.metric.Metric;
import dev.taskweave.api.metric.MetricInput;
import dev.taskweave.api.model.LabelStatistics;
import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.LossWeightingFactory;
import dev.taskweave.api.model.SharingContext;
import dev.taskweave.api.model.SharingStrategy;
import dev.taskweave.api.model.SharingStrategyFactory;
import dev.taskweave.api.model.TaskContext;
import dev.taskweave.api.model.TaskHead;
import dev.taskweave.api.model.TaskHeadFactory;
import dev.taskweave.api.model.WeightingContext;
import dev.taskweave.api.nn.Scalars;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.data.FeatureGatherer;
import dev.taskweave.core.metric.MetricRegistry;
import dev.taskweave.core.plugin.ExtensionKind;
import dev.taskweave.core.plugin.ExtensionRegistry;
import dev.taskweave.core.plugin.PluginFailureException;
import dev.taskweave.core.plugin.PluginMetric;
import dev.taskweave.core.plugin.Registered;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Third-party heads, sharing strategies, weightings and metrics that break the API's contract
 * (throw where the runtime used not to guard them, return null, return arrays of another shape, a
 * loss that is not finite) are reported as failures of their plugin, naming the plugin, the type,
 * the method and the config path, or, for a loss that is not finite, warned about once.
 */
class PluginContractTest {
    private static final String PLUGIN = "acme-mtl";
    private static final String VERSION = "1.0.0";
    private static final String FILE = "exp.yaml";
    private static final int TRAIN_ROWS = 200;
    private static final int VALID_ROWS = 50;

    /** What a test head does wrong. */
    private enum Mode {
        GOOD, NULL_HEAD, ENCODE_THROWS, ENCODE_REFUSES, NEGATIVES_THROW, NULL_BLOCK, VECTOR_LOSS, LOSS_THROWS, WIDE_SCORES,
        SHORT_SCORES, SHORT_OUTPUT, NAN_LOSS, NAN_AT_ONCE, REFUSES_LOSS, REFUSES_SCORES, ENCODE_LOADER, REFUSES_BLOCK, REFUSES_INIT,
        REFUSES_WARNINGS, REFUSES_ENCODE, DATA_LOSS;

        String type() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** Calls of every test head's loss() and scores() that got past their failures. */
    private static final AtomicInteger LOSS_CALLS = new AtomicInteger();
    private static final AtomicInteger SCORE_CALLS = new AtomicInteger();

    private static final class Head implements TaskHead {
        private final Mode mode;
        private final AtomicInteger losses = new AtomicInteger();

        Head(Mode mode) {
            this.mode = mode;
        }

        @Override
        public Block createBlock() {
            if (mode == Mode.NULL_BLOCK) {
                return null;
            }
            if (mode == Mode.REFUSES_BLOCK) {
                throw new dev.taskweave.api.InvalidConfigException("tower[1]", "must be at most 8 for this head");
            }
            if (mode == Mode.REFUSES_INIT) {
                return new RefusesInitialize("units", "must divide the input width");
            }
            Block linear = Linear.builder().setUnits(1).build();
            if (mode != Mode.SHORT_OUTPUT) {
                return linear;
            }
            // the first row only: an output of another batch size than its input's
            return new SequentialBlock().add(linear).add(new LambdaBlock(x -> new NDList(x.singletonOrThrow().get(new NDIndex("0:1")))));
        }

        @Override
        public NDArray loss(NDArray output, NDArray labels, NDArray mask) {
            if (mode == Mode.LOSS_THROWS) {
                throw new IllegalStateException("boom in loss");
            }
            if (mode == Mode.REFUSES_LOSS) {
                throw new dev.taskweave.api.InvalidConfigException("failIn", "acme refuses loss");
            }
            if (mode == Mode.DATA_LOSS) {
                throw new DataException("task rating", 0, "labels must be whole counts, got 2.5");
            }
            LOSS_CALLS.incrementAndGet();
            NDArray perRow = output.reshape(-1).sub(labels).square().mul(mask);
            if (mode == Mode.VECTOR_LOSS) {
                return perRow;
            }
            NDArray mean = perRow.sum().div(Scalars.maximum(mask.sum(), 1));
            if (mode == Mode.NAN_LOSS && losses.incrementAndGet() >= 3 || mode == Mode.NAN_AT_ONCE) {
                return Scalars.mul(mean, Float.NaN);
            }
            return mean;
        }

        @Override
        public NDArray scores(NDArray output) {
            if (mode == Mode.REFUSES_SCORES) {
                throw new dev.taskweave.api.InvalidConfigException("failIn", "acme refuses scores");
            }
            SCORE_CALLS.incrementAndGet();
            NDArray flat = output.reshape(-1);
            if (mode == Mode.WIDE_SCORES) {
                return output.concat(output, 1);
            }
            if (mode == Mode.SHORT_SCORES) {
                return flat.get(new NDIndex("1:"));
            }
            return flat;
        }

        @Override
        public float encodeLabel(float raw) {
            if (mode == Mode.ENCODE_LOADER) {
                ENCODE_LOADERS.add(Thread.currentThread().getContextClassLoader());
            }
            if (mode == Mode.ENCODE_THROWS) {
                throw new IllegalStateException("boom in encode");
            }
            if (mode == Mode.REFUSES_ENCODE) {
                throw new dev.taskweave.api.InvalidConfigException("threshold", "must lie between the lowest and the highest label");
            }
            if (mode == Mode.ENCODE_REFUSES && raw > 4) {
                throw new IllegalArgumentException("ratings above 4 are not supported");
            }
            return raw;
        }

        @Override
        public int negativesPerPositive() {
            if (mode == Mode.NEGATIVES_THROW) {
                throw new IllegalStateException("boom in negatives");
            }
            return 0;
        }

        @Override
        public List<String> defaultMetrics() {
            return List.of("rmse");
        }
    }

    private abstract static class Factory<C> implements ExtensionFactory<Object> {
        private final String type;

        Factory(String type) {
            this.type = type;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public Class<Object> configClass() {
            return Object.class;
        }
    }

    private static final class HeadFactory extends Factory<Object> implements TaskHeadFactory<Object> {
        private final Mode mode;

        HeadFactory(Mode mode) {
            super(mode.type());
            this.mode = mode;
        }

        @Override
        public TaskHead create(Object config, TaskContext context) {
            return mode == Mode.NULL_HEAD ? null : new Head(mode);
        }

        @Override
        public List<String> warnings(Object config, TaskContext context) {
            if (mode == Mode.REFUSES_WARNINGS) {
                throw new dev.taskweave.api.InvalidConfigException("minScore", "must be below every training label");
            }
            return List.of();
        }
    }

    /** A block that refuses its input shape when it is initialised, with an {@code InvalidConfigException} of {@code path}. */
    private static final class RefusesInitialize extends LambdaBlock {
        private final String path;
        private final String reason;

        RefusesInitialize(String path, String reason) {
            super(x -> x);
            this.path = path;
            this.reason = reason;
        }

        @Override
        public void initialize(NDManager manager, ai.djl.ndarray.types.DataType dataType, ai.djl.ndarray.types.Shape... inputShapes) {
            throw new dev.taskweave.api.InvalidConfigException(path, reason);
        }
    }

    /** Calls of the gated sharing blocks' gates(). */
    private static final AtomicInteger GATE_CALLS = new AtomicInteger();

    /** Hands the encoded input to every task, with two gates of weight 0.5 each; {@code throwing} throws when asked for them. */
    private static class Gated extends LambdaBlock implements dev.taskweave.api.model.GatedBlock {
        private final int tasks;
        private final boolean throwing;

        Gated(int tasks, boolean throwing) {
            super(x -> {
                NDList out = new NDList();
                for (int t = 0; t < tasks; t++) {
                    out.add(x.singletonOrThrow());
                }
                return out;
            });
            this.tasks = tasks;
            this.throwing = throwing;
        }

        @Override
        public NDList gates(ai.djl.training.ParameterStore parameterStore, NDArray input) {
            if (throwing) {
                throw new IllegalStateException("boom in gates");
            }
            GATE_CALLS.incrementAndGet();
            NDList gates = new NDList();
            for (int t = 0; t < tasks; t++) {
                gates.add(input.getManager().full(new ai.djl.ndarray.types.Shape(input.getShape().get(0), 2), 0.5f));
            }
            return gates;
        }
    }

    /** Hands the encoded input to every task; {@code null-sharing} creates nothing, {@code null-block-sharing} no block. */
    private static final class SharingFactory extends Factory<Object> implements SharingStrategyFactory<Object> {
        SharingFactory(String type) {
            super(type);
        }

        @Override
        public SharingStrategy create(Object config, SharingContext context) {
            if (type().equals("null-sharing")) {
                return null;
            }
            int tasks = context.tasks().size();
            if (type().equals("narrow-sharing")) {
                // says 3 values per row, hands 2 to each task
                return SharingStrategy.of(() -> new LambdaBlock(x -> {
                    NDList out = new NDList();
                    for (int t = 0; t < tasks; t++) {
                        out.add(x.singletonOrThrow().get(new NDIndex(":, 0:2")));
                    }
                    return out;
                }), 3);
            }
            if (type().equals("aux-throws-sharing")) {
                return SharingStrategy.of(() -> new AuxiliaryThrows(tasks), context.inputWidth());
            }
            if (type().equals("refuses-block-sharing")) {
                return SharingStrategy.of(() -> {
                    throw new dev.taskweave.api.InvalidConfigException("experts", "must be at most 4");
                }, context.inputWidth());
            }
            if (type().equals("refuses-init-sharing")) {
                // an empty path: the type as a whole
                return SharingStrategy.of(() -> new RefusesInitialize("", "needs an input at least 16 wide"), context.inputWidth());
            }
            if (type().equals("gated-sharing") || type().equals("gates-throw-sharing")) {
                return SharingStrategy.of(() -> new Gated(tasks, type().equals("gates-throw-sharing")), context.inputWidth());
            }
            if (type().equals("gates-short-sharing")) {
                // one gate fewer than the tasks
                return SharingStrategy.of(() -> new Gated(tasks, false) {
                    @Override
                    public NDList gates(ai.djl.training.ParameterStore parameterStore, NDArray input) {
                        NDList all = super.gates(parameterStore, input);
                        return new NDList(all.subList(0, all.size() - 1));
                    }
                }, context.inputWidth());
            }
            return SharingStrategy.of(() -> type().equals("null-block-sharing") ? null : new LambdaBlock(x -> {
                NDList out = new NDList();
                for (int t = 0; t < tasks; t++) {
                    out.add(x.singletonOrThrow());
                }
                return out;
            }), context.inputWidth());
        }
    }

    /** Hands the encoded input to every task, and throws when asked for its auxiliary loss. */
    private static final class AuxiliaryThrows extends LambdaBlock implements dev.taskweave.api.model.AuxiliaryLoss {
        AuxiliaryThrows(int tasks) {
            super(x -> {
                NDList out = new NDList();
                for (int t = 0; t < tasks; t++) {
                    out.add(x.singletonOrThrow());
                }
                return out;
            });
        }

        @Override
        public NDArray auxiliaryLoss(ai.djl.training.ParameterStore parameterStore, boolean training) {
            throw new IllegalStateException("boom in auxiliaryLoss");
        }
    }

    /** The sum of the present tasks' losses; {@code nan-weighting} makes it NaN from its third step on. */
    private static final class WeightingFactory extends Factory<Object> implements LossWeightingFactory<Object> {
        WeightingFactory(String type) {
            super(type);
        }

        @Override
        public LossWeighting create(Object config, WeightingContext context) {
            if (type().equals("null-weighting")) {
                return null;
            }
            AtomicInteger steps = new AtomicInteger();
            if (type().equals("null-combiner")) {
                return new NullCombiner();
            }
            if (type().equals("preview-throws")) {
                return new PreviewThrows();
            }
            if (type().equals("refuses-block-weighting")) {
                return () -> {
                    throw new dev.taskweave.api.InvalidConfigException("tasks[0]", "expected a task of the experiment");
                };
            }
            if (type().equals("epoch-throws") || type().equals("epoch-records")) {
                return new EpochEnds(type().equals("epoch-throws"));
            }
            if (type().startsWith("state-")) {
                return new States(type());
            }
            return () -> new LambdaBlock(in -> {
                NDArray losses = in.get(0);
                NDArray present = in.get(1);
                NDArray total = losses.mul(present).sum();
                if (type().equals("nan-weighting") && steps.incrementAndGet() >= 3) {
                    total = Scalars.mul(total, Float.NaN);
                }
                if (type().equals("total-only-weighting")) {
                    return new NDList(total);
                }
                return new NDList(total, present);
            });
        }
    }

    /** A gradient combiner's loss block: the sum of the present tasks' losses, each weighed 1. */
    private abstract static class Combiner implements LossWeighting, dev.taskweave.api.model.GradientCombiner {
        @Override
        public Block createBlock() {
            return new LambdaBlock(in -> new NDList(in.get(0).mul(in.get(1)).sum(), in.get(1)));
        }
    }

    /** What the {@code epoch-records} weighting's epochEnded() was called with: the epoch, then the losses. */
    private static final List<double[]> EPOCHS_ENDED = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** The sum of the present tasks' losses, whose epochEnded() throws or records its arguments. */
    private static final class EpochEnds implements LossWeighting {
        private final boolean throwing;

        EpochEnds(boolean throwing) {
            this.throwing = throwing;
        }

        @Override
        public Block createBlock() {
            return new LambdaBlock(in -> new NDList(in.get(0).mul(in.get(1)).sum(), in.get(1)));
        }

        @Override
        public void epochEnded(int epoch, double[] meanLossPerTask) {
            if (throwing) {
                throw new IllegalStateException("boom in epochEnded");
            }
            double[] call = new double[1 + meanLossPerTask.length];
            call[0] = epoch;
            System.arraycopy(meanLossPerTask, 0, call, 1, meanLossPerTask.length);
            EPOCHS_ENDED.add(call);
        }
    }

    /**
     * The sum of the present tasks' losses, with a state: one number ({@code state-kept}), one that
     * cannot be saved ({@code state-throws}), or one its loadState() cannot read ({@code state-unreadable}).
     */
    private static final class States implements LossWeighting, dev.taskweave.api.model.StatefulWeighting {
        private final String type;

        States(String type) {
            this.type = type;
        }

        @Override
        public Block createBlock() {
            return new LambdaBlock(in -> new NDList(in.get(0).mul(in.get(1)).sum(), in.get(1)));
        }

        @Override
        public void saveState(java.io.DataOutputStream out) throws java.io.IOException {
            if (type.equals("state-throws")) {
                throw new IllegalStateException("boom in saveState");
            }
            out.writeInt(7);
        }

        @Override
        public void loadState(java.io.DataInputStream in) throws java.io.IOException {
            if (type.equals("state-unreadable")) {
                in.readLong(); // eight bytes where saveState() wrote four
            } else {
                assertEquals(7, in.readInt());
            }
        }
    }

    /** A gradient combiner whose combine() returns null. */
    private static final class NullCombiner extends Combiner {
        @Override
        public Combined combine(float[][] gradients, float[] losses) {
            return null;
        }
    }

    /** A gradient combiner that sums the task gradients, and whose preview() (read by the telemetry) throws. */
    private static final class PreviewThrows extends Combiner {
        @Override
        public Combined combine(float[][] gradients, float[] losses) {
            float[] sum = null;
            float[] weights = new float[gradients.length];
            for (int t = 0; t < gradients.length; t++) {
                if (gradients[t] != null) {
                    sum = sum == null ? gradients[t].clone() : sum;
                    weights[t] = 1;
                }
            }
            return new Combined(sum, weights);
        }

        @Override
        public float[] preview(float[][] gradients, float[] losses) {
            throw new IllegalStateException("boom in preview");
        }
    }

    /** A metric of a plugin whose compute() throws. */
    private static final Metric BOOM = new Metric() {
        @Override
        public String name() {
            return "boom";
        }

        @Override
        public boolean higherIsBetter() {
            return false;
        }

        @Override
        public double compute(MetricInput input) {
            throw new IllegalStateException("boom in compute");
        }
    };

    /** Calls of the {@code counted} metric's compute(), with the rows it was given. */
    private static final List<Integer> COUNTED = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A metric of a plugin that records how many labelled rows each compute() was given. */
    private static final Metric COUNT = new Metric() {
        @Override
        public String name() {
            return "counted";
        }

        @Override
        public boolean higherIsBetter() {
            return false;
        }

        @Override
        public double compute(MetricInput input) {
            COUNTED.add(input.labels().length);
            return 0;
        }
    };

    /** The context class loaders {@code encode-loader}'s encodeLabel() ran with. */
    private static final java.util.Set<ClassLoader> ENCODE_LOADERS = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The class loader {@code encode-loader} is registered with: its plugin's own. */
    private static final ClassLoader OWN_LOADER = new java.net.URLClassLoader(new java.net.URL[0],
            PluginContractTest.class.getClassLoader());

    private static ModelAssembler assembler() {
        ClassLoader loader = PluginContractTest.class.getClassLoader();
        ExtensionRegistry.Builder registry = ExtensionRegistry.builder();
        registry.add(ExtensionKind.DATASET, new Registered<>("memory", new Factory<>("memory") {}, PLUGIN, VERSION, loader), "test");
        for (Mode mode : Mode.values()) {
            registry.add(ExtensionKind.TASK_HEAD, new Registered<>(mode.type(), new HeadFactory(mode), PLUGIN, VERSION,
                    mode == Mode.ENCODE_LOADER ? OWN_LOADER : loader), "test");
        }
        for (String type : List.of("identity", "null-sharing", "null-block-sharing", "narrow-sharing", "aux-throws-sharing",
                "refuses-block-sharing", "refuses-init-sharing", "gated-sharing", "gates-throw-sharing",
                "gates-short-sharing")) {
            registry.add(ExtensionKind.SHARING, new Registered<>(type, new SharingFactory(type), PLUGIN, VERSION, loader), "test");
        }
        for (String type : List.of("sum", "null-weighting", "nan-weighting", "total-only-weighting", "null-combiner",
                "preview-throws", "refuses-block-weighting", "epoch-throws", "epoch-records", "state-throws", "state-unreadable", "state-kept")) {
            registry.add(ExtensionKind.WEIGHTING, new Registered<>(type, new WeightingFactory(type), PLUGIN, VERSION, loader), "test");
        }
        MetricRegistry metrics = new MetricRegistry(List.of(new PluginMetric(BOOM, PLUGIN, VERSION, "acme.jar", loader),
                new PluginMetric(COUNT, PLUGIN, VERSION, "acme.jar", loader)));
        return new ModelAssembler(registry.build(), metrics, new ConfigLoader());
    }

    private static String config(String head, String sharing, String weighting, String metrics) {
        return """
                data: {type: memory}
                tasks:
                  - {name: rating, head: %s, label: rating%s}
                sharing: {type: %s}
                weighting: {type: %s}
                features: {embeddingDim: 4}
                training: {epochs: 2, batchSize: 64, progressBar: false, telemetry: false}
                """.formatted(head, metrics == null ? "" : ", metrics: [" + metrics + "]", sharing, weighting);
    }

    private static String config(String head) {
        return config(head, "identity", "sum", null);
    }

    /** 20 users and 10 items; ratings 1 to 5 on 200 training rows and 50 validation rows. */
    private static Dataset dataset() {
        int users = 20;
        int items = 10;
        EntityTable userTable = EntityTable.builder(Entity.USER, ids("u", users)).categorical("user_id", codes(users)).build();
        EntityTable itemTable = EntityTable.builder(Entity.ITEM, ids("i", items)).categorical("item_id", codes(items)).build();
        Map<String, Interactions> splits = new LinkedHashMap<>();
        splits.put(Dataset.TRAIN, interactions(TRAIN_ROWS, users, items, 0));
        splits.put(Dataset.VALID, interactions(VALID_ROWS, users, items, 7));
        return new Dataset("memory", List.of(FeatureSpec.identifier("user_id", Entity.USER, users + 1),
                FeatureSpec.identifier("item_id", Entity.ITEM, items + 1)), userTable, itemTable, splits, Map.of(), Map.of());
    }

    private static List<String> ids(String prefix, int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
    }

    private static int[] codes(int n) {
        return java.util.stream.IntStream.rangeClosed(1, n).toArray();
    }

    private static Interactions interactions(int n, int users, int items, int shift) {
        int[] u = new int[n];
        int[] i = new int[n];
        float[] rating = new float[n];
        for (int r = 0; r < n; r++) {
            u[r] = (r + shift) % users;
            i[r] = (r * 3 + shift) % items;
            rating[r] = 1 + (u[r] + i[r]) % 5;
        }
        return new Interactions(u, i, Map.of("rating", rating));
    }

    /** A model assembled from {@code yaml}, with what trains it. */
    private record Run(ModelAssembler assembler, Plan plan, Dataset dataset, List<FeatureSpec> features) {
        static Run of(String yaml) {
            ModelAssembler assembler = PluginContractTest.assembler();
            ConfigLoader loader = new ConfigLoader();
            Plan plan = assembler.plan(loader.parse(yaml, FILE), FILE);
            Dataset dataset = PluginContractTest.dataset();
            List<FeatureSpec> features = assembler.selectFeatures(plan.config(), dataset, FILE, new PrintStream(new ByteArrayOutputStream()));
            return new Run(assembler, plan, dataset, features);
        }

        AssembledModel assemble(NDManager manager) {
            Map<String, LabelStatistics> stats = assembler.labelStatistics(plan, dataset);
            return assembler.assemble(plan, features, stats, assembler.labelInfo(plan, dataset), manager);
        }

        /** @return what training logged */
        String train() {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            try (NDManager manager = NDManager.newBaseManager()) {
                AssembledModel model = assemble(manager);
                new Trainer(new SimpleMeterRegistry()).train(model, dataset, gatherer(), manager,
                        new PrintStream(log, true, StandardCharsets.UTF_8));
            }
            return log.toString(StandardCharsets.UTF_8);
        }

        FeatureGatherer gatherer() {
            return new FeatureGatherer(features, dataset.users(), dataset.items());
        }

        /** @return check's dry step of a model assembled from the experiment */
        DryStep dryStep() {
            try (NDManager manager = NDManager.newBaseManager()) {
                return DryStep.run(assemble(manager), dataset, gatherer(), manager, null);
            }
        }
    }

    private static String dryStepFailure(String yaml) {
        return failure(Run.of(yaml), Run::dryStep);
    }

    private static String failure(Run run, java.util.function.Consumer<Run> action) {
        return assertThrows(PluginFailureException.class, () -> action.accept(run)).getMessage();
    }

    private static String trainingFailure(String yaml) {
        return failure(Run.of(yaml), Run::train);
    }

    private static String assemblyFailure(String yaml) {
        return failure(Run.of(yaml), run -> {
            try (NDManager manager = NDManager.newBaseManager()) {
                run.assemble(manager);
            }
        });
    }

    /** @return the message of the configuration error assembling {@code yaml}'s model (its labels' statistics first) throws */
    private static String configFailure(String yaml) {
        Run run = Run.of(yaml);
        return assertThrows(dev.taskweave.core.config.ConfigException.class, () -> {
            try (NDManager manager = NDManager.newBaseManager()) {
                run.assemble(manager);
            }
        }).getMessage();
    }

    private static String owner(String path, String type) {
        return FILE + ": " + path + ": type '" + type + "' of plugin " + PLUGIN + " " + VERSION;
    }

    @Test
    void aWellBehavedSetTrains() {
        String log = Run.of(config("good")).train();
        assertTrue(log.contains("epoch 2/2"), log);
        assertTrue(!log.contains("warning"), log);
    }

    @Test
    void anExceptionOfEncodeLabelOrNegativesPerPositiveNamesThePlugin() {
        // before: taskweave: internal error: java.lang.IllegalStateException: boom in encode
        assertEquals(owner("tasks[0].head", "encode-throws") + " failed in encodeLabel(): IllegalStateException: boom in encode",
                assemblyFailure(config("encode-throws")));
        assertEquals(owner("tasks[0].head", "negatives-throw") + " failed in negativesPerPositive(): IllegalStateException: boom in"
                + " negatives", assemblyFailure(config("negatives-throw")));
        // a value the head refuses stays an error of the data, naming the row
        Run refused = Run.of(config("encode-refuses"));
        DataException e = assertThrows(DataException.class, () -> refused.assembler().labelStatistics(refused.plan(), refused.dataset()));
        assertTrue(e.getMessage().contains("task rating cannot use the value 5.0: ratings above 4 are not supported"), e.getMessage());
    }

    @Test
    void encodeLabelRunsWithThePluginsClassLoader() {
        // before: the caller's context class loader (the plugin's was set for every other call into it)
        Run run = Run.of(config("encode-loader"));
        ENCODE_LOADERS.clear();
        run.assembler().labelStatistics(run.plan(), run.dataset());
        assertEquals(java.util.Set.of(OWN_LOADER), ENCODE_LOADERS);
        assertTrue(Thread.currentThread().getContextClassLoader() != OWN_LOADER, "the caller's loader is put back");
    }

    @Test
    void nullFromAFactoryOrForABlockNamesThePluginAndTheMethod() {
        // before: internal errors, NullPointerException (ModelAssembler) or "block is null" (MultiTaskBlock)
        assertEquals(owner("tasks[0].head", "null-head") + " failed in create(): returned null", assemblyFailure(config("null-head")));
        assertEquals(owner("tasks[0].head", "null-block") + " failed in createBlock(): returned null",
                assemblyFailure(config("null-block")));
        assertEquals(owner("weighting.type", "null-weighting") + " failed in create(): returned null",
                assemblyFailure(config("good", "identity", "null-weighting", null)));
        assertEquals(owner("sharing.type", "null-sharing") + " failed in create(): returned null",
                assemblyFailure(config("good", "null-sharing", "sum", null)));
        assertEquals(owner("sharing.type", "null-block-sharing") + " failed in createBlock(): returned null",
                assemblyFailure(config("good", "null-block-sharing", "sum", null)));
    }

    @Test
    void aLossThatIsNotAScalarNamesThePlugin() {
        // before: an EngineException of reshape() in Trainer, an internal error
        assertEquals(owner("tasks[0].head", "vector-loss") + " failed in loss(): must return a scalar, got shape (64)",
                trainingFailure(config("vector-loss")));
    }

    @Test
    void aLossThatThrowsNamesTheFileAndThePath() {
        // before: "type 'loss-throws' of plugin acme-mtl 1.0.0 failed: IllegalStateException: boom in loss" (no file, path, method)
        assertEquals(owner("tasks[0].head", "loss-throws") + " failed in loss(): IllegalStateException: boom in loss",
                trainingFailure(config("loss-throws")));
    }

    @Test
    void scoresOfAnotherShapeNameThePlugin() {
        // before: training ended (exit 0) with rmse null, and predict printed two numbers in one column
        assertEquals(owner("tasks[0].head", "wide-scores") + " failed in scores(): must return shape (50) for a head of one output"
                + " (outputWidth() 1), got (50, 2)", trainingFailure(config("wide-scores")));
        assertEquals(owner("tasks[0].head", "short-scores") + " failed in scores(): must return shape (50) for a head of one output"
                + " (outputWidth() 1), got (49)", trainingFailure(config("short-scores")));
    }

    @Test
    void scoringAndPredictingCheckTheScoresToo() {
        Run run = Run.of(config("wide-scores"));
        try (NDManager manager = NDManager.newBaseManager()) {
            AssembledModel model = run.assemble(manager);
            PluginFailureException e = assertThrows(PluginFailureException.class, () -> TaskScorer.score(model, run.gatherer(),
                    new int[] {0, 1, 2}, new int[] {0, 1, 2}, new int[] {0}, manager));
            assertEquals(owner("tasks[0].head", "wide-scores") + " failed in scores(): must return shape (3) for a head of one output"
                    + " (outputWidth() 1), got (3, 2)", e.getMessage());
            e = assertThrows(PluginFailureException.class, () -> Evaluator.score(model, run.gatherer(), new int[] {0, 1},
                    new int[] {0, 1}, 4096, manager));
            assertEquals(owner("tasks[0].head", "wide-scores") + " failed in scores(): must return shape (2) for a head of one output"
                    + " (outputWidth() 1), got (2, 2)", e.getMessage());
        }
    }

    @Test
    void aBlockOutputOfAnotherBatchSizeNamesThePlugin() {
        assertEquals(owner("tasks[0].head", "short-output") + " failed in its block's forward(): its output must be of shape (64, 1)"
                + " (64 rows, outputWidth() 1), got (1, 1)", trainingFailure(config("short-output")));
    }

    @Test
    void aSharingOrWeightingBlockOutputOfAnotherShapeNamesThePlugin() {
        // before: the head's forward pass failed on the sharing strategy's arrays, reported as the head's
        // failure, and a weighting's missing weights as an internal IndexOutOfBoundsException
        assertEquals(owner("sharing.type", "narrow-sharing") + " failed in its block's forward(): task 0's array must be of shape"
                + " (64, 3) (64 rows, outputWidth() 3), got (64, 2)", trainingFailure(config("good", "narrow-sharing", "sum", null)));
        assertEquals(owner("weighting.type", "total-only-weighting") + " failed in its block's forward(): must return NDList(total,"
                + " weights), a scalar and 1 weight, got shapes ()", trainingFailure(config("good", "identity", "total-only-weighting",
                null)));
    }

    @Test
    void aSharingBlocksAuxiliaryLossThatThrowsNamesThePlugin() {
        // before: only the plugin's class loader was set around the call, and the exception was an internal error
        String failure = trainingFailure(config("good", "aux-throws-sharing", "sum", null));
        assertTrue(failure.endsWith("sharing.type: type 'aux-throws-sharing' of plugin " + PLUGIN + " " + VERSION + " failed in its"
                + " block's auxiliaryLoss(): IllegalStateException: boom in auxiliaryLoss"), failure);
    }

    @Test
    void aGradientCombinerThatReturnsNullNamesThePlugin() {
        // before: an internal NullPointerException in GradientSurgery
        assertEquals(owner("weighting.type", "null-combiner") + " failed in combine(): returned null",
                trainingFailure(config("good", "identity", "null-combiner", null)));
    }

    @Test
    void aGradientCombinersPreviewThatFailsNamesThePlugin() {
        // before: the exception passed through the telemetry unworded, as an internal error
        assertEquals(owner("weighting.type", "preview-throws") + " failed in preview(): IllegalStateException: boom in preview",
                trainingFailure(config("good", "identity", "preview-throws", null).replace("telemetry: false", "telemetry: true")));
    }

    @Test
    void aPluginMetricThatFailsNamesItsPlace() {
        // before: "metric 'boom' of plugin acme-mtl 1.0.0 failed in compute(): ..." without the file and the path
        assertEquals(FILE + ": tasks[0].metrics[1]: metric 'boom' of plugin acme-mtl 1.0.0 failed in compute(): IllegalStateException:"
                + " boom in compute", trainingFailure(config("good", "identity", "sum", "rmse, boom")));
    }

    @Test
    void aLossThatIsNotFiniteIsWarnedAboutOnceWhereItStarted() {
        // before: train finished with a NaN model and said nothing; it still finishes (benchmarks record diverged runs)
        String log = Run.of(config("nan-loss")).train();
        String advice = ": training diverged there; it goes on, but its parameters are probably no longer finite, nor its scores and"
                + " metrics (a loss that cannot take some labels or outputs, or steps too large: lower optimizer.learningRate or set"
                + " optimizer.clipGradient)";
        assertEquals(List.of("warning: task rating's loss is NaN at epoch 1, step 3 of 4 (tasks[0].head: type 'nan-loss' of plugin"
                + " acme-mtl 1.0.0)" + advice), diverged(log), log);
        assertTrue(log.contains("epoch 2/2"), log);

        log = Run.of(config("good", "identity", "nan-weighting", null)).train();
        assertEquals(List.of("warning: the weighted total of the tasks' finite losses is NaN at epoch 1, step 3 of 4 (weighting.type:"
                + " type 'nan-weighting' of plugin acme-mtl 1.0.0)" + advice), diverged(log), log);

        // a task absent from the batch may have a NaN loss: the weighting keeps it out of the total
        assertNull(Trainer.divergenceWarning(null, 1, 1, 4, new float[] {Float.NaN}, new float[] {0}, 0.5f, 0f, 0f));
        // the task graph's AITM loss is the runtime's, not the sharing strategy's plugin
        assertEquals("warning: the AITM calibrator's loss of the task graph is Infinity at epoch 2, step 3 of 4 (tasks[i].calibration)"
                + advice, Trainer.divergenceWarning(null, 2, 3, 4, new float[] {1f}, new float[] {1f}, 1f, 0f,
                Float.POSITIVE_INFINITY));
    }

    @Test
    void checksDryStepRunsLossAndScoresOnceAndUpdatesNothing() throws Exception {
        Run run = Run.of(config("good"));
        DryStep step;
        try (NDManager manager = NDManager.newBaseManager()) {
            AssembledModel model = run.assemble(manager);
            byte[] before = parameters(model);
            int losses = LOSS_CALLS.get();
            int scores = SCORE_CALLS.get();
            step = DryStep.run(model, run.dataset(), run.gatherer(), manager, null);
            assertEquals(1, LOSS_CALLS.get() - losses);
            assertEquals(1, SCORE_CALLS.get() - scores);
            // the backward pass ran: the head's weights have a gradient; the optimiser did not apply it
            assertTrue(model.block().getParameters().values().stream().anyMatch(p -> p.getArray().hasGradient()
                    && p.getArray().getGradient().abs().sum().getFloat() > 0), "no gradient");
            assertArrayEquals(before, parameters(model));
        }
        // the first 64 of the 200 training rows (batchSize 64)
        assertEquals(64, step.rows());
        assertNull(step.warning());
        assertEquals("dry step: one batch of 64 training rows through forward, losses, backward, scores, metrics and the weighting's"
                + " epoch end: ok", step.describe());
    }

    @Test
    void checksDryStepFailsAsTrainingDoes() {
        // before: check passed these, and train failed at its first step
        for (String yaml : List.of(config("loss-throws"), config("vector-loss"), config("short-output"),
                config("good", "narrow-sharing", "sum", null), config("good", "aux-throws-sharing", "sum", null),
                config("good", "identity", "total-only-weighting", null), config("good", "identity", "null-combiner", null))) {
            assertEquals(trainingFailure(yaml), dryStepFailure(yaml), yaml);
        }
        // the scores of the batch's 64 rows, where training failed on the 50 validation rows
        assertEquals(owner("tasks[0].head", "wide-scores") + " failed in scores(): must return shape (64) for a head of one output"
                + " (outputWidth() 1), got (64, 2)", dryStepFailure(config("wide-scores")));
    }

    @Test
    void aLossThatIsNotFiniteOnTheDryStepIsAWarning() {
        DryStep step = Run.of(config("nan-at-once")).dryStep();
        assertEquals("task rating's loss is NaN on the dry step's batch, before any update (tasks[0].head: type 'nan-at-once' of plugin"
                + " acme-mtl 1.0.0): training would diverge at its first step (a loss that cannot take some labels or outputs)",
                step.warning());
        assertEquals("dry step: one batch of 64 training rows through forward, losses, backward, scores, metrics and the weighting's"
                + " epoch end: a loss is not finite (see warnings)", step.describe());
    }

    @Test
    void anInvalidConfigExceptionOfLossOrScoresIsTheFailureOfThePlugin() {
        // before: "failIn: acme refuses loss", an error of the configuration that named neither the file nor the plugin
        String loss = owner("tasks[0].head", "refuses-loss") + " failed in loss(): InvalidConfigException: failIn: acme refuses loss";
        assertEquals(loss, trainingFailure(config("refuses-loss")));
        assertEquals(loss, dryStepFailure(config("refuses-loss")));
        assertEquals(owner("tasks[0].head", "refuses-scores") + " failed in scores(): InvalidConfigException: failIn: acme refuses"
                + " scores", dryStepFailure(config("refuses-scores")));
    }

    @Test
    void anInvalidConfigExceptionOfTheCallsThatBuildTheModelIsPutUnderTheParamsAndNamesThePlugin() {
        // before: the head's createBlock(), initialize, warnings() and encodeLabel() gave "taskweave: tower[1]: must be at most 8
        // for this head" (exit 2, no file, no params path, no plugin); a sharing strategy's or weighting's createBlock() put
        // the path under the params and named no plugin, and a block's initialize() was the bare exception too
        assertEquals(FILE + ": tasks[0].params.tower[1]: must be at most 8 for this head (type 'refuses-block' of plugin acme-mtl 1.0.0,"
                + " in createBlock())", configFailure(config("refuses-block")));
        assertEquals(FILE + ": tasks[0].params.units: must divide the input width (type 'refuses-init' of plugin acme-mtl 1.0.0, in its"
                + " block's initialize())", configFailure(config("refuses-init")));
        assertEquals(FILE + ": tasks[0].params.minScore: must be below every training label (type 'refuses-warnings' of plugin acme-mtl"
                + " 1.0.0, in warnings())", configFailure(config("refuses-warnings")));
        assertEquals(FILE + ": tasks[0].params.threshold: must lie between the lowest and the highest label (type 'refuses-encode' of"
                + " plugin acme-mtl 1.0.0, in encodeLabel())", configFailure(config("refuses-encode")));
        assertEquals(FILE + ": sharing.params.experts: must be at most 4 (type 'refuses-block-sharing' of plugin acme-mtl 1.0.0, in"
                + " createBlock())", configFailure(config("good", "refuses-block-sharing", "sum", null)));
        // an empty path refuses the type as a whole, at the path that chose it
        assertEquals(FILE + ": sharing.type: needs an input at least 16 wide (type 'refuses-init-sharing' of plugin acme-mtl 1.0.0, in"
                + " its block's initialize())", configFailure(config("good", "refuses-init-sharing", "sum", null)));
        assertEquals(FILE + ": weighting.params.tasks[0]: expected a task of the experiment (type 'refuses-block-weighting' of plugin"
                + " acme-mtl 1.0.0, in createBlock())", configFailure(config("good", "identity", "refuses-block-weighting", null)));
    }

    @Test
    void aDataExceptionOfLossNamesThePluginAndStaysADataError() {
        // before: "task rating: labels must be whole counts, got 2.5", naming neither the file, the task's head nor the plugin
        String message = owner("tasks[0].head", "data-loss") + " failed in loss(): DataException: task rating: labels must be whole"
                + " counts, got 2.5";
        Run run = Run.of(config("data-loss"));
        DataException training = assertThrows(DataException.class, run::train);
        DataException dry = assertThrows(DataException.class, run::dryStep);
        for (DataException e : List.of(training, dry)) {
            assertEquals(message, e.getMessage());
            // what the command line finds the line of the path by
            PluginFailureException named = PluginFailureException.named(e);
            assertEquals(FILE, named.source());
            assertEquals("tasks[0].head", named.path());
            assertEquals(message, named.getMessage());
        }
    }

    @Test
    void aPluginBlocksFailureNamesTheFileApartFromThePath() {
        // before: source null and path "exp.yaml: tasks[0].head", so the command line could not add the line
        PluginFailureException e = assertThrows(PluginFailureException.class, Run.of(config("short-output"))::train);
        assertEquals(FILE, e.source());
        assertEquals("tasks[0].head", e.path());
        assertTrue(e.getMessage().startsWith(owner("tasks[0].head", "short-output") + " failed in its block's forward(): "),
                e.getMessage());
    }

    @Test
    void checksDryStepEndsTheEpochAsTrainingDoes() {
        // before: the dry step scored the batch and called none of these
        String yaml = config("good", "gated-sharing", "epoch-records", "rmse, counted").replace("telemetry: false", "telemetry: true");
        EPOCHS_ENDED.clear();
        COUNTED.clear();
        int gates = GATE_CALLS.get();
        DryStep step = Run.of(yaml).dryStep();
        // the metrics of the batch's 64 labelled rows, the gates of its one evaluation batch, epoch 1 ended with the step's loss
        assertEquals(List.of(64), COUNTED);
        assertEquals(1, GATE_CALLS.get() - gates);
        assertEquals(1, EPOCHS_ENDED.size());
        assertEquals(1.0, EPOCHS_ENDED.get(0)[0]);
        assertEquals(2, EPOCHS_ENDED.get(0).length);
        assertTrue(Double.isFinite(EPOCHS_ENDED.get(0)[1]) && EPOCHS_ENDED.get(0)[1] > 0, java.util.Arrays.toString(EPOCHS_ENDED.get(0)));
        assertEquals("dry step: one batch of 64 training rows through forward, losses, backward, scores, metrics, gradient telemetry,"
                + " gate usage and the weighting's epoch end: ok", step.describe());

        // without telemetry, training reads no gates, and neither does the step
        gates = GATE_CALLS.get();
        step = Run.of(yaml.replace("telemetry: true", "telemetry: false")).dryStep();
        assertEquals(0, GATE_CALLS.get() - gates);
        assertEquals("dry step: one batch of 64 training rows through forward, losses, backward, scores, metrics and the weighting's"
                + " epoch end: ok", step.describe());
        // a task without rows in the batch ends the epoch with NaN, as in training
        assertArrayEquals(new double[] {1.5, Double.NaN}, DryStep.epochLosses(new float[] {1.5f, 0f}, new float[] {1, 0},
                new float[] {3, 0}));
    }

    @Test
    void checksDryStepFailsWhereTheEndOfTheFirstEpochWould() {
        // before: check passed these, and train failed at the end of its first epoch
        String metric = config("good", "identity", "sum", "rmse, boom");
        assertEquals(FILE + ": tasks[0].metrics[1]: metric 'boom' of plugin acme-mtl 1.0.0 failed in compute(): IllegalStateException:"
                + " boom in compute", dryStepFailure(metric));
        assertEquals(trainingFailure(metric), dryStepFailure(metric));

        String epochEnded = config("good", "identity", "epoch-throws", null);
        assertEquals(owner("weighting.type", "epoch-throws") + " failed in epochEnded(): IllegalStateException: boom in epochEnded",
                dryStepFailure(epochEnded));
        assertEquals(trainingFailure(epochEnded), dryStepFailure(epochEnded));

        // before: check passed these; train failed as it saved the model, after the whole training, and
        // resuming a checkpoint failed reading the state back
        String saveState = config("good", "identity", "state-throws", null);
        assertEquals(owner("weighting.type", "state-throws") + " failed in saveState(): IllegalStateException: boom in saveState",
                dryStepFailure(saveState));
        assertTrue(Run.of(config("good", "identity", "state-kept", null)).dryStep().describe().endsWith("epoch end and state: ok"));
        Run unreadable = Run.of(config("good", "identity", "state-unreadable", null));
        assertEquals(FILE + ": weighting.type: the state its saveState() wrote: the loss weighting's state does not load: EOFException",
                assertThrows(dev.taskweave.core.config.ConfigException.class, unreadable::dryStep).getMessage());

        // before: check passed it (the gradient telemetry was not in the dry step), and train failed at the end of epoch 1
        String preview = config("good", "identity", "preview-throws", null).replace("telemetry: false", "telemetry: true");
        assertEquals(owner("weighting.type", "preview-throws") + " failed in preview(): IllegalStateException: boom in preview",
                dryStepFailure(preview));
        assertEquals(trainingFailure(preview), dryStepFailure(preview));

        String gates = config("good", "gates-throw-sharing", "sum", null).replace("telemetry: false", "telemetry: true");
        assertEquals(owner("sharing.type", "gates-throw-sharing") + " failed in its block's gates(): IllegalStateException: boom in gates",
                dryStepFailure(gates));
        assertEquals(trainingFailure(gates), dryStepFailure(gates));

        // before: an IndexOutOfBoundsException of the telemetry, an internal error naming no plugin
        String shortGates = config("good", "gates-short-sharing", "sum", null).replace("telemetry: false", "telemetry: true");
        assertEquals(owner("sharing.type", "gates-short-sharing") + " failed in its block's gates(): must return one array per task"
                + " (1), got 0", dryStepFailure(shortGates));
        assertEquals(trainingFailure(shortGates), dryStepFailure(shortGates));
    }

    private static byte[] parameters(AssembledModel model) throws java.io.IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            model.block().saveParameters(out);
        }
        return bytes.toByteArray();
    }

    private static List<String> diverged(String log) {
        return log.lines().filter(l -> l.contains("training diverged")).toList();
    }
}
