package dev.taskweave.plugins.weighting.dynamic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.taskweave.api.model.GradientCombiner;
import dev.taskweave.api.model.SharedParameter;
import dev.taskweave.api.model.StatefulWeighting;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GradNorm's and DWA's state survives a save and a load into a new instance. */
class TestWeightingState {
    private static GradNormWeighting gradnorm() {
        GradNormConfig config = new GradNormConfig();
        config.setAlpha(1);
        config.setLearningRate(0.1);
        GradNormWeighting w = (GradNormWeighting) new GradNormWeightingFactory().create(config, Harness.context(2));
        w.layout(List.of(new SharedParameter("embedding", 0, 2, false), new SharedParameter("expert", 2, 1, true)));
        return w;
    }

    private static DwaWeighting dwa(int tasks) {
        DwaConfig config = new DwaConfig();
        config.setTemperature(2);
        return (DwaWeighting) new DwaWeightingFactory().create(config, Harness.context(tasks));
    }

    @Test
    void gradNormWeightsAndInitialLossesRoundTrip() throws IOException {
        GradNormWeighting trained = gradnorm();
        float[][] g = {{100, 0, 1}, {0, 0, 3}};
        // first step: L(0) = (0.5, 2), relative losses 1, so targets are the mean norm 2: task 0
        // below (+0.1), task 1 above (-0.3), rescaled to sum 2
        trained.combine(g, new float[] {0.5f, 2f});
        double[] weights = {1.1 * 2 / 1.8, 0.7 * 2 / 1.8};
        assertArrayEquals(weights, trained.currentWeights(), 1e-12);
        assertArrayEquals(new double[] {0.5, 2}, trained.initialLosses());

        GradNormWeighting loaded = gradnorm();
        load(loaded, save(trained));
        assertArrayEquals(trained.currentWeights(), loaded.currentWeights());
        assertArrayEquals(trained.initialLosses(), loaded.initialLosses());

        // the next step only agrees with the state: L(0) decides the relative losses
        float[] losses = {0.25f, 1.5f};
        GradientCombiner.Combined a = trained.combine(g, losses);
        GradientCombiner.Combined b = loaded.combine(g, losses);
        assertArrayEquals(a.taskWeights(), b.taskWeights());
        assertArrayEquals(a.sharedGradient(), b.sharedGradient());
        assertArrayEquals(trained.currentWeights(), loaded.currentWeights());
        GradNormWeighting fresh = gradnorm();
        fresh.combine(g, losses);
        assertFalse(Arrays.equals(trained.currentWeights(), fresh.currentWeights()));
    }

    @Test
    void gradNormBlockReportsTheCurrentWeights() throws IOException {
        GradNormWeighting trained = gradnorm();
        trained.combine(new float[][] {{100, 0, 1}, {0, 0, 3}}, new float[] {0.5f, 2f});
        GradNormWeighting loaded = gradnorm();
        load(loaded, save(trained));
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = Harness.initialized(manager, loaded.createBlock(), 2);
            NDList out = Harness.forward(manager, block, new float[] {2, 3}, new float[] {1, 1}, false);
            float w0 = (float) (1.1 * 2 / 1.8);
            float w1 = (float) (0.7 * 2 / 1.8);
            assertArrayEquals(new float[] {w0, w1}, out.get(1).toFloatArray(), 1e-6f);
            assertEquals(2 * w0 + 3 * w1, out.get(0).getFloat(), 1e-5);
        }
    }

    @Test
    void dwaWeightsAndPreviousLossesRoundTrip() throws IOException {
        DwaWeighting trained = dwa(2);
        trained.epochEnded(1, new double[] {0.8, 0.6});
        trained.epochEnded(2, new double[] {0.8, 0.3});
        // 2 * softmax((1.0, 0.5) / 2)
        double a = Math.exp(0.5);
        double b = Math.exp(0.25);
        float[] weights = {(float) (2 * a / (a + b)), (float) (2 * b / (a + b))};
        assertArrayEquals(weights, trained.currentWeights(), 1e-6f);

        DwaWeighting loaded = dwa(2);
        load(loaded, save(trained));
        assertArrayEquals(trained.currentWeights(), loaded.currentWeights());
        assertArrayEquals(new double[] {0.8, 0.3}, loaded.previousLosses());
        assertEquals(2, loaded.previousEpoch());
        // a resumed epoch 3 continues from epoch 2's losses: r = (0.5, 1.0), the weights swap
        loaded.epochEnded(3, new double[] {0.4, 0.3});
        assertArrayEquals(new float[] {weights[1], weights[0]}, loaded.currentWeights(), 1e-6f);
    }

    @Test
    void dwaBeforeTheFirstEpochRoundTripsToOnes() throws IOException {
        DwaWeighting loaded = dwa(3);
        load(loaded, save(dwa(3)));
        assertArrayEquals(new float[] {1, 1, 1}, loaded.currentWeights());
        assertNull(loaded.previousLosses());
        assertEquals(0, loaded.previousEpoch());
    }

    @Test
    void stateForAnotherTaskCountIsRejected() throws IOException {
        IOException dwa = assertThrows(IOException.class, () -> load(dwa(2), save(dwa(3))));
        assertEquals("the dwa state has 3 tasks, the model 2", dwa.getMessage());
        byte[] state = save(gradnorm());
        state[0] = 9;
        IOException version = assertThrows(IOException.class, () -> load(gradnorm(), state));
        assertEquals("unsupported gradnorm state version 9", version.getMessage());
    }

    private static byte[] save(StatefulWeighting weighting) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            weighting.saveState(out);
        }
        return bytes.toByteArray();
    }

    private static void load(StatefulWeighting weighting, byte[] state) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            weighting.loadState(in);
        }
    }
}
