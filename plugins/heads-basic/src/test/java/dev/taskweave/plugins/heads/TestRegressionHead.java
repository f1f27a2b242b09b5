package dev.taskweave.plugins.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

class TestRegressionHead {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static RegressionHead head(Map<String, ?> params, double mean) {
        RegressionHeadConfig config = PluginConfigs.bind(params, RegressionHeadConfig.class);
        return (RegressionHead) new RegressionHeadFactory()
                .create(config, new TaskContext("rating", "rating", 6, new LabelStatistics(100, mean, 1.0)));
    }

    private NDArray forward(Block block, NDArray x) {
        return block.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
    }

    @Test
    void outputShapes() {
        for (List<Integer> tower : List.of(List.<Integer>of(), List.of(8), List.of(16, 4))) {
            RegressionHead head = head(Map.of("tower", tower, "dropout", 0.1), 3.5);
            Block block = head.createBlock();
            block.initialize(manager, DataType.FLOAT32, new Shape(5, 6));
            assertArrayEquals(new Shape[] {new Shape(5, 1)}, block.getOutputShapes(new Shape[] {new Shape(5, 6)}));
            NDArray output = forward(block, manager.randomNormal(new Shape(5, 6)));
            assertEquals(new Shape(5, 1), output.getShape());
            assertEquals(new Shape(5), head.scores(output).getShape());
        }
    }

    @Test
    void maskedMeanSquaredError() {
        RegressionHead head = head(Map.of(), 0);
        NDArray output = manager.create(new float[] {1, 2, 3}, new Shape(3, 1));
        NDArray labels = manager.create(new float[] {1, 0, 5});
        assertEquals(2.0f, head.loss(output, labels, manager.create(new float[] {1, 0, 1})).getFloat(), 1e-6);
        assertEquals((0 + 4 + 4) / 3.0f, head.loss(output, labels, manager.create(new float[] {1, 1, 1})).getFloat(), 1e-6);
        assertEquals(0f, head.loss(output, labels, manager.zeros(new Shape(3))).getFloat());
        assertEquals(new Shape(), head.loss(output, labels, manager.zeros(new Shape(3))).getShape());
    }

    @Test
    void aTeachersValueIsTheTargetAsItIsNotClipped() {
        RegressionHead head = head(Map.of("minScore", 1.0, "maxScore", 5.0), 3);
        assertTrue(head.distillable());
        NDArray teacher = manager.create(new float[] {3.25f, 5.5f, 0.5f}, new Shape(3, 1));
        NDArray target = head.distillationTarget(teacher);
        assertEquals(new Shape(3), target.getShape());
        assertArrayEquals(new float[] {3.25f, 5.5f, 0.5f}, target.toFloatArray());
        // what the runtime trains towards at weight 0.5: the mean of label and target; squared errors by hand
        NDArray labels = manager.create(new float[] {4, 5, 1});
        NDArray mixed = labels.mul(0.5f).add(target.mul(0.5f));
        NDArray output = manager.create(new float[] {3.5f, 5f, 1f}, new Shape(3, 1));
        double expected = (Math.pow(3.5 - 3.625, 2) + Math.pow(5 - 5.25, 2) + Math.pow(1 - 0.75, 2)) / 3;
        assertEquals(expected, head.loss(output, mixed, manager.ones(new Shape(3))).getFloat(), 1e-6);
    }

    @Test
    void unlabelledNanLabelsDoNotLeak() {
        RegressionHead head = head(Map.of(), 0);
        NDArray output = manager.create(new float[] {1, 2, 3}, new Shape(3, 1));
        NDArray labels = manager.create(new float[] {1, Float.NaN, 5});
        assertEquals(2.0f, head.loss(output, labels, manager.create(new float[] {1, 0, 1})).getFloat(), 1e-6);
    }

    @Test
    void scoresClipOnlyWhenConfigured() {
        NDArray output = manager.create(new float[] {-1, 3, 9}, new Shape(3, 1));
        assertArrayEquals(new float[] {-1, 3, 9}, head(Map.of(), 0).scores(output).toFloatArray());
        RegressionHead clipped = head(Map.of("minScore", 1.0, "maxScore", 5.0), 0);
        assertArrayEquals(new float[] {1, 3, 5}, clipped.scores(output).toFloatArray());
        NDArray labels = manager.create(new float[] {-1, 3, 9});
        assertEquals(0f, clipped.loss(output, labels, manager.ones(new Shape(3))).getFloat(), "loss uses raw output");
    }

