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
}
