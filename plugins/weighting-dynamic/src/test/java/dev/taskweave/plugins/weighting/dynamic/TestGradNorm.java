package dev.taskweave.plugins.weighting.dynamic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.model.GradientCombiner;
import dev.taskweave.api.model.SharedParameter;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestGradNorm {
    private static GradNormWeighting gradnorm(int tasks, double alpha, double learningRate) {
        GradNormConfig config = new GradNormConfig();
        config.setAlpha(alpha);
        config.setLearningRate(learningRate);
        return (GradNormWeighting) new GradNormWeightingFactory().create(config, Harness.context(tasks));
    }

    @Test
    void weightMovesToTheTaskWhoseLossFallsSlower() {
        GradNormWeighting gradnorm = gradnorm(2, 1.5, 0.025);
        // equal gradient norms; task A's loss stays, task B's halves every step
        float[][] g = {{1, 0}, {0, 1}};
        float lossB = 1;
        for (int step = 0; step < 10; step++) {
            GradientCombiner.Combined combined = gradnorm.combine(g, new float[] {1, lossB});
            float[] w = combined.taskWeights();
            assertEquals(2, w[0] + w[1], 1e-6);
            assertArrayEquals(w, combined.sharedGradient(), 1e-6f);
            lossB /= 2;
        }
        double[] w = gradnorm.currentWeights();
        assertTrue(w[0] > 1 && w[1] < 1, w[0] + ", " + w[1]);
        assertEquals(2, w[0] + w[1], 1e-9);
    }

    @Test
    void oneStepByHand() {
        // G = (1 * 2, 1 * 1), mean 1.5; Lrel = (1, 0.5), ratios (4/3, 2/3); alpha = 1
        // targets (2, 1): no change. With alpha = 0: targets 1.5 -> w1 -= lr * 2, w2 += lr * 1
        double[] next = GradNormUpdate.update(new double[] {1, 1}, new double[] {2, 1}, new double[] {1, 0.5}, 1, 0.1);
        assertArrayEquals(new double[] {1, 1}, next, 1e-12);
        next = GradNormUpdate.update(new double[] {1, 1}, new double[] {2, 1}, new double[] {1, 0.5}, 0, 0.1);
        assertArrayEquals(new double[] {0.8 * 2 / 1.9, 1.1 * 2 / 1.9}, next, 1e-12);
        // the sum is kept and no weight falls below the floor
        next = GradNormUpdate.update(new double[] {0.01, 2.99}, new double[] {100, 0}, new double[] {1, 1}, 0, 1);
        assertEquals(3, next[0] + next[1], 1e-12);
        assertTrue(next[0] > 0 && next[0] < 0.01);
    }

    @Test
    void aGradientNormThatIsNotFiniteLeavesTheWeights() {
        // a diverging step (NaN or infinite gradient) made every weight NaN, and the saved state unreadable
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
            double[] next = GradNormUpdate.update(new double[] {0.5, 1.5}, new double[] {bad, 1}, new double[] {1, 0.5}, 1.5, 0.025);
            assertArrayEquals(new double[] {0.5, 1.5}, next);
        }
    }

    @Test
    void referenceNormUsesTheLastLayerOnly() {
        GradNormWeighting gradnorm = gradnorm(2, 0, 0.1);
        gradnorm.layout(List.of(new SharedParameter("embedding", 0, 2, false),
                new SharedParameter("expert", 2, 1, true)));
        // on the last layer (index 2) the norms are 1 and 3; the embedding part is ignored
        float[][] g = {{100, 0, 1}, {0, 0, 3}};
        gradnorm.combine(g, new float[] {1, 1});
        // alpha = 0: target 2 for both; task 0 below (+0.1), task 1 above (-0.3), then rescaled to sum 2
        assertArrayEquals(new double[] {1.1 * 2 / 1.8, 0.7 * 2 / 1.8}, gradnorm.currentWeights(), 1e-12);

        GradNormWeighting unflagged = gradnorm(2, 0, 0.1);
        unflagged.layout(List.of(new SharedParameter("embedding", 0, 3, false)));
        unflagged.combine(g, new float[] {1, 1});
        // all parameters: norms ~100 and 3: task 0 above (-10), task 1 below (+0.3), clamped then rescaled
        double[] w = unflagged.currentWeights();
        assertTrue(w[0] < w[1], w[0] + ", " + w[1]);
    }

    @Test
    void sharedGradientUsesTheWeightsBeforeTheStep() {
        GradNormWeighting gradnorm = gradnorm(2, 0, 0.1);
        float[][] g = {{2, 0}, {0, 1}};
        GradientCombiner.Combined first = gradnorm.combine(g, new float[] {1, 1});
        assertArrayEquals(new float[] {1, 1}, first.taskWeights());
        assertArrayEquals(new float[] {2, 1}, first.sharedGradient());
        double[] w = gradnorm.currentWeights();
        GradientCombiner.Combined second = gradnorm.combine(g, new float[] {1, 1});
        assertArrayEquals(new float[] {(float) w[0], (float) w[1]}, second.taskWeights(), 1e-7f);
        assertArrayEquals(new float[] {(float) (2 * w[0]), (float) w[1]}, second.sharedGradient(), 1e-6f);
    }

    @Test
    void absentTaskKeepsItsWeightAndContributesNothing() {
        GradNormWeighting gradnorm = gradnorm(3, 1.5, 0.05);
        float[][] all = {{1, 0}, {0, 1}, {1, 1}};
        float[] losses = {1, 1, 1};
        gradnorm.combine(all, losses);
        gradnorm.combine(all, new float[] {1, 0.5f, 0.8f});
        double[] before = gradnorm.currentWeights();
        GradientCombiner.Combined combined =
                gradnorm.combine(new float[][] {{1, 0}, null, {0, 2}}, new float[] {0.9f, Float.NaN, 0.7f});
        assertEquals(0f, combined.taskWeights()[1]);
        assertArrayEquals(new float[] {(float) before[0], (float) (2 * before[2])}, combined.sharedGradient(), 1e-6f);
        double[] after = gradnorm.currentWeights();
        assertEquals(before[1], after[1]);
        assertEquals(3, after[0] + after[1] + after[2], 1e-9);
    }

    @Test
    void previewUsesTheCurrentWeightsWithoutUpdatingThem() {
        GradNormWeighting gradnorm = gradnorm(2, 1.5, 0.025);
        float[][] g = {{1, 0}, {0, 1}};
        gradnorm.combine(g, new float[] {1, 1});
        gradnorm.combine(g, new float[] {1, 0.5f});
        double[] before = gradnorm.currentWeights();
        float[] preview = gradnorm.preview(g, new float[] {1, 0.25f});
        assertArrayEquals(new float[] {(float) before[0], (float) before[1]}, preview, 1e-6f);
        assertArrayEquals(before, gradnorm.currentWeights());
    }
}
