package dev.taskweave.plugins.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.model.LabelStatistics;
import dev.taskweave.api.model.TaskContext;
import dev.taskweave.testkit.HeadChecks;
import dev.taskweave.testkit.PluginConfigs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TestBprHead {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static BprHead head(Map<String, ?> params) {
        BprHeadConfig config = PluginConfigs.bind(params, BprHeadConfig.class);
        // a threshold is for a label column (implicit feedback refuses it)
        String label = params.containsKey("threshold") ? "rating" : "observed";
        return (BprHead) new BprHeadFactory()
                .create(config, new TaskContext("watch", label, 6, new LabelStatistics(100, 1.0, 0)));
    }

    private static double softplus(double x) {
        return Math.log1p(Math.exp(x));
    }

    @Test
    void pairwiseLossMatchesHandComputation() {
        BprHead head = head(Map.of());
        NDArray positive = manager.create(new float[] {2f, 0f, -1f}, new Shape(3, 1));
        NDArray negative = manager.create(new float[] {1f, 0f, 1f}, new Shape(3, 1));
        // -log sigmoid(d) = softplus(-d) for d = 1, 0, -2
        double expected = (softplus(-1) + softplus(0) + softplus(2)) / 3;
        assertEquals(expected, head.pairwiseLoss(positive, negative).getFloat(), 1e-6);
        // only the difference matters
        assertEquals(expected, head.pairwiseLoss(positive.add(5f), negative.add(5f)).getFloat(), 1e-5);
    }

    @Test
    void pointwiseFallbackIsMaskedLogisticLoss() {
        BprHead head = head(Map.of());
        NDArray output = manager.create(new float[] {0.5f, -1f, 3f}, new Shape(3, 1));
        NDArray labels = manager.create(new float[] {1, 0, 1});
        NDArray mask = manager.create(new float[] {1, 1, 0});
        double expected = (softplus(-0.5) + softplus(-1)) / 2;
        assertEquals(expected, head.loss(output, labels, mask).getFloat(), 1e-6);
    }

    @Test
    void trainingRanksEachUsersPositivesAboveItsNegatives() {
        manager.getEngine().setRandomSeed(5);
        BprHead head = head(Map.of("tower", List.of(16)));
        Block block = head.createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(64, 6));
        // positives have a larger first feature than their paired negatives
        NDArray positive = manager.randomNormal(new Shape(64, 6)).add(manager.create(new float[] {1.5f, 0, 0, 0, 0, 0}));
        NDArray negative = manager.randomNormal(new Shape(64, 6)).sub(manager.create(new float[] {1.5f, 0, 0, 0, 0, 0}));
        Optimizer optimizer = Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.05f)).build();
        ParameterStore store = new ParameterStore(manager, false);
        float first = 0;
        float last = 0;
        for (int step = 0; step < 60; step++) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray sp = block.forward(store, new NDList(positive), true).singletonOrThrow();
                NDArray sn = block.forward(store, new NDList(negative), true).singletonOrThrow();
                NDArray loss = head.pairwiseLoss(sp, sn);
                if (step == 0) {
                    first = loss.getFloat();
                }
                last = loss.getFloat();
                collector.backward(loss);
            }
            for (Pair<String, Parameter> pair : block.getParameters()) {
                NDArray gradient = pair.getValue().getArray().getGradient();
                optimizer.update(pair.getValue().getId(), pair.getValue().getArray(), gradient);
                gradient.subi(gradient);
            }
        }
        assertTrue(first > 0.5 && last < 0.5 * first, "loss " + first + " -> " + last);
        float[] sp = head.scores(block.forward(store, new NDList(positive), false).singletonOrThrow()).toFloatArray();
        float[] sn = head.scores(block.forward(store, new NDList(negative), false).singletonOrThrow()).toFloatArray();
        int ordered = 0;
        for (int i = 0; i < sp.length; i++) {
            ordered += sp[i] > sn[i] ? 1 : 0;
        }
        assertTrue(ordered >= 56, ordered + " of 64 pairs ordered");
    }

    @Test
    void identity() {
        BprHead head = head(Map.of("evaluationNegatives", 4));
        assertTrue(head.pairwise());
        assertFalse(head.producesLogit());
        assertEquals(4, head.negativesPerPositive());
        assertEquals(List.of("auc"), head.defaultMetrics());
        assertEquals(1f, head(Map.of()).encodeLabel(1f));
        assertEquals(1f, head(Map.of("threshold", 4.0)).encodeLabel(5f));
        assertEquals(0f, head(Map.of("threshold", 4.0)).encodeLabel(3f));
        assertThrows(IllegalArgumentException.class, () -> head(Map.of()).encodeLabel(2f));
        NDArray out = manager.create(new float[] {-3f, 7f}, new Shape(2, 1));
        assertArrayEquals(new float[] {-3f, 7f}, head.scores(out).toFloatArray());
    }

    @Test
    void config() {
        BprHeadConfig defaults = PluginConfigs.bind(Map.of(), BprHeadConfig.class);
        defaults.validate();
        assertEquals(List.of(32), defaults.tower());
        assertEquals(1, defaults.evaluationNegatives());
        BprHeadConfig full = PluginConfigs.bind(Map.of("tower", List.of(8), "dropout", 0.2, "threshold", 4.0,
                "evaluationNegatives", 3), BprHeadConfig.class);
        full.validate();
        assertEquals(List.of(8), full.tower());
        assertEquals(0.2, full.dropout());
        assertEquals(4.0, full.threshold());
        assertEquals(3, full.evaluationNegatives());
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> PluginConfigs.bind(Map.of("evaluationNegatives", 0), BprHeadConfig.class).validate());
        assertEquals("evaluationNegatives", e.path());
    }

    @Test
    void aThresholdOnImplicitFeedbackIsRefused() {
        // every observed row is a positive read as 1: threshold 4 would leave no positive to pair, and no loss
        BprHeadConfig config = PluginConfigs.bind(Map.of("threshold", 4.0), BprHeadConfig.class);
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> new BprHeadFactory()
                .create(config, new TaskContext("watch", TaskContext.OBSERVED, 6, new LabelStatistics(100, 1.0, 0))));
        assertEquals("threshold", e.path());
        assertTrue(e.reason().startsWith("an 'observed' task has no label values to threshold"), e.reason());
        // on a rating column it decides the positives
        new BprHeadFactory().create(config, new TaskContext("like", "rating", 6, new LabelStatistics(100, 3.5, 1.0)));
        // a model trained with one before it was refused keeps loading
        new BprHeadFactory().create(config, new TaskContext("watch", TaskContext.OBSERVED, 6, new LabelStatistics(100, 1.0, 0), 1, false,
                null, true));
    }

    @Test
    void anAttributeTaskIsRefused() {
        // a pair is an interaction row against a sampled item; an attribute's rows are users or items
        BprHeadConfig config = PluginConfigs.bind(Map.of(), BprHeadConfig.class);
        TaskContext flag = new TaskContext("premium", "user_premium", 6, new LabelStatistics(100, 0.3, 0.21), 1, true);
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> new BprHeadFactory().create(config, flag));
        assertEquals("", e.path());
        assertEquals("tasks[2].params", e.under("tasks[2].params").path());
        assertTrue(e.reason().startsWith("head bpr pairs an interaction row with a sampled item, and task 'premium' reads attribute"
                + " 'user_premium'"), e.reason());
        assertTrue(e.reason().endsWith("use head: binary"), e.reason());
        // a model trained with one before it was refused keeps loading
        new BprHeadFactory().create(config, new TaskContext("premium", "user_premium", 6, new LabelStatistics(100, 0.3, 0.21), 1, true,
                null, true));
    }

    @Test
    void meetsTheHeadContract() {
        Engine.getInstance().setRandomSeed(11);
        HeadChecks.assertContract(manager, head(Map.of("tower", List.of(8))), manager.randomNormal(new Shape(8, 6)),
                manager.create(new float[] {1, 0, 0, 1, 1, 0, 1, 0}));
    }
}
