package dev.taskweave.plugins.heads.attributes;

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

class TestMultiClassHead {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static TaskContext context(int classes) {
        return new TaskContext("age", "user_age", 6, new LabelStatistics(100, 1.2, 0.8), classes, true);
    }

    private static MultiClassHead head(Map<String, ?> params, int classes) {
        MultiClassHeadConfig config = PluginConfigs.bind(params, MultiClassHeadConfig.class);
        return (MultiClassHead) new MultiClassHeadFactory().create(config, context(classes));
    }

    private NDArray forward(Block block, NDArray x) {
        return block.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
    }

    /** Cross-entropy of one row against a smoothed target, the textbook way. */
    private static double crossEntropy(double[] x, int label, double smoothing) {
        double normaliser = 0;
        for (double v : x) {
            normaliser += Math.exp(v);
        }
        double loss = 0;
        for (int c = 0; c < x.length; c++) {
            double target = (c == label ? 1 - smoothing : 0) + smoothing / x.length;
            loss -= target * Math.log(Math.exp(x[c]) / normaliser);
        }
        return loss;
    }

    @Test
    void outputShapes() {
        for (List<Integer> tower : List.of(List.<Integer>of(), List.of(8), List.of(16, 4))) {
            MultiClassHead head = head(Map.of("tower", tower, "dropout", 0.1), 4);
            assertEquals(4, head.outputWidth());
            Block block = head.createBlock();
            block.initialize(manager, DataType.FLOAT32, new Shape(5, 6));
            assertArrayEquals(new Shape[] {new Shape(5, 4)}, block.getOutputShapes(new Shape[] {new Shape(5, 6)}));
            NDArray output = forward(block, manager.randomNormal(new Shape(5, 6)));
            assertEquals(new Shape(5, 4), output.getShape());
            NDArray scores = head.scores(output);
            assertEquals(new Shape(5, 4), scores.getShape());
            for (float p : scores.toFloatArray()) {
                assertTrue(p > 0 && p < 1);
            }
            assertArrayEquals(new float[] {1, 1, 1, 1, 1}, scores.sum(new int[] {1}).toFloatArray(), 1e-5f);
        }
    }

    /**
     * Distilled, a class index mixes with the teachers' class probabilities as a distribution,
     * {@code (1 - w)·onehot(y) + w·p}, and the loss takes it as its target:
     * {@code -Σ_c t_c · log softmax(x)_c}, computed here by hand.
     */
    @Test
    void aClassIndexIsDistilledAsAClassDistribution() {
        MultiClassHead head = head(Map.of(), 3);
        assertTrue(head.distillable());
        NDArray teacher = manager.create(new float[] {1f, 0f, -1f, 0f, 2f, 0f}, new Shape(2, 3));
        NDArray p = head.distillationTarget(teacher);
        double[] p0 = softmax(new double[] {1, 0, -1});
        double[] p1 = softmax(new double[] {0, 2, 0});
        assertArrayEquals(new float[] {(float) p0[0], (float) p0[1], (float) p0[2], (float) p1[0], (float) p1[1], (float) p1[2]},
                p.toFloatArray(), 1e-6f);
        // row 0 has class 2, row 1 is unlabelled (its label not even a class): weight 0.25
        NDArray labels = manager.create(new float[] {2, Float.NaN});
        NDArray mask = manager.create(new float[] {1, 0});
        NDArray mixed = head.distillationLabels(labels, mask, p, 0.25f);
        assertEquals(new Shape(2, 3), mixed.getShape());
        double[] t = {0.25 * p0[0], 0.25 * p0[1], 0.75 + 0.25 * p0[2]};
        assertArrayEquals(new float[] {(float) t[0], (float) t[1], (float) t[2]}, mixed.get(0).toFloatArray(), 1e-6f);

        double[] x = {0.5, -1.2, 2.0};
        double[] q = softmax(x);
        double expected = 0;
        for (int c = 0; c < 3; c++) {
            expected -= t[c] * Math.log(q[c]);
        }
        NDArray output = manager.create(new float[] {0.5f, -1.2f, 2f, 9f, -9f, 0f}, new Shape(2, 3));
        assertEquals(expected, head.loss(output, mixed, mask).getFloat(), 1e-5);
        // with weight 1 the class label is gone: the loss is the teacher's cross-entropy alone
        NDArray soft = head.distillationLabels(labels, mask, p, 1f);
        double teacherOnly = 0;
        for (int c = 0; c < 3; c++) {
            teacherOnly -= p0[c] * Math.log(q[c]);
        }
        assertEquals(teacherOnly, head.loss(output, soft, mask).getFloat(), 1e-5);
    }

