package dev.taskweave.plugins.sharing.advanced;

import static dev.taskweave.testkit.Blocks.forward;
import static dev.taskweave.testkit.Blocks.parameterCount;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class CrossStitchBlockTest {
    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private CrossStitchBlock initialized(int tasks, List<Integer> layers, double selfWeight) {
        Block block = Strategies.create("cross-stitch", tasks, 10, Map.of("layers", layers, "selfWeight", selfWeight))
                .createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(4, 10));
        return assertInstanceOf(CrossStitchBlock.class, block);
    }

    private static NDArray alpha(Block block, int layer) {
        return TestSupport.parameter(block, "alpha" + layer).getArray();
    }

    @Test
    void countsParameters() {
        // input 10, layers [8, 4], 2 tasks:
        //   2 columns 10->8->4:           2 * (10*8+8 + 8*4+4) = 2 * 124 = 248
        //   2 cross-stitch units 2x2:     2 * 4                          = 8
        //   total                                                         = 256
        assertEquals(256, parameterCount(initialized(2, List.of(8, 4), 0.9)));
        // 3 tasks: 3 * 124 + 2 * 9 = 390
        assertEquals(390, parameterCount(initialized(3, List.of(8, 4), 0.9)));
        // 1 task: 124 + 2 * 1 = 126
        assertEquals(126, parameterCount(initialized(1, List.of(8, 4), 0.9)));
    }

    @Test
    void unitsStartFromSelfWeight() {
        CrossStitchBlock three = initialized(3, List.of(8, 4), 0.9);
        float[] expected = {0.9f, 0.05f, 0.05f, 0.05f, 0.9f, 0.05f, 0.05f, 0.05f, 0.9f};
        for (int layer = 0; layer < 2; layer++) {
            assertEquals(new Shape(3, 3), alpha(three, layer).getShape());
            assertArrayEquals(expected, alpha(three, layer).toFloatArray(), 1e-7f);
        }
        assertArrayEquals(new float[] {0.6f, 0.4f, 0.4f, 0.6f},
                alpha(initialized(2, List.of(4), 0.6), 0).toFloatArray(), 1e-7f);
        assertArrayEquals(new float[] {1f}, alpha(initialized(1, List.of(4), 0.3), 0).toFloatArray(),
                "one task: the identity whatever selfWeight is");
        assertArrayEquals(new float[] {0f, 1f, 1f, 0f}, alpha(initialized(2, List.of(4), 0.0), 0).toFloatArray());
    }

    @Test
    void selfWeightOneIsSeparateColumns() {
        CrossStitchBlock stitched = initialized(3, List.of(8, 4), 1.0);
        Block separate = Strategies.create("separate", 3, 10, Map.of("layers", List.of(8, 4))).createBlock();
        separate.initialize(manager, DataType.FLOAT32, new Shape(4, 10));
        TestSupport.copyParameters(stitched, separate, "alpha"); // the same column layout, in order
        NDArray x = manager.randomNormal(new Shape(4, 10));
        NDList expected = forward(manager, separate, x);
        NDList actual = forward(manager, stitched, x);
        for (int t = 0; t < 3; t++) {
            assertArrayEquals(expected.get(t).toFloatArray(), actual.get(t).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void unitsMixTheColumns() {
        CrossStitchBlock block = initialized(2, List.of(8, 4), 1.0);
        NDArray x = manager.randomNormal(new Shape(4, 10));
        NDList independent = forward(manager, block, x);
        assertFalse(independent.get(0).allClose(independent.get(1)));

        // the last unit averaging both columns hands both tasks the same representation
        manager.create(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, new Shape(2, 2)).copyTo(alpha(block, 1));
        NDList averaged = forward(manager, block, x);
        assertArrayEquals(averaged.get(0).toFloatArray(), averaged.get(1).toFloatArray(), 1e-6f);
        NDArray mean = independent.get(0).add(independent.get(1)).div(2);
        assertTrue(mean.allClose(averaged.get(0), 1e-5, 1e-6, false));

        // swapping the columns after the last layer swaps the outputs
        manager.create(new float[] {0, 1, 1, 0}, new Shape(2, 2)).copyTo(alpha(block, 1));
        NDList swapped = forward(manager, block, x);
        assertArrayEquals(independent.get(0).toFloatArray(), swapped.get(1).toFloatArray(), 1e-6f);
        assertArrayEquals(independent.get(1).toFloatArray(), swapped.get(0).toFloatArray(), 1e-6f);

        // a unit after the first layer changes what the next layer reads
        manager.create(new float[] {0.7f, 0.3f, 0.2f, 0.8f}, new Shape(2, 2)).copyTo(alpha(block, 0));
        NDList mixedEarly = forward(manager, block, x);
        assertFalse(swapped.get(0).allClose(mixedEarly.get(0)));
    }

    @Test
    void unitsReceiveGradients() {
        CrossStitchBlock block = initialized(2, List.of(8, 4), 0.9);
        NDArray x = manager.randomNormal(new Shape(4, 10));
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDList out = block.forward(new ParameterStore(manager, false), new NDList(x), true);
            collector.backward(out.get(0).sum().add(out.get(1).mul(2).sum()));
        }
        for (int layer = 0; layer < 2; layer++) {
            Parameter alpha = TestSupport.parameter(block, "alpha" + layer);
            assertTrue(alpha.requiresGradient());
            NDArray gradient = alpha.getArray().getGradient();
            assertNotNull(gradient);
            assertTrue(gradient.abs().sum().getFloat() > 0, "alpha" + layer + " gets a gradient");
        }
    }
}
