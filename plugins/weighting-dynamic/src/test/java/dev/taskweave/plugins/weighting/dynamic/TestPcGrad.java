package dev.taskweave.plugins.weighting.dynamic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.model.GradientCombiner;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TestPcGrad {
    private static GradientCombiner pcgrad(int tasks, long seed) {
        PcGradConfig config = new PcGradConfig();
        config.setSeed(seed);
        return (GradientCombiner) new PcGradWeightingFactory().create(config, Harness.context(tasks));
    }

    @Test
    void conflictingGradientsAreProjected() {
        float[][] g = {{1, 0}, {-1, 1}};
        double[] norms = {1, 2};
        // g1' = g1 - (g1.g2 / |g2|^2) g2 = (1, 0) + 0.5 (-1, 1)
        assertArrayEquals(new double[] {0.5, 0.5}, PcGrad.project(0, g, norms, new int[] {1}));
        // g2' = g2 - (g2.g1 / |g1|^2) g1 = (-1, 1) + (1, 0)
        assertArrayEquals(new double[] {0, 1}, PcGrad.project(1, g, norms, new int[] {0}));
        GradientCombiner.Combined combined = pcgrad(2, 0).combine(g, new float[] {1, 1});
        assertArrayEquals(new float[] {0.5f, 1.5f}, combined.sharedGradient());
        assertArrayEquals(new float[] {1, 1}, combined.taskWeights());
    }

    @Test
    void nonConflictingGradientsAreSummedUnchanged() {
        float[][] g = {{1, 2, 0}, {0, 1, 3}, {2, 0, 1}};
        GradientCombiner.Combined combined = pcgrad(3, 7).combine(g, new float[] {1, 1, 1});
        assertArrayEquals(new float[] {3, 3, 4}, combined.sharedGradient());
        assertArrayEquals(new float[] {1, 1, 1}, combined.taskWeights());
    }

    @Test
    void projectionUsesOriginalGradientsAndRemovesConflict() {
        // against the last projected-on gradient, a projected gradient no longer conflicts
        float[][] g = {{1, 0, 0}, {-1, 1, 0}, {-1, -1, 1}};
        double[] norms = {1, 2, 3};
        double[] projected = PcGrad.project(0, g, norms, new int[] {1, 2});
        // after g2: (0.5, 0.5, 0), dot with g3 = -1 -> minus (-1/3) g3 = (0.5 - 1/3, 0.5 - 1/3, 1/3)
        assertArrayEquals(new double[] {1.0 / 6, 1.0 / 6, 1.0 / 3}, projected, 1e-12);
        double lastDot = projected[0] * g[2][0] + projected[1] * g[2][1] + projected[2] * g[2][2];
        assertEquals(0, lastDot, 1e-12);
    }

    @Test
    void orderIsAShuffleOfTheOtherTasks() {
        SplittableRandom random = new SplittableRandom(3);
        for (int trial = 0; trial < 20; trial++) {
            int[] order = PcGrad.order(2, 5, random);
            int[] sorted = order.clone();
            Arrays.sort(sorted);
            assertArrayEquals(new int[] {0, 1, 3, 4}, sorted);
        }
    }

    @Test
    void sameSeedSameResult() {
        float[][] g = {{1, 0.2f, -0.5f}, {-1, 1, 0.3f}, {0.4f, -1, 1}};
        float[] losses = {1, 1, 1};
        GradientCombiner a = pcgrad(3, 11);
        GradientCombiner b = pcgrad(3, 11);
        for (int step = 0; step < 5; step++) {
            assertArrayEquals(a.combine(g, losses).sharedGradient(), b.combine(g, losses).sharedGradient());
        }
    }

    @Test
    void absentTaskContributesNothing() {
        float[][] g = {{1, 0}, null, {-1, 1}};
        GradientCombiner.Combined combined = pcgrad(3, 0).combine(g, new float[] {1, Float.NaN, 1});
        assertArrayEquals(new float[] {0.5f, 1.5f}, combined.sharedGradient());
        assertArrayEquals(new float[] {1, 0, 1}, combined.taskWeights());
        // every projected gradient is still a descent direction for its own task
        float[] shared = combined.sharedGradient();
        assertTrue(Harness.dot(shared, g[0]) >= 0 && Harness.dot(shared, g[2]) >= 0);
    }

    @Test
    void twoTaskAlignmentIdentityByHand() {
        // g1 = (3, 0), g2 = (-1, 0.5): g1.g2 = -3, |g1|^2 = 9, |g2|^2 = 1.25, cos^2 = 9 / (9 * 1.25) = 0.8
        // g1' = g1 - (-3 / 1.25) g2 = (3, 0) + 2.4 (-1, 0.5) = (0.6, 1.2); g2' = g2 - (-3 / 9) g1 = (0, 0.5)
        // update c = g1' + g2' = (0.6, 1.7)
        float[][] g = {{3, 0}, {-1, 0.5f}};
        float[] c = pcgrad(2, 0).combine(g, new float[] {1, 1}).sharedGradient();
        assertArrayEquals(new float[] {0.6f, 1.7f}, c, 1e-6f);
        // g_i . c = |g_i|^2 (1 - cos^2): 9 * 0.2 = 1.8 = 3 * 0.6; 1.25 * 0.2 = 0.25 = -0.6 + 0.5 * 1.7
        assertEquals(1.8, Harness.dot(c, g[0]), 1e-5);
        assertEquals(0.25, Harness.dot(c, g[1]), 1e-5);
        // the plain sum (3 - 1, 0 + 0.5) = (2, 0.5) opposes the smaller task: g2 . (g1 + g2) = -2 + 0.25
        assertEquals(-1.75, Harness.dot(new float[] {2, 0.5f}, g[1]), 1e-6);
        // the identity on the earlier pair: g1 = (1, 0), g2 = (-1, 1), cos^2 = 1/2, c = (0.5, 1.5)
        float[][] h = {{1, 0}, {-1, 1}};
        float[] d = pcgrad(2, 5).combine(h, new float[] {1, 1}).sharedGradient();
        assertEquals(1 * 0.5, Harness.dot(d, h[0]), 1e-6);
        assertEquals(2 * 0.5, Harness.dot(d, h[1]), 1e-6);
    }

    @Test
    void previewMatchesAndLeavesTheTrainingOrderAlone() {
        float[][] g = {{1, 0.2f, -0.5f}, {-1, 1, 0.3f}, {0.4f, -1, 1}};
        float[] losses = {1, 1, 1};
        GradientCombiner watched = pcgrad(3, 11);
        GradientCombiner untouched = pcgrad(3, 11);
        for (int step = 0; step < 5; step++) {
            float[] preview = watched.preview(g, losses);
            assertEquals(3, preview.length);
            assertArrayEquals(preview, watched.preview(g, losses));
            assertArrayEquals(untouched.combine(g, losses).sharedGradient(), watched.combine(g, losses).sharedGradient());
        }
        // two tasks: the order does not matter, so the preview is exactly the applied update
        float[][] two = {{3, 0}, {-1, 0.5f}};
        assertArrayEquals(pcgrad(2, 9).combine(two, new float[] {1, 1}).sharedGradient(),
                pcgrad(2, 9).preview(two, new float[] {1, 1}));
    }
}