    private static double[] softmax(double[] x) {
        double sum = 0;
        for (double v : x) {
            sum += Math.exp(v);
        }
        double[] p = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            p[i] = Math.exp(x[i]) / sum;
        }
        return p;
    }

    @Test
    void maskedCrossEntropyMatchesHandComputation() {
        MultiClassHead head = head(Map.of(), 3);
        double[][] x = {{0.5, -1.2, 2.0}, {0.3, 1.5, -0.7}};
        NDArray output = manager.create(new float[] {0.5f, -1.2f, 2f, 0.3f, 1.5f, -0.7f}, new Shape(2, 3));
        NDArray labels = manager.create(new float[] {0, 2});

        assertEquals(crossEntropy(x[0], 0, 0), head.loss(output, labels, manager.create(new float[] {1, 0})).getFloat(), 1e-5);
        assertEquals((crossEntropy(x[0], 0, 0) + crossEntropy(x[1], 2, 0)) / 2,
                head.loss(output, labels, manager.ones(new Shape(2))).getFloat(), 1e-5);

        NDArray none = manager.zeros(new Shape(2));
        assertEquals(0f, head.loss(output, labels, none).getFloat());
        assertEquals(new Shape(), head.loss(output, labels, none).getShape());
    }

    @Test
    void labelSmoothingMatchesHandComputation() {
        MultiClassHead head = head(Map.of("labelSmoothing", 0.1), 3);
        double[][] x = {{0.5, -1.2, 2.0}, {0.3, 1.5, -0.7}};
        NDArray output = manager.create(new float[] {0.5f, -1.2f, 2f, 0.3f, 1.5f, -0.7f}, new Shape(2, 3));
        NDArray labels = manager.create(new float[] {0, 2});
        assertEquals((crossEntropy(x[0], 0, 0.1) + crossEntropy(x[1], 2, 0.1)) / 2,
                head.loss(output, labels, manager.ones(new Shape(2))).getFloat(), 1e-5);
        assertEquals(crossEntropy(x[1], 2, 0.1), head.loss(output, labels, manager.create(new float[] {0, 1})).getFloat(), 1e-5);
    }

    @Test
    void unlabelledNanLabelsDoNotLeak() {
        MultiClassHead head = head(Map.of(), 3);
        NDArray output = manager.create(new float[] {0.5f, -1.2f, 2f, 0.3f, 1.5f, -0.7f}, new Shape(2, 3));
        NDArray labels = manager.create(new float[] {1, Float.NaN});
        assertEquals(crossEntropy(new double[] {0.5, -1.2, 2.0}, 1, 0),
                head.loss(output, labels, manager.create(new float[] {1, 0})).getFloat(), 1e-5);
    }

    @Test
    void crossEntropyIsStableAtExtremeLogits() {
        MultiClassHead head = head(Map.of(), 3);
        NDArray output = manager.create(new float[] {100, -100, 0, -100, 100, 0}, new Shape(2, 3));
        // row 0 is right (class 0), row 1 is wrong (class 0 at -100, the winner at +100): cost 200
        NDArray labels = manager.create(new float[] {0, 0});
        assertEquals(0f, head.loss(output, labels, manager.create(new float[] {1, 0})).getFloat(), 1e-6);
        assertEquals(200f, head.loss(output, labels, manager.create(new float[] {0, 1})).getFloat(), 1e-3);
        assertEquals(100f, head.loss(output, labels, manager.ones(new Shape(2))).getFloat(), 1e-3);
        float[] scores = head.scores(output).toFloatArray();
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0}, scores, 1e-6f);
    }

    @Test
    void labelOutsideTheClassesFails() {
        MultiClassHead head = head(Map.of(), 3);
        NDArray output = manager.zeros(new Shape(2, 3));
        assertThrows(RuntimeException.class,
                () -> head.loss(output, manager.create(new float[] {0, 3}), manager.ones(new Shape(2))).getFloat());
    }

    @Test
    void noLabelledRowGivesNoGradient() {
        MultiClassHead head = head(Map.of("tower", List.of(8)), 3);
        Block block = head.createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(4, 6));
        NDArray x = manager.randomNormal(new Shape(4, 6));
        NDArray y = manager.create(new float[] {0, 1, 2, 1});
        assertEquals(0f, HeadChecks.maxGradient(manager, head, block, x, y, manager.zeros(new Shape(4))));
        assertTrue(HeadChecks.maxGradient(manager, head, block, x, y, manager.ones(new Shape(4))) > 0f);
    }

    @Test
    void adamReducesTheLoss() {
        manager.getEngine().setRandomSeed(7);
        MultiClassHead head = head(Map.of("tower", List.of(16)), 3);
        Block block = head.createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(64, 6));
        NDArray x = manager.randomNormal(new Shape(64, 6));
        // class 0, 1 or 2 by the sign pattern of the first two features
        NDArray y = x.get(":, 0").gt(0).toType(DataType.FLOAT32, false)
                .add(x.get(":, 1").gt(0).toType(DataType.FLOAT32, false));
        NDArray mask = manager.ones(new Shape(64));
        float[] losses = HeadChecks.fit(manager, head, block, x, y, mask, 60);
        assertTrue(losses[60] < 0.5f * losses[0], () -> "loss " + losses[0] + " -> " + losses[60]);
    }

    @Test
    void saveAndLoadGiveIdenticalOutputs() throws Exception {
        MultiClassHead head = head(Map.of("tower", List.of(8, 4), "dropout", 0.2), 3);
        Block trained = head.createBlock();
        trained.initialize(manager, DataType.FLOAT32, new Shape(3, 6));
        NDArray train = manager.randomNormal(new Shape(3, 6));
        HeadChecks.fit(manager, head, trained, train, manager.create(new float[] {0, 1, 2}), manager.ones(new Shape(3)), 5);
        Block fresh = head(Map.of("tower", List.of(8, 4), "dropout", 0.2), 3).createBlock();
        Parameters.copy(manager, trained, fresh);
        NDArray x = manager.randomNormal(new Shape(3, 6));
        assertArrayEquals(forward(trained, x).toFloatArray(), forward(fresh, x).toFloatArray());
    }

    @Test
    void factoryRejectsASingleClass() {
        dev.taskweave.api.InvalidConfigException e = assertThrows(dev.taskweave.api.InvalidConfigException.class,
                () -> new MultiClassHeadFactory().create(new MultiClassHeadConfig(), context(1)));
        assertTrue(e.getMessage().contains("'age'"), e.reason());
        assertTrue(e.getMessage().contains("multiclass"), e.reason());
        TaskContext scalar = new TaskContext("age", "rating", 6, new LabelStatistics(100, 3.5, 1.0));
        dev.taskweave.api.InvalidConfigException column = assertThrows(dev.taskweave.api.InvalidConfigException.class,
                () -> new MultiClassHeadFactory().create(new MultiClassHeadConfig(), scalar));
        assertTrue(column.getMessage().contains("'age'"), column.getMessage());
    }

    @Test
    void factoryRejectsAMultiLabelAttributeAndAcceptsAnUnknownKind() {
        TaskContext genres = new TaskContext("genre", "item_genres", 6, new LabelStatistics(100, 0.1, 0.09), 19, true,
                dev.taskweave.api.data.EntityAttribute.Kind.MULTI_LABEL);
        dev.taskweave.api.InvalidConfigException e = assertThrows(dev.taskweave.api.InvalidConfigException.class,
                () -> new MultiClassHeadFactory().create(new MultiClassHeadConfig(), genres));
        assertEquals("task 'genre': head 'multiclass' cannot read attribute 'item_genres', which gives each entity a set of 19 flags,"
                + " any number of them set; use head 'multilabel'", e.reason());
        // a class attribute, and one of a model saved before the kind was recorded, are read
        new MultiClassHeadFactory().create(new MultiClassHeadConfig(), new TaskContext("age", "user_age", 6,
                new LabelStatistics(100, 1.2, 0.8), 4, true, dev.taskweave.api.data.EntityAttribute.Kind.CLASS));
        new MultiClassHeadFactory().create(new MultiClassHeadConfig(), context(4));
    }

    @Test
    void identity() {
        MultiClassHead head = head(Map.of(), 5);
        assertEquals(List.of("accuracy", "macro_f1"), head.defaultMetrics());
        assertEquals(5, head.outputWidth());
        assertEquals(0, head.negativesPerPositive());
    }

    @Test
    void meetsTheHeadContract() {
        Engine.getInstance().setRandomSeed(11);
        HeadChecks.assertContract(manager, head(Map.of("tower", List.of(8), "labelSmoothing", 0.1), 3),
                manager.randomNormal(new Shape(8, 6)), manager.create(new float[] {0, 2, 1, 1, 0, 2, 2, 0}));
    }
}
