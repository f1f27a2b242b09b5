package dev.taskweave.plugins.heads.attributes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
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

class TestMultiLabelHead {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static TaskContext context(int width, double meanFlag) {
        return new TaskContext("genre", "item_genres", 6, new LabelStatistics(100, meanFlag, meanFlag * (1 - meanFlag)), width, true);
    }

    private static MultiLabelHead head(Map<String, ?> params, int width, double meanFlag) {
        MultiLabelHeadConfig config = PluginConfigs.bind(params, MultiLabelHeadConfig.class);
        return (MultiLabelHead) new MultiLabelHeadFactory().create(config, context(width, meanFlag));
    }

    private NDArray forward(Block block, NDArray x) {
        return block.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
    }

    /** Binary cross-entropy of one logit, the textbook way. */
    private static double bce(double x, double y, double positiveWeight) {
        double p = 1 / (1 + Math.exp(-x));
        return -(positiveWeight * y * Math.log(p) + (1 - y) * Math.log(1 - p));
    }

    private static double rowLoss(double[] x, double[] y, double positiveWeight) {
        double sum = 0;
        for (int j = 0; j < x.length; j++) {
            sum += bce(x[j], y[j], positiveWeight);
        }
        return sum / x.length;
    }

    @Test
    void outputShapes() {
        for (List<Integer> tower : List.of(List.<Integer>of(), List.of(8), List.of(16, 4))) {
            MultiLabelHead head = head(Map.of("tower", tower, "dropout", 0.1), 3, 0.3);
            assertEquals(3, head.outputWidth());
            Block block = head.createBlock();
            block.initialize(manager, DataType.FLOAT32, new Shape(5, 6));
            assertArrayEquals(new Shape[] {new Shape(5, 3)}, block.getOutputShapes(new Shape[] {new Shape(5, 6)}));
            NDArray output = forward(block, manager.randomNormal(new Shape(5, 6)));
            assertEquals(new Shape(5, 3), output.getShape());
            NDArray scores = head.scores(output);
            assertEquals(new Shape(5, 3), scores.getShape());
            for (float p : scores.toFloatArray()) {
                assertTrue(p > 0 && p < 1);
            }
        }
    }

    @Test
    void maskedCrossEntropyMatchesHandComputation() {
        MultiLabelHead head = head(Map.of(), 3, 0.3);
        double[][] x = {{0.5, -1.2, 2.0}, {0.3, 1.5, -0.7}};
        double[][] y = {{1, 0, 0}, {0, 1, 1}};
        NDArray output = manager.create(new float[] {0.5f, -1.2f, 2f, 0.3f, 1.5f, -0.7f}, new Shape(2, 3));
        NDArray labels = manager.create(new float[] {1, 0, 0, 0, 1, 1}, new Shape(2, 3));

        NDArray dropSecond = manager.create(new float[] {1, 0});
        assertEquals(rowLoss(x[0], y[0], 1), head.loss(output, labels, dropSecond).getFloat(), 1e-5);
        NDArray both = manager.ones(new Shape(2));
        assertEquals((rowLoss(x[0], y[0], 1) + rowLoss(x[1], y[1], 1)) / 2, head.loss(output, labels, both).getFloat(), 1e-5);

        NDArray none = manager.zeros(new Shape(2));
        assertEquals(0f, head.loss(output, labels, none).getFloat());
        assertEquals(new Shape(), head.loss(output, labels, none).getShape());
    }

    @Test
    void positiveWeightScalesThePositiveTerm() {
        MultiLabelHead head = head(Map.of("positiveWeight", 4.0), 3, 0.3);
        double[][] x = {{0.5, -1.2, 2.0}, {0.3, 1.5, -0.7}};
        double[][] y = {{1, 0, 0}, {0, 1, 1}};
        NDArray output = manager.create(new float[] {0.5f, -1.2f, 2f, 0.3f, 1.5f, -0.7f}, new Shape(2, 3));
        NDArray labels = manager.create(new float[] {1, 0, 0, 0, 1, 1}, new Shape(2, 3));
        NDArray mask = manager.create(new float[] {0, 1});
        assertEquals(rowLoss(x[1], y[1], 4), head.loss(output, labels, mask).getFloat(), 1e-5);
    }

