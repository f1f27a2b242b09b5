package dev.taskweave.plugins.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.taskweave.api.model.LabelStatistics;
import dev.taskweave.api.model.TaskContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TestHeads {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static TaskContext context(double mean) {
        return new TaskContext("t", "label", 4, new LabelStatistics(10, mean, 1.0));
    }

    private RegressionHead regression(Map<String, ?> params, double mean) {
        return (RegressionHead) new RegressionHeadFactory().create(Configs.bind(params, RegressionHeadConfig.class), context(mean));
    }

    private BinaryHead binary(Map<String, ?> params, double rate) {
        return (BinaryHead) new BinaryHeadFactory().create(Configs.bind(params, BinaryHeadConfig.class), context(rate));
    }

    @Test
    void outputShapes() {
        for (var head : List.of(regression(Map.of(), 3.5), binary(Map.of("tower", List.of(8, 4)), 0.5))) {
            Block block = head.createBlock();
            block.initialize(manager, DataType.FLOAT32, new Shape(5, 4));
            NDArray out = block.forward(new ParameterStore(manager, false), new NDList(manager.ones(new Shape(5, 4))), false)
                    .singletonOrThrow();
            assertEquals(new Shape(5, 1), out.getShape());
            assertEquals(new Shape(5), head.scores(out).getShape());
            assertEquals(new Shape(5, 1), block.getOutputShapes(new Shape[] {new Shape(5, 4)})[0]);
        }
    }

    @Test
    void maskedMseByHand() {
        RegressionHead head = regression(Map.of(), 0);
        NDArray out = manager.create(new float[] {1, 2, 3}, new Shape(3, 1));
        NDArray y = manager.create(new float[] {1, 0, 5});
        // rows 0 and 2 labelled: ((1-1)^2 + (3-5)^2) / 2 = 2
        assertEquals(2f, head.loss(out, y, manager.create(new float[] {1, 0, 1})).getFloat(), 1e-6);
        assertEquals(0f, head.loss(out, y, manager.create(new float[] {0, 0, 0})).getFloat(), 1e-6);
        assertEquals(new Shape(), head.loss(out, y, manager.create(new float[] {1, 1, 1})).getShape());
    }

    @Test
    void maskedBceByHandAndStableAtExtremes() {
        BinaryHead head = binary(Map.of(), 0.5);
        NDArray out = manager.create(new float[] {0.5f, -1f, 2f}, new Shape(3, 1));
        NDArray y = manager.create(new float[] {1, 0, 0});
        double expected = (-Math.log(sigmoid(0.5)) - Math.log(1 - sigmoid(-1))) / 2;
        assertEquals(expected, head.loss(out, y, manager.create(new float[] {1, 1, 0})).getFloat(), 1e-6);
        assertEquals(0f, head.loss(out, y, manager.create(new float[] {0, 0, 0})).getFloat(), 1e-6);
        NDArray extreme = manager.create(new float[] {100f, -100f}, new Shape(2, 1));
        // right with certainty: ~0; wrong with certainty: ~100 each
        assertEquals(0f, head.loss(extreme, manager.create(new float[] {1, 0}), manager.create(new float[] {1, 1})).getFloat(), 1e-6);
        assertEquals(100f, head.loss(extreme, manager.create(new float[] {0, 1}), manager.create(new float[] {1, 1})).getFloat(), 1e-4);
        assertArrayEquals(new float[] {(float) sigmoid(0.5), (float) sigmoid(-1), (float) sigmoid(2)}, head.scores(out).toFloatArray(), 1e-6f);
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @Test
    void labelEncodingAndNegatives() {
        BinaryHead like = binary(Map.of("threshold", 4.0), 0.5);
        assertEquals(1f, like.encodeLabel(4f));
        assertEquals(0f, like.encodeLabel(3f));
        assertTrue(Float.isNaN(like.encodeLabel(Float.NaN)));
        BinaryHead plain = binary(Map.of("negatives", 3), 1.0);
        assertEquals(3, plain.negativesPerPositive());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plain.encodeLabel(5f));
        assertTrue(e.getMessage().contains("5.0"), e.getMessage());
        // the implicit task's positive rate after sampling is 1 / (1 + 3)
        assertEquals(Math.log(0.25 / 0.75), plain.offset(), 1e-6);
    }

    @Test
    void regressionStartsAtTheMeanAndClipsScores() {
        RegressionHead head = regression(Map.of("minScore", 1.0, "maxScore", 5.0), 3.5);
        Block block = head.createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 4));
        NDArray out = block.forward(new ParameterStore(manager, false), new NDList(manager.zeros(new Shape(3, 4))), false)
                .singletonOrThrow();
        // with a zero input every ReLU unit is off, so only the output bias (0) and the offset remain
        assertArrayEquals(new float[] {3.5f, 3.5f, 3.5f}, head.scores(out).toFloatArray(), 1e-6f);
        NDArray far = manager.create(new float[] {-2f, 9f}, new Shape(2, 1));
        assertArrayEquals(new float[] {1f, 5f}, head.scores(far).toFloatArray(), 0f);
    }

    @Test
    void adamLowersBothLossesAndSaveLoadReproduces() throws Exception {
        NDArray x = manager.randomNormal(new Shape(64, 4));
        NDArray w = manager.create(new float[] {1f, -2f, 0.5f, 1.5f}, new Shape(4, 1));
        NDArray target = x.matMul(w).reshape(-1);
        NDArray mask = manager.ones(new Shape(64));

        RegressionHead reg = regression(Map.of("tower", List.of(16)), 0.0);
        Block regBlock = reg.createBlock();
        regBlock.initialize(manager, DataType.FLOAT32, new Shape(64, 4));
        float[] regLosses = Steps.adam(manager, reg, regBlock, x, target, mask, 60);
        assertTrue(regLosses[60] < regLosses[0] * 0.2, regLosses[0] + " -> " + regLosses[60]);

        BinaryHead bin = binary(Map.of("tower", List.of(16)), 0.5);
        Block binBlock = bin.createBlock();
        binBlock.initialize(manager, DataType.FLOAT32, new Shape(64, 4));
        NDArray labels = target.gt(0).toType(DataType.FLOAT32, false);
        float[] binLosses = Steps.adam(manager, bin, binBlock, x, labels, mask, 60);
        assertTrue(binLosses[60] < binLosses[0] * 0.5, binLosses[0] + " -> " + binLosses[60]);

        Block fresh = regression(Map.of("tower", List.of(16)), 0.0).createBlock();
        fresh.initialize(manager, DataType.FLOAT32, new Shape(64, 4));
        Steps.copy(manager, regBlock, fresh);
        ParameterStore ps = new ParameterStore(manager, false);
        assertArrayEquals(regBlock.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray(),
                fresh.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray(), 0f);
    }
}
