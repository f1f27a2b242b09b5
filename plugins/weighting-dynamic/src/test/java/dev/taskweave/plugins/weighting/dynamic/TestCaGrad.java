package dev.taskweave.plugins.weighting.dynamic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.model.GradientCombiner;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TestCaGrad {
    private static GradientCombiner cagrad(int tasks, double c) {
        CaGradConfig config = new CaGradConfig();
        config.setC(c);
        return (GradientCombiner) new CaGradWeightingFactory().create(config, Harness.context(tasks));
    }

    @Test
    void zeroRadiusGivesTheMeanGradient() {
        float[][] g = {{1, 0, 2}, {-1, 1, 0}, {0.5f, -3, 1}};
        GradientCombiner.Combined combined = cagrad(3, 0).combine(g, new float[] {1, 1, 1});
        assertArrayEquals(new float[] {0.5f / 3, -2f / 3, 1}, combined.sharedGradient(), 1e-6f);
        assertArrayEquals(new float[] {1, 1, 1}, combined.taskWeights());
    }

    @Test
    void conflictingGradientsStayWithinTheBallAndDescend() {
        float[][] g = {{1, 0}, {-0.9f, 0.3f}};
        double[] g0 = {0.05, 0.15};
        double g0Squared = g0[0] * g0[0] + g0[1] * g0[1];
        for (double c : new double[] {0.2, 0.4, 0.9}) {
            float[] shared = cagrad(2, c).combine(g, new float[] {1, 1}).sharedGradient();
            double[] d = {shared[0] * (1 + c * c), shared[1] * (1 + c * c)};
            // |d - g0| = c |g0| exactly, so d . g0 >= (1 - c) |g0|^2 > 0
            double distance = Math.hypot(d[0] - g0[0], d[1] - g0[1]);
            assertEquals(c * Math.sqrt(g0Squared), distance, 1e-6);
            double descent = d[0] * g0[0] + d[1] * g0[1];
            assertTrue(descent >= (1 - c) * g0Squared - 1e-9, "c = " + c + ": d . g0 = " + descent);
            // the worst task does at least as well as under the mean gradient
            double worstMean = Math.min(g0[0] * g[0][0] + g0[1] * g[0][1], g0[0] * g[1][0] + g0[1] * g[1][1]);
            double worst = Math.min(d[0] * g[0][0] + d[1] * g[0][1], d[0] * g[1][0] + d[1] * g[1][1]);
            assertTrue(worst >= worstMean - 1e-9, "c = " + c + ": " + worst + " < " + worstMean);
        }
    }

    @Test
    void solverMatchesAGridSearch() {
        SplittableRandom random = new SplittableRandom(9);
        for (int trial = 0; trial < 10; trial++) {
            float[][] g = new float[3][5];
            for (float[] row : g) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = (float) (random.nextDouble() * 2 - 1);
                }
            }
            double[][] gram = Vectors.gram(g);
            double c = 0.5;
            double[] w = CaGradSolver.weights(gram, c);
            double best = Double.POSITIVE_INFINITY;
            int steps = 200;
            for (int i = 0; i <= steps; i++) {
                for (int j = 0; i + j <= steps; j++) {
                    best = Math.min(best, objective(gram, c, new double[] {
                        (double) i / steps, (double) j / steps, (double) (steps - i - j) / steps}));
                }
            }
            assertTrue(objective(gram, c, w) <= best + 1e-6, objective(gram, c, w) + " > " + best);
        }
    }

    /** F(w) = g_w . g0 + c |g0| |g_w| on the raw Gram matrix. */
    private static double objective(double[][] gram, double c, double[] w) {
        double[] uniform = Vectors.uniform(gram.length);
        return Vectors.quadratic(w, gram, uniform)
                + c * Math.sqrt(Vectors.quadratic(uniform, gram, uniform)) * Math.sqrt(Vectors.quadratic(w, gram, w));
    }

    @Test
    void rescaleAndAlignedGradients() {
        // identical gradients: g_w = g0 whatever w, so d = (1 + c) g0, rescaled by 1 / (1 + c^2)
        float[][] g = {{2, 1}, {2, 1}};
        float[] shared = cagrad(2, 0.5).combine(g, new float[] {1, 1}).sharedGradient();
        assertArrayEquals(new float[] {2 * 1.5f / 1.25f, 1.5f / 1.25f}, shared, 1e-5f);
    }

    @Test
    void simplexProjection() {
        assertArrayEquals(new double[] {0.5, 0.5, 0}, CaGradSolver.projectToSimplex(new double[] {1, 1, -1}), 1e-12);
        assertArrayEquals(new double[] {0.2, 0.3, 0.5}, CaGradSolver.projectToSimplex(new double[] {0.2, 0.3, 0.5}),
                1e-12);
        assertArrayEquals(new double[] {0, 1}, CaGradSolver.projectToSimplex(new double[] {-5, 3}), 1e-12);
    }

    @Test
    void absentTasksZeroGradientsAndScale() {
        GradientCombiner.Combined combined =
                cagrad(3, 0).combine(new float[][] {{1, 0}, null, {0, 3}}, new float[] {1, Float.NaN, 1});
        assertArrayEquals(new float[] {0.5f, 1.5f}, combined.sharedGradient(), 1e-6f);
        assertArrayEquals(new float[] {1, 0, 1}, combined.taskWeights());
        GradientCombiner.Combined zeros = cagrad(2, 0.4).combine(new float[][] {{0, 0}, {0, 0}}, new float[] {1, 1});
        assertArrayEquals(new float[] {0, 0}, zeros.sharedGradient());
        // the weights do not depend on the gradients' magnitude
        double[][] gram = Vectors.gram(new float[][] {{1, 0.2f}, {-0.7f, 0.6f}, {0.1f, -1}});
        double[][] tiny = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                tiny[i][j] = gram[i][j] * 1e-12;
            }
        }
        assertArrayEquals(CaGradSolver.weights(gram, 0.4), CaGradSolver.weights(tiny, 0.4), 1e-9);
    }
}
