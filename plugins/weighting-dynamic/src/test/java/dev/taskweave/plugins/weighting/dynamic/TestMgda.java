package dev.taskweave.plugins.weighting.dynamic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.model.GradientCombiner;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TestMgda {
    private static GradientCombiner mgda(int tasks, String normalization) {
        MgdaConfig config = new MgdaConfig();
        config.setNormalization(normalization);
        return (GradientCombiner) new MgdaWeightingFactory().create(config, Harness.context(tasks));
    }

    @Test
    void twoTasksClosedForm() {
        // g1 = (1, 0), g2 = (0, 2): alpha1 = ((g2 - g1) . g2) / |g1 - g2|^2 = 4 / 5
        double[] alpha = MinNormSolver.solve(Vectors.gram(new float[][] {{1, 0}, {0, 2}}));
        assertArrayEquals(new double[] {0.8, 0.2}, alpha, 1e-12);
        assertEquals(0.8, MinNormSolver.pairWeight(1, 0, 4), 1e-12);
        // clamped: g2 = 2 g1 lies beyond g1, so the min-norm point is g1 itself
        assertEquals(1, MinNormSolver.pairWeight(1, 2, 4));
        assertEquals(0, MinNormSolver.pairWeight(4, 2, 1));
        // identical gradients: any alpha, 1/2 by convention
        assertEquals(0.5, MinNormSolver.pairWeight(1, 1, 1));
    }

    @Test
    void combinerScalesAlphaByPresentTasks() {
        GradientCombiner.Combined combined = mgda(2, "none").combine(new float[][] {{1, 0}, {0, 2}}, new float[] {1, 1});
        // weights 2 * (0.8, 0.2); shared 2 * (0.8 * g1 + 0.2 * g2) = (1.6, 0.8)
        assertArrayEquals(new float[] {1.6f, 0.4f}, combined.taskWeights(), 1e-6f);
        assertArrayEquals(new float[] {1.6f, 0.8f}, combined.sharedGradient(), 1e-6f);
        // the min-norm direction has the same dot product with both gradients
        float[] d = combined.sharedGradient();
        assertEquals(Harness.dot(d, new float[] {1, 0}), Harness.dot(d, new float[] {0, 2}), 1e-6);
    }

    @Test
    void threeTasksFrankWolfeSatisfiesKkt() {
        // orthogonal gradients: alpha_t proportional to 1 / |g_t|^2 = (1, 1/4, 1/9) / (49/36)
        double[] alpha = MinNormSolver.solve(Vectors.gram(new float[][] {{1, 0, 0}, {0, 2, 0}, {0, 0, 3}}));
        assertArrayEquals(new double[] {36.0 / 49, 9.0 / 49, 4.0 / 49}, alpha, 1e-4);
        // g3 lies outside the optimum's face: it stays inactive
        float[][] inactive = {{1, 0}, {0, 1}, {2, 1}};
        double[] withInactive = MinNormSolver.solve(Vectors.gram(inactive));
        assertArrayEquals(new double[] {0.5, 0.5, 0}, withInactive, 1e-9);
        assertKkt(inactive, withInactive, 1e-9);
    }

    @Test
    void randomProblemsSatisfyKkt() {
        SplittableRandom random = new SplittableRandom(5);
        for (int trial = 0; trial < 20; trial++) {
            int tasks = 3 + trial % 3;
            float[][] g = new float[tasks][6];
            for (float[] row : g) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = (float) (random.nextDouble() * 2 - 1) + 0.3f;
                }
            }
            double[] alpha = MinNormSolver.solve(Vectors.gram(g));
            double sum = 0;
            for (double a : alpha) {
                assertTrue(a >= 0);
                sum += a;
            }
            assertEquals(1, sum, 1e-12);
            assertKkt(g, alpha, 2e-3);
        }
    }

    /**
     * Optimality of the min-norm point d = sum alpha_t g_t: g_t . d = |d|^2 for every active task
     * and g_t . d >= |d|^2 for every task.
     */
    private static void assertKkt(float[][] g, double[] alpha, double tolerance) {
        int dimension = g[0].length;
        double[] d = new double[dimension];
        for (int t = 0; t < g.length; t++) {
            for (int i = 0; i < dimension; i++) {
                d[i] += alpha[t] * g[t][i];
            }
        }
        double squared = 0;
        for (double v : d) {
            squared += v * v;
        }
        for (int t = 0; t < g.length; t++) {
            double dot = Vectors.dot(d, g[t]);
            assertTrue(dot >= squared - tolerance, "task " + t + ": " + dot + " < " + squared);
            if (alpha[t] > 1e-3) {
                assertEquals(squared, dot, tolerance, "active task " + t);
            }
        }
    }

    @Test
    void normalizationChangesAlphaNotTheGradientsItIsAppliedTo() {
        float[][] g = {{1, 0}, {0, 2}};
        float[] losses = {2, 0.5f};
        // l2: both unit vectors, alpha = (1/2, 1/2); applied to the raw gradients
        GradientCombiner.Combined l2 = mgda(2, "l2").combine(g, losses);
        assertArrayEquals(new float[] {1, 1}, l2.taskWeights(), 1e-6f);
        assertArrayEquals(new float[] {1, 2}, l2.sharedGradient(), 1e-6f);
        // loss: g1 / 2 = (0.5, 0), g2 / 0.5 = (0, 4): alpha1 = 16 / 16.25
        GradientCombiner.Combined loss = mgda(2, "loss").combine(g, losses);
        assertArrayEquals(new float[] {2 * 16 / 16.25f, 2 * 0.25f / 16.25f}, loss.taskWeights(), 1e-6f);
        // loss+: g1 / (2 * 1), g2 / (0.5 * 2): (0.5, 0) and (0, 2): alpha1 = 4 / 4.25
        GradientCombiner.Combined lossPlus = mgda(2, "loss+").combine(g, losses);
        assertArrayEquals(new float[] {2 * 16 / 17f, 2 / 17f}, lossPlus.taskWeights(), 1e-6f);
        // a zero or missing loss leaves that gradient unscaled instead of dividing by 0
        GradientCombiner.Combined zeroLoss = mgda(2, "loss").combine(g, new float[] {0, Float.NaN});
        assertArrayEquals(new float[] {1.6f, 0.4f}, zeroLoss.taskWeights(), 1e-6f);
    }

    @Test
    void absentTasksAndSingleTask() {
        GradientCombiner mgda = mgda(3, "none");
        GradientCombiner.Combined combined =
                mgda.combine(new float[][] {{1, 0}, null, {0, 2}}, new float[] {1, Float.NaN, 1});
        assertArrayEquals(new float[] {1.6f, 0, 0.4f}, combined.taskWeights(), 1e-6f);
        assertArrayEquals(new float[] {1.6f, 0.8f}, combined.sharedGradient(), 1e-6f);
        GradientCombiner.Combined single = mgda.combine(new float[][] {null, {3, -1}, null}, new float[] {0, 1, 0});
        assertArrayEquals(new float[] {0, 1, 0}, single.taskWeights());
        assertArrayEquals(new float[] {3, -1}, single.sharedGradient());
    }
}