    @Test
    void initialPredictionIsTheLabelMean() {
        RegressionHead head = head(Map.of("tower", List.of(8)), 3.5);
        assertEquals(3.5f, head.offset());
        Block block = head.createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(4, 6));
        // with a zero input every bias (initialised to 0) leaves only the offset
        assertArrayEquals(new float[] {3.5f, 3.5f, 3.5f, 3.5f},
                head.scores(forward(block, manager.zeros(new Shape(4, 6)))).toFloatArray(), 1e-6f);
        // with small random inputs the average prediction stays near the mean
        float mean = forward(block, manager.randomNormal(0, 0.01f, new Shape(256, 6), DataType.FLOAT32)).mean().getFloat();
        assertEquals(3.5f, mean, 0.05f);
    }

    @Test
    void noCenteringWithoutStatisticsOrWhenDisabled() {
        assertEquals(0f, head(Map.of("centerOnMean", false), 3.5).offset());
        RegressionHead empty = (RegressionHead) new RegressionHeadFactory().create(new RegressionHeadConfig(),
                new TaskContext("r", "r", 6, new LabelStatistics(0, Double.NaN, Double.NaN)));
        assertEquals(0f, empty.offset());
    }

    @Test
    void adamReducesTheLoss() {
        manager.getEngine().setRandomSeed(7);
        RegressionHead head = head(Map.of("tower", List.of(16)), 0);
        Block block = head.createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(64, 6));
        NDArray x = manager.randomNormal(new Shape(64, 6));
        NDArray y = x.get(":, 0").mul(2).sub(x.get(":, 1")).add(1);
        NDArray mask = manager.ones(new Shape(64));
        float[] losses = HeadChecks.fit(manager, head, block, x, y, mask, 60);
        assertTrue(losses[60] < 0.2f * losses[0], () -> "loss " + losses[0] + " -> " + losses[60]);
    }

    @Test
    void saveAndLoadGiveIdenticalOutputs() throws Exception {
        RegressionHead head = head(Map.of("tower", List.of(8, 4), "dropout", 0.2), 3.5);
        Block trained = head.createBlock();
        trained.initialize(manager, DataType.FLOAT32, new Shape(3, 6));
        NDArray train = manager.randomNormal(new Shape(3, 6));
        HeadChecks.fit(manager, head, trained, train, manager.create(new float[] {1, 2, 3}), manager.ones(new Shape(3)), 5);
        // a head built from different statistics still restores the saved offset
        Block fresh = head(Map.of("tower", List.of(8, 4), "dropout", 0.2), -1.0).createBlock();
        Parameters.copy(manager, trained, fresh);
        NDArray x = manager.randomNormal(new Shape(3, 6));
        assertArrayEquals(forward(trained, x).toFloatArray(), forward(fresh, x).toFloatArray());
    }

    @Test
    void identity() {
        RegressionHead head = head(Map.of(), 0);
        assertEquals(List.of("rmse", "mae"), head.defaultMetrics());
        assertEquals(1, head.outputWidth());
        assertEquals(0, head.negativesPerPositive());
        assertEquals(4.5f, head.encodeLabel(4.5f));
        assertTrue(Float.isNaN(head.encodeLabel(Float.NaN)));
    }

    @Test
    void meetsTheHeadContract() {
        Engine.getInstance().setRandomSeed(11);
        HeadChecks.assertContract(manager, head(Map.of("tower", List.of(8), "minScore", 1.0, "maxScore", 5.0), 3.0),
                manager.randomNormal(new Shape(8, 6)), manager.create(new float[] {1, 5, 3, 4, 2, 4, 5, 1}));
    }

    private static List<String> warnings(Map<String, ?> params, LabelStatistics statistics, boolean stored) {
        RegressionHeadConfig config = PluginConfigs.bind(params, RegressionHeadConfig.class);
        TaskContext context = new TaskContext("rating", "rating", 6, statistics, 1, false, null, stored);
        RegressionHeadFactory factory = new RegressionHeadFactory();
        factory.create(config, context); // the runtime asks only about a head it could create
        return factory.warnings(config, context);
    }

    @Test
    void labelsOutsideTheScoreRangeAreSaid() {
        Map<String, Double> oneToFive = Map.of("minScore", 1.0, "maxScore", 5.0);
        // ratings 1 to 10 (mean 5.5) against a range of 1 to 5
        assertEquals(List.of("the 1,200 training labels of task rating run from 1 to 10, outside minScore 1 / maxScore 5: its"
                + " scores (predictions and metrics) are clipped to that range, so they cannot reach the labels above it; widen"
                + " the range or leave it out"), warnings(oneToFive, new LabelStatistics(1200, 5.5, 8.25, 1200, 1, 10), false));
        // below the range, and both sides of it
        assertEquals(List.of("the 3 training labels of task rating run from 0.5 to 4, outside minScore 1 / maxScore 5: its scores"
                + " (predictions and metrics) are clipped to that range, so they cannot reach the labels below it; widen the range"
                + " or leave it out"), warnings(oneToFive, new LabelStatistics(3, 2.5, 2, 3, 0.5, 4), false));
        assertTrue(warnings(Map.of("minScore", 2.0, "maxScore", 3.5), new LabelStatistics(3, 2.5, 2, 3, 1.25, 4), false).get(0)
                .contains("run from 1.25 to 4, outside minScore 2 / maxScore 3.5: its scores (predictions and metrics) are clipped"
                        + " to that range, so they cannot reach the labels beyond it;"));
    }

    @Test
    void noWarningWhenTheLabelsFitOrTheirRangeIsNotKnown() {
        Map<String, Double> oneToFive = Map.of("minScore", 1.0, "maxScore", 5.0);
        // labels on the bounds are within the range
        assertEquals(List.of(), warnings(oneToFive, new LabelStatistics(100, 3, 1, 100, 1, 5), false));
        assertEquals(List.of(), warnings(oneToFive, new LabelStatistics(100, 3, 0.5, 100, 2, 4), false));
        // labels are float32: 0.3 read as a float is 0.30000001 as a double, which is not above maxScore 0.3 (the output is clipped in float32)
        assertEquals(List.of(), warnings(Map.of("minScore", 0.1, "maxScore", 0.3), new LabelStatistics(100, 0.2, 0.01, 100, 0.1f, 0.3f),
                false));
        // no range set: nothing is clipped
        assertEquals(List.of(), warnings(Map.of(), new LabelStatistics(100, 5.5, 8.25, 100, 1, 10), false));
        // statistics without a range (a model saved before it was recorded), no labelled row
        assertEquals(List.of(), warnings(oneToFive, new LabelStatistics(100, 5.5, 8.25), false));
        assertEquals(List.of(), warnings(oneToFive, new LabelStatistics(0, Double.NaN, Double.NaN), false));
        // a model trained before, made again to load it
        assertEquals(List.of(), warnings(oneToFive, new LabelStatistics(100, 5.5, 8.25, 100, 1, 10), true));
    }
}