    @Test
    void aTeachersProbabilitiesAreSoftFlagsTheCrossEntropyTakes() {
        MultiLabelHead head = head(Map.of(), 3, 0.3);
        assertTrue(head.distillable());
        NDArray teacher = manager.create(new float[] {0f, (float) Math.log(3), (float) -Math.log(3)}, new Shape(1, 3));
        NDArray target = head.distillationTarget(teacher);
        assertEquals(new Shape(1, 3), target.getShape());
        assertArrayEquals(new float[] {0.5f, 0.75f, 0.25f}, target.toFloatArray(), 1e-6f);
        double[] x = {0.5, -1.2, 2.0};
        NDArray output = manager.create(new float[] {0.5f, -1.2f, 2f}, new Shape(1, 3));
        assertEquals(rowLoss(x, new double[] {0.5, 0.75, 0.25}, 1), head.loss(output, target, manager.ones(new Shape(1))).getFloat(),
                1e-5);
    }

    @Test
    void unlabelledNanLabelsDoNotLeak() {
        MultiLabelHead head = head(Map.of(), 3, 0.3);
        NDArray output = manager.create(new float[] {0.5f, -1.2f, 2f, 0.3f, 1.5f, -0.7f}, new Shape(2, 3));
        NDArray labels = manager.create(new float[] {1, 0, 0, Float.NaN, Float.NaN, Float.NaN}, new Shape(2, 3));
        double expected = rowLoss(new double[] {0.5, -1.2, 2.0}, new double[] {1, 0, 0}, 1);
        assertEquals(expected, head.loss(output, labels, manager.create(new float[] {1, 0})).getFloat(), 1e-5);
    }

    @Test
    void crossEntropyIsStableAtExtremeLogits() {
        MultiLabelHead head = head(Map.of(), 2, 0.5);
        NDArray ones = manager.ones(new Shape(1));
        NDArray right = manager.create(new float[] {100, -100}, new Shape(1, 2));
        NDArray wrong = manager.create(new float[] {-100, 100}, new Shape(1, 2));
        NDArray labels = manager.create(new float[] {1, 0}, new Shape(1, 2));
        // right answers cost ~0, wrong ones cost |x| = 100 per label
        assertEquals(0f, head.loss(right, labels, ones).getFloat(), 1e-6);
        assertEquals(100f, head.loss(wrong, labels, ones).getFloat(), 1e-4);
        MultiLabelHead weighted = head(Map.of("positiveWeight", 3.0), 2, 0.5);
        assertEquals((300f + 100f) / 2, weighted.loss(wrong, labels, ones).getFloat(), 1e-3);
        assertArrayEquals(new float[] {1f, 0f}, head.scores(right).toFloatArray(), 1e-6f);
    }

