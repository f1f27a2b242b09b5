package dev.taskweave.plugins.weighting.dynamic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TestRlw {
    private static final float[] LOSSES = {2, 3, 5, 7};
    private static final float[] ALL = {1, 1, 1, 1};

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Block block(int tasks) {
        return Harness.initialized(manager,
                new RlwWeightingFactory().create(new RlwConfig(), Harness.context(tasks)).createBlock(), tasks);
    }

    @Test
    void trainingWeightsAreNonNegativeAndSumToT() {
        Block block = block(4);
        float[] previous = null;
        for (int step = 0; step < 20; step++) {
            NDList out = Harness.forward(manager, block, LOSSES, ALL, true);
            float[] w = out.get(1).toFloatArray();
            double sum = 0;
            double total = 0;
            for (int t = 0; t < 4; t++) {
                assertTrue(w[t] >= 0);
                sum += w[t];
                total += w[t] * LOSSES[t];
            }
            assertEquals(4, sum, 1e-5);
            assertEquals(total, out.get(0).getFloat(), 1e-4);
            assertEquals(new Shape(), out.get(0).getShape());
            assertFalse(Arrays.equals(previous, w), "a fresh draw every step");
            previous = w;
        }
    }

    @Test
    void inferenceWeightsAreOne() {
        NDList out = Harness.forward(manager, block(4), LOSSES, ALL, false);
        assertArrayEquals(ALL, out.get(1).toFloatArray());
        assertEquals(17f, out.get(0).getFloat(), 1e-6);
    }

    @Test
    void sameEngineSeedSameWeights() {
        Block block = block(4);
        Engine.getInstance().setRandomSeed(1234);
        float[] first = Harness.forward(manager, block, LOSSES, ALL, true).get(1).toFloatArray();
        float[] second = Harness.forward(manager, block, LOSSES, ALL, true).get(1).toFloatArray();
        Engine.getInstance().setRandomSeed(1234);
        assertArrayEquals(first, Harness.forward(manager, block, LOSSES, ALL, true).get(1).toFloatArray());
        assertArrayEquals(second, Harness.forward(manager, block(4), LOSSES, ALL, true).get(1).toFloatArray());
    }

    @Test
    void absentTasksContributeNothing() {
        Block block = block(3);
        for (int step = 0; step < 10; step++) {
            NDList out = Harness.forward(manager, block, new float[] {2, Float.NaN, 5}, new float[] {1, 0, 1}, true);
            float[] w = out.get(1).toFloatArray();
            assertEquals(0f, w[1]);
            assertFalse(Float.isNaN(out.get(0).getFloat()));
            assertEquals(2 * w[0] + 5 * w[2], out.get(0).getFloat(), 1e-5);
        }
        NDList none = Harness.forward(manager, block, new float[] {Float.NaN, Float.NaN, Float.NaN}, new float[3], true);
        assertEquals(0f, none.get(0).getFloat());
        assertArrayEquals(new float[3], none.get(1).toFloatArray());
    }
}
