package dev.taskweave.plugins.weighting.dynamic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TestDwa {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static DwaWeighting dwa(int tasks, double temperature) {
        DwaConfig config = new DwaConfig();
        config.setTemperature(temperature);
        return (DwaWeighting) new DwaWeightingFactory().create(config, Harness.context(tasks));
    }

    /** 2 * softmax((0.5, 0.25)): r = (1.0, 0.5) at temperature 2. */
    private static float[] expectedTwoTasks() {
        double a = Math.exp(0.5);
        double b = Math.exp(0.25);
        return new float[] {(float) (2 * a / (a + b)), (float) (2 * b / (a + b))};
    }

    @Test
    void weightsByHand() {
        DwaWeighting dwa = dwa(2, 2);
        assertArrayEquals(new float[] {1, 1}, dwa.currentWeights());
        dwa.epochEnded(1, new double[] {0.8, 0.6});
        // epoch 2 still uses ones
        assertArrayEquals(new float[] {1, 1}, dwa.currentWeights());
        dwa.epochEnded(2, new double[] {0.8, 0.3});
        assertArrayEquals(expectedTwoTasks(), dwa.currentWeights(), 1e-6f);
        assertArrayEquals(expectedTwoTasks(), DwaWeights.weights(new double[] {0.8, 0.6}, new double[] {0.8, 0.3}, 2),
                1e-6f);
        // the next epoch uses epochs 2 and 3: r = (0.5, 1.0)
        dwa.epochEnded(3, new double[] {0.4, 0.3});
        float[] swapped = expectedTwoTasks();
        assertArrayEquals(new float[] {swapped[1], swapped[0]}, dwa.currentWeights(), 1e-6f);
    }

    @Test
    void blockAppliesTheCurrentWeightsToPresentTasks() {
        DwaWeighting dwa = dwa(3, 2);
        Block block = Harness.initialized(manager, dwa.createBlock(), 3);
        float[] losses = {2, 3, Float.NaN};
        float[] present = {1, 1, 0};
        NDList out = Harness.forward(manager, block, losses, present, true);
        assertEquals(5f, out.get(0).getFloat(), 1e-6);
        assertArrayEquals(new float[] {1, 1, 0}, out.get(1).toFloatArray());
        dwa.epochEnded(1, new double[] {1, 1, 1});
        dwa.epochEnded(2, new double[] {1, 0.5, 2});
        float[] w = dwa.currentWeights();
        for (boolean training : new boolean[] {true, false}) {
            out = Harness.forward(manager, block, losses, present, training);
            assertEquals(2 * w[0] + 3 * w[1], out.get(0).getFloat(), 1e-5);
            assertArrayEquals(new float[] {w[0], w[1], 0}, out.get(1).toFloatArray(), 1e-6f);
        }
        assertEquals(3, w[0] + w[1] + w[2], 1e-5);
    }

    @Test
    void taskAbsentAllEpochKeepsWeightOne() {
        // task 1 has no loss in epoch 1: it keeps 1, the others share the remaining 2
        float[] w = DwaWeights.weights(new double[] {0.8, Double.NaN, 0.6}, new double[] {0.8, 0.5, 0.3}, 2);
        assertEquals(1f, w[1]);
        float[] expected = expectedTwoTasks();
        assertArrayEquals(new float[] {expected[0], 1, expected[1]}, w, 1e-6f);
        // a zero older loss has no ratio either
        assertArrayEquals(new float[] {1, 1}, DwaWeights.weights(new double[] {0, Double.NaN}, new double[] {1, 1}, 2));
    }

    @Test
    void largeRatiosDoNotOverflow() {
        // exp(1e5) and exp(1e302) overflow a double; the softmax is taken after subtracting the maximum
        float[] w = DwaWeights.weights(new double[] {1e-3, 1}, new double[] {1, 1}, 0.01);
        assertArrayEquals(new float[] {2, 0}, w, 1e-6f);
        w = DwaWeights.weights(new double[] {1e-300, 1}, new double[] {1, 1}, 0.01);
        assertArrayEquals(new float[] {2, 0}, w, 1e-6f);
        // an infinite ratio is undefined: that task keeps 1, the only other one gets 1
        w = DwaWeights.weights(new double[] {Double.MIN_VALUE, 1}, new double[] {1, 1}, 0.01);
        assertArrayEquals(new float[] {1, 1}, w);
        // a temperature so small that ratio / temperature is infinite: the larger ratio takes all (was NaN for both)
        w = DwaWeights.weights(new double[] {1, 1}, new double[] {2, 1}, 1e-308);
        assertArrayEquals(new float[] {2, 0}, w);
        w = DwaWeights.weights(new double[] {1, 1}, new double[] {2, 2}, 1e-308);
        assertArrayEquals(new float[] {1, 1}, w);
    }

    @Test
    void nonConsecutiveEpochsResetToOnes() {
        DwaWeighting dwa = dwa(2, 2);
        dwa.epochEnded(1, new double[] {0.8, 0.6});
        dwa.epochEnded(3, new double[] {0.8, 0.3});
        assertArrayEquals(new float[] {1, 1}, dwa.currentWeights());
        dwa.epochEnded(4, new double[] {0.8, 0.15});
        assertArrayEquals(expectedTwoTasks(), dwa.currentWeights(), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> dwa.epochEnded(5, new double[] {1}));
    }
}
