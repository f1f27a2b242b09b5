package dev.taskweave.plugins.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.taskweave.api.model.LabelStatistics;
import dev.taskweave.api.model.TaskContext;
import dev.taskweave.testkit.HeadChecks;
import dev.taskweave.testkit.Parameters;
import dev.taskweave.testkit.PluginConfigs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TestBinaryHead {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static BinaryHead head(Map<String, ?> params, double positiveRate) {
        BinaryHeadConfig config = PluginConfigs.bind(params, BinaryHeadConfig.class);
        return (BinaryHead) new BinaryHeadFactory()
                .create(config, new TaskContext("like", "rating", 6, new LabelStatistics(100, positiveRate, 0.2)));
    }

    private NDArray forward(Block block, NDArray x) {
        return block.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
    }

    private static double bce(double x, double y) {
        double p = 1 / (1 + Math.exp(-x));
        return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
    }

    @Test
    void aThresholdOnImplicitFeedbackIsRefused() {
        // every observed row is a positive read as 1: threshold 4 would turn them all into negatives
        BinaryHeadConfig config = PluginConfigs.bind(Map.of("threshold", 4.0, "negatives", 2), BinaryHeadConfig.class);
        dev.taskweave.api.InvalidConfigException e = assertThrows(dev.taskweave.api.InvalidConfigException.class,
                () -> new BinaryHeadFactory().create(config, new TaskContext("watch", TaskContext.OBSERVED, 6, new LabelStatistics(100, 1, 0))));
        assertEquals("threshold", e.path());
        assertEquals("an 'observed' task has no label values to threshold (each observed row is a positive, its negatives are"
                + " sampled); remove it", e.reason());
        BinaryHeadConfig plain = PluginConfigs.bind(Map.of("negatives", 2), BinaryHeadConfig.class);
        assertEquals(1f, new BinaryHeadFactory().create(plain, new TaskContext("watch", TaskContext.OBSERVED, 6,
                new LabelStatistics(100, 1, 0))).encodeLabel(1f));
    }

    @Test
    void anAttributeTaskRefusesThresholdAndNegatives() {
        // an attribute's flags are read as they are and its rows are entities: neither setting would do anything
        // (negatives would only have moved the starting offset, as if the flags were diluted by sampled rows)
        TaskContext flag = new TaskContext("premium", "user_premium", 6, new LabelStatistics(100, 0.3, 0.21), 1, true);
        for (String field : List.of("threshold", "negatives")) {
            BinaryHeadConfig config = PluginConfigs.bind(Map.<String, Object>of(field, field.equals("threshold") ? (Object) 0.5 : (Object) 4),
                    BinaryHeadConfig.class);
            dev.taskweave.api.InvalidConfigException e = assertThrows(dev.taskweave.api.InvalidConfigException.class,
                    () -> new BinaryHeadFactory().create(config, flag));
            assertEquals(field, e.path());
            assertTrue(e.reason().startsWith("task 'premium' reads attribute 'user_premium'"), e.reason());
        }
        new BinaryHeadFactory().create(PluginConfigs.bind(Map.of(), BinaryHeadConfig.class), flag);
        // a model trained with them before they were refused keeps loading
        TaskContext stored = new TaskContext("premium", "user_premium", 6, new LabelStatistics(100, 0.3, 0.21), 1, true, null, true);
        new BinaryHeadFactory().create(PluginConfigs.bind(Map.of("negatives", 4, "threshold", 0.5), BinaryHeadConfig.class), stored);
    }

    @Test
    void implicitFeedbackWithoutSampledNegativesIsRefused() {
        // every observed row is a positive: with no negatives the task learns a constant and its AUC is undefined
        BinaryHeadConfig none = PluginConfigs.bind(Map.of(), BinaryHeadConfig.class);
        dev.taskweave.api.InvalidConfigException e = assertThrows(dev.taskweave.api.InvalidConfigException.class,
                () -> new BinaryHeadFactory().create(none, new TaskContext("watch", TaskContext.OBSERVED, 6, new LabelStatistics(100, 1, 0))));
        assertEquals("negatives", e.path());
        assertEquals("an 'observed' task's rows are all positives; expected negatives >= 1 unobserved items sampled per observed"
                + " row (4 is common)", e.reason());
        // an explicit label needs none
        assertEquals(0, new BinaryHeadFactory().create(none, new TaskContext("like", "rating", 6, new LabelStatistics(100, 0.5, 0.25)))
                .negativesPerPositive());
    }

    @Test
    void outputShapes() {
        BinaryHead head = head(Map.of("tower", List.of(8, 4), "dropout", 0.3), 0.3);
        Block block = head.createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(7, 6));
        assertArrayEquals(new Shape[] {new Shape(7, 1)}, block.getOutputShapes(new Shape[] {new Shape(7, 6)}));
        NDArray output = forward(block, manager.randomNormal(new Shape(7, 6)));
        assertEquals(new Shape(7, 1), output.getShape());
        NDArray scores = head.scores(output);
        assertEquals(new Shape(7), scores.getShape());
        for (float p : scores.toFloatArray()) {
            assertTrue(p > 0 && p < 1);
        }
    }

    @Test
    void maskedCrossEntropyMatchesHandComputation() {
        BinaryHead head = head(Map.of(), 0.5);
        NDArray output = manager.create(new float[] {0.5f, -1.2f, 2f, 0.3f}, new Shape(4, 1));
        NDArray labels = manager.create(new float[] {1, 0, 0, 1});
        NDArray mask = manager.create(new float[] {1, 1, 1, 0});
        double expected = (bce(0.5, 1) + bce(-1.2, 0) + bce(2, 0)) / 3;
        assertEquals(expected, head.loss(output, labels, mask).getFloat(), 1e-5);
        assertEquals(0f, head.loss(output, labels, manager.zeros(new Shape(4))).getFloat());
    }

    private static double softplus(double z) {
        return Math.log1p(Math.exp(z));
    }

    @Test
    void thePairwiseTermOrdersPositiveRowsAboveNegativeOnes() {
        BinaryHead head = head(Map.of("pairwiseWeight", 0.5), 0.5);
        NDArray output = manager.create(new float[] {0.5f, -1.2f, 2f, 0.3f}, new Shape(4, 1));
        NDArray labels = manager.create(new float[] {1, 0, 0, 1});
        NDArray mask = manager.create(new float[] {1, 1, 1, 0});
        // the one labelled positive (row 0) against the two negatives; row 3 is unlabelled
        double pairs = (softplus(-(0.5 + 1.2)) + softplus(-(0.5 - 2))) / 2;
        double pointwise = (bce(0.5, 1) + bce(-1.2, 0) + bce(2, 0)) / 3;
        assertEquals(pointwise + 0.5 * pairs, head.loss(output, labels, mask).getFloat(), 1e-5);
        // labels all the same make no pair: the cross-entropy alone
        NDArray allOnes = manager.ones(new Shape(4));
        assertEquals(head(Map.of(), 0.5).loss(output, allOnes, allOnes).getFloat(), head.loss(output, allOnes, allOnes).getFloat(), 1e-6);
        // nothing labelled: 0, as without it
        assertEquals(0f, head.loss(output, labels, manager.zeros(new Shape(4))).getFloat());

        // soft labels (a teacher's) weigh each pair by how much more positive its first row is
        NDArray x = manager.create(new float[] {1f, 0f, -1f});
        NDArray soft = manager.create(new float[] {0.8f, 0.3f, 0.5f});
        double weighted = (0.5 * softplus(-1) + 0.3 * softplus(-2) + 0.2 * softplus(1)) / (0.5 + 0.3 + 0.2);
        assertEquals(weighted, BinaryHead.pairwise(x, soft, manager.ones(new Shape(3)), 2048).getFloat(), 1e-6);
        // only a batch's first rows are paired: rows 0 and 1, one pair
        assertEquals(softplus(-1), BinaryHead.pairwise(x, soft, manager.ones(new Shape(3)), 2).getFloat(), 1e-6);
    }

    @Test
    void thePairwiseTermsGradientRaisesPositivesAndLowersNegatives() {
        BinaryHead head = head(Map.of("pairwiseWeight", 1.0), 0.5);
        NDArray output = manager.create(new float[] {0f, 0f}, new Shape(2, 1));
        output.setRequiresGradient(true);
        try (ai.djl.training.GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = BinaryHead.pairwise(output.reshape(-1), manager.create(new float[] {1, 0}), manager.ones(new Shape(2)), 2048);
            collector.backward(loss);
        }
        // d softplus(-(x0 - x1)) / d x0 = -sigmoid(0) = -0.5, and +0.5 for x1
        assertArrayEquals(new float[] {-0.5f, 0.5f}, output.getGradient().toFloatArray(), 1e-6f);
        assertTrue(head.loss(output, manager.create(new float[] {1, 0}), manager.ones(new Shape(2))).getFloat() > 0);
    }

    @Test
    void pairwiseSettingsAreChecked() {
        for (Object[] bad : new Object[][] {{"pairwiseWeight", -0.1, "expected a finite number >= 0 (0: no pairwise term), got -0.1"},
                {"pairwiseRows", 1, "expected an integer >= 2 (a pair needs two rows), got 1"}}) {
            dev.taskweave.api.InvalidConfigException e = assertThrows(dev.taskweave.api.InvalidConfigException.class,
                    () -> PluginConfigs.bind(Map.of((String) bad[0], bad[1]), BinaryHeadConfig.class).validate());
            assertEquals(bad[0], e.path());
            assertEquals(bad[2], e.reason());
        }
    }

    @Test
    void aTeachersProbabilityIsASoftLabelTheCrossEntropyTakes() {
        BinaryHead head = head(Map.of("threshold", 4.0), 0.5);
        assertTrue(head.distillable());
        NDArray teacher = manager.create(new float[] {0f, (float) Math.log(3), -2f}, new Shape(3, 1));
        NDArray target = head.distillationTarget(teacher);
        assertEquals(new Shape(3), target.getShape());
        assertArrayEquals(new float[] {0.5f, 0.75f, (float) (1 / (1 + Math.exp(2)))}, target.toFloatArray(), 1e-6f);
        // a label between 0 and 1: -(y log p + (1 - y) log(1 - p)), by hand
        NDArray output = manager.create(new float[] {0.4f, -1f, 3f}, new Shape(3, 1));
        double expected = (bce(0.4, 0.5) + bce(-1, 0.75) + bce(3, 1 / (1 + Math.exp(2)))) / 3;
        assertEquals(expected, head.loss(output, target, manager.ones(new Shape(3))).getFloat(), 1e-5);
    }

    @Test
    void crossEntropyIsStableAtExtremeLogits() {
        BinaryHead head = head(Map.of(), 0.5);
        NDArray output = manager.create(new float[] {100, -100, 100, -100}, new Shape(4, 1));
        NDArray labels = manager.create(new float[] {1, 0, 0, 1});
        NDArray ones = manager.ones(new Shape(4));
        // right answers cost ~0, wrong ones cost |x| = 100
        assertEquals(0f, head.loss(output.get("0:2"), labels.get("0:2"), ones.get("0:2")).getFloat(), 1e-6);
        assertEquals(100f, head.loss(output.get("2:4"), labels.get("2:4"), ones.get("2:4")).getFloat(), 1e-4);
        assertEquals(50f, head.loss(output, labels, ones).getFloat(), 1e-4);
    }

    @Test
    void encodeLabel() {
        BinaryHead thresholded = head(Map.of("threshold", 4.0), 0.5);
        assertEquals(1f, thresholded.encodeLabel(4f));
        assertEquals(1f, thresholded.encodeLabel(5f));
        assertEquals(0f, thresholded.encodeLabel(3.5f));
        assertTrue(Float.isNaN(thresholded.encodeLabel(Float.NaN)));
        // a decimal threshold: a label held as the float nearest it is at the threshold, a 1 (0.7 as a
        // double lies above 0.7f, and a comparison in double made every watch ratio of exactly 0.7 a 0)
        BinaryHead ratio = head(Map.of("threshold", 0.7), 0.5);
        assertEquals(1f, ratio.encodeLabel(0.7f));
        assertEquals(0f, ratio.encodeLabel(Math.nextDown(0.7f)));
        assertEquals(1f, head(Map.of("threshold", 4.7), 0.5).encodeLabel(4.7f));

        BinaryHead plain = head(Map.of(), 0.5);
        assertEquals(1f, plain.encodeLabel(1f));
        assertEquals(0f, plain.encodeLabel(0f));
        assertTrue(Float.isNaN(plain.encodeLabel(Float.NaN)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plain.encodeLabel(3f));
        assertTrue(e.getMessage().contains("3.0"), e.getMessage());
    }

    @Test
    void priorLogit() {
        assertEquals((float) Math.log(0.2 / 0.8), head(Map.of(), 0.2).offset(), 1e-6);
        assertEquals(0f, head(Map.of(), 0.0).offset());
        assertEquals(0f, head(Map.of(), 1.0).offset());
        // implicit feedback: every observed row is positive, 4 sampled negatives each -> rate 1/5
        BinaryHead implicit = head(Map.of("negatives", 4), 1.0);
        assertEquals((float) Math.log(0.2 / 0.8), implicit.offset(), 1e-6);
        assertEquals(4, implicit.negativesPerPositive());
        // a label on 100 of 1,000 rows, half of them positive, a negative drawn for each of the
        // 1,000 rows: 50 positives among 100 + 1,000 rows
        BinaryHead sparse = (BinaryHead) new BinaryHeadFactory().create(PluginConfigs.bind(Map.of("negatives", 1), BinaryHeadConfig.class),
                new TaskContext("click", "clicked", 6, new LabelStatistics(100, 0.5, 0.25, 1000)));
        assertEquals((float) Math.log(50.0 / 1050), sparse.offset(), 1e-6);
        // rows below the labelled rows are no statistics
        assertThrows(IllegalArgumentException.class, () -> new LabelStatistics(100, 0.5, 0.25, 99));
    }

    @Test
    void initialProbabilityIsThePositiveRate() {
        BinaryHead head = head(Map.of("tower", List.of(8)), 0.2);
        Block block = head.createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(2, 6));
        assertArrayEquals(new float[] {0.2f, 0.2f},
                head.scores(forward(block, manager.zeros(new Shape(2, 6)))).toFloatArray(), 1e-6f);
    }

    @Test
    void adamReducesTheLoss() {
        manager.getEngine().setRandomSeed(11);
        BinaryHead head = head(Map.of("tower", List.of(16)), 0.5);
        Block block = head.createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(64, 6));
        NDArray x = manager.randomNormal(new Shape(64, 6));
        NDArray y = x.get(":, 0").add(x.get(":, 1")).gt(0).toType(DataType.FLOAT32, false);
        NDArray mask = manager.ones(new Shape(64));
        float[] losses = HeadChecks.fit(manager, head, block, x, y, mask, 60);
        assertTrue(losses[60] < 0.5f * losses[0], () -> "loss " + losses[0] + " -> " + losses[60]);
    }

    @Test
    void saveAndLoadGiveIdenticalOutputs() throws Exception {
        BinaryHead head = head(Map.of("tower", List.of(8)), 0.1);
        Block trained = head.createBlock();
        trained.initialize(manager, DataType.FLOAT32, new Shape(3, 6));
        Block fresh = head(Map.of("tower", List.of(8)), 0.9).createBlock();
        Parameters.copy(manager, trained, fresh);
        NDArray x = manager.randomNormal(new Shape(3, 6));
        assertArrayEquals(forward(trained, x).toFloatArray(), forward(fresh, x).toFloatArray());
    }

    @Test
    void identity() {
        BinaryHead head = head(Map.of(), 0.5);
        assertEquals(List.of("auc", "logloss", "ece"), head.defaultMetrics());
        assertEquals(1, head.outputWidth());
        assertEquals(0, head.negativesPerPositive());
    }

    @Test
    void meetsTheHeadContract() {
        Engine.getInstance().setRandomSeed(11);
        HeadChecks.assertContract(manager, head(Map.of("tower", List.of(8)), 0.4), manager.randomNormal(new Shape(8, 6)),
                manager.create(new float[] {1, 0, 0, 1, 1, 0, 1, 0}));
    }
}