    @Test
    void noLabelledRowGivesNoGradient() {
        MultiLabelHead head = head(Map.of("tower", List.of(8)), 3, 0.3);
        Block block = head.createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(4, 6));
        NDArray x = manager.randomNormal(new Shape(4, 6));
        NDArray y = manager.ones(new Shape(4, 3));
        assertEquals(0f, HeadChecks.maxGradient(manager, head, block, x, y, manager.zeros(new Shape(4))));
        assertTrue(HeadChecks.maxGradient(manager, head, block, x, y, manager.ones(new Shape(4))) > 0f);
    }

    @Test
    void priorLogitAndInitialProbability() {
        assertEquals((float) Math.log(0.2 / 0.8), head(Map.of(), 3, 0.2).offset(), 1e-6);
        assertEquals(0f, head(Map.of(), 3, 0.0).offset());
        assertEquals(0f, head(Map.of(), 3, 1.0).offset());
        MultiLabelHead empty = (MultiLabelHead) new MultiLabelHeadFactory().create(new MultiLabelHeadConfig(),
                new TaskContext("genre", "item_genres", 6, new LabelStatistics(0, Double.NaN, Double.NaN), 3, true));
        assertEquals(0f, empty.offset());

        MultiLabelHead head = head(Map.of("tower", List.of(8)), 3, 0.2);
        Block block = head.createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(2, 6));
        // with a zero input every bias (initialised to 0) leaves only the offset
        assertArrayEquals(new float[] {0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f},
                head.scores(forward(block, manager.zeros(new Shape(2, 6)))).toFloatArray(), 1e-6f);
    }

    @Test
    void adamReducesTheLoss() {
        manager.getEngine().setRandomSeed(11);
        MultiLabelHead head = head(Map.of("tower", List.of(16)), 3, 0.5);
        Block block = head.createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(64, 6));
        NDArray x = manager.randomNormal(new Shape(64, 6));
        NDArray a = x.get(":, 0");
        NDArray b = x.get(":, 1");
        NDArray y = NDArrays.stack(new NDList(a.gt(0), b.gt(0), a.add(b).gt(0)), 1).toType(DataType.FLOAT32, false);
        NDArray mask = manager.ones(new Shape(64));
        float[] losses = HeadChecks.fit(manager, head, block, x, y, mask, 60);
        assertTrue(losses[60] < 0.5f * losses[0], () -> "loss " + losses[0] + " -> " + losses[60]);
    }

    @Test
    void saveAndLoadGiveIdenticalOutputs() throws Exception {
        MultiLabelHead head = head(Map.of("tower", List.of(8), "dropout", 0.2), 3, 0.1);
        Block trained = head.createBlock();
        trained.initialize(manager, DataType.FLOAT32, new Shape(3, 6));
        NDArray train = manager.randomNormal(new Shape(3, 6));
        NDArray labels = manager.create(new float[] {1, 0, 0, 0, 1, 0, 1, 1, 0}, new Shape(3, 3));
        HeadChecks.fit(manager, head, trained, train, labels, manager.ones(new Shape(3)), 5);
        // a head built from different statistics still restores the saved offset
        Block fresh = head(Map.of("tower", List.of(8), "dropout", 0.2), 3, 0.9).createBlock();
        Parameters.copy(manager, trained, fresh);
        NDArray x = manager.randomNormal(new Shape(3, 6));
        assertArrayEquals(forward(trained, x).toFloatArray(), forward(fresh, x).toFloatArray());
    }

    @Test
    void factoryRejectsASingleLabel() {
        TaskContext scalar = new TaskContext("genre", "rating", 6, new LabelStatistics(100, 0.5, 0.25));
        dev.taskweave.api.InvalidConfigException e = assertThrows(dev.taskweave.api.InvalidConfigException.class,
                () -> new MultiLabelHeadFactory().create(new MultiLabelHeadConfig(), scalar));
        assertTrue(e.getMessage().contains("'genre'"), e.reason());
        assertTrue(e.getMessage().contains("multilabel"), e.reason());
        dev.taskweave.api.InvalidConfigException attribute = assertThrows(dev.taskweave.api.InvalidConfigException.class,
                () -> new MultiLabelHeadFactory().create(new MultiLabelHeadConfig(), context(1, 0.5)));
        assertTrue(attribute.getMessage().contains("'genre'"), attribute.getMessage());
    }

    @Test
    void factoryRejectsAClassAttributeAndAcceptsAnUnknownKind() {
        TaskContext age = new TaskContext("age", "user_age", 6, new LabelStatistics(100, 1.2, 0.8), 7, true,
                dev.taskweave.api.data.EntityAttribute.Kind.CLASS);
        dev.taskweave.api.InvalidConfigException e = assertThrows(dev.taskweave.api.InvalidConfigException.class,
                () -> new MultiLabelHeadFactory().create(new MultiLabelHeadConfig(), age));
        assertEquals("task 'age': head 'multilabel' cannot read attribute 'user_age', which gives each entity one class of 7;"
                + " use head 'multiclass'", e.reason());
        new MultiLabelHeadFactory().create(new MultiLabelHeadConfig(), new TaskContext("genre", "item_genres", 6,
                new LabelStatistics(100, 0.1, 0.09), 19, true, dev.taskweave.api.data.EntityAttribute.Kind.MULTI_LABEL));
        new MultiLabelHeadFactory().create(new MultiLabelHeadConfig(), context(3, 0.5));
    }

    @Test
    void identity() {
        MultiLabelHead head = head(Map.of(), 4, 0.5);
        assertEquals(List.of("micro_f1", "top1_precision", "map"), head.defaultMetrics());
        assertEquals(4, head.outputWidth());
        assertEquals(0, head.negativesPerPositive());
    }

    @Test
    void meetsTheHeadContract() {
        Engine.getInstance().setRandomSeed(11);
        HeadChecks.assertContract(manager, head(Map.of("tower", List.of(8), "positiveWeight", 2.0), 3, 0.4),
                manager.randomNormal(new Shape(8, 6)),
                manager.create(new float[] {1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1}, new Shape(8, 3)));
    }
}
