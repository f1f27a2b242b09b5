package dev.taskweave.plugins.weighting.dynamic;

import java.util.Arrays;

/**
 * CAGrad's inner problem (Liu et al. 2021) on the Gram matrix of the task gradients: find
 * {@code w} on the simplex minimising {@code F(w) = g_w . g0 + sqrt(phi) ||g_w||} with
 * {@code g_w = sum_t w_t g_t}, {@code g0} the mean gradient and {@code phi = c^2 ||g0||^2}; the
 * update is then {@code d = g0 + (sqrt(phi) / ||g_w||) g_w}, rescaled by {@code 1 / (1 + c^2)}.
 *
 * <p>{@code F} is convex; it is minimised by projected gradient descent with a backtracking step
 * on the Gram matrix divided by its mean diagonal (scaling the Gram matrix scales {@code F} and
 * leaves its minimiser unchanged, so the small smoothing constant under the square root does not
 * depend on the gradients' magnitude).
 */
final class CaGradSolver {
    /** The iteration cap of the simplex descent. */
    static final int MAX_ITERATIONS = 1000;
    private static final double SMOOTHING = 1e-12;
    private static final double TOLERANCE = 1e-12;

    private CaGradSolver() {}

    /**
     * @param gram {@code G[i][j] = g_i . g_j}
     * @param c    the conflict-aversion radius, {@code >= 0}
     * @return per task, the coefficient of its gradient in the rescaled update
     *     {@code d / (1 + c^2) = sum_t coefficient_t g_t}
     */
    static double[] coefficients(double[][] gram, double c) {
        int n = gram.length;
        double[] uniform = Vectors.uniform(n);
        double[] w = weights(gram, c);
        double g0Norm = Math.sqrt(Math.max(0, Vectors.quadratic(uniform, gram, uniform)));
        double gwNorm = Math.sqrt(Math.max(0, Vectors.quadratic(w, gram, w)));
        double lambda = gwNorm > 1e-12 * g0Norm && gwNorm > 0 ? c * g0Norm / gwNorm : 0;
        double[] coefficients = new double[n];
        for (int t = 0; t < n; t++) {
            coefficients[t] = (uniform[t] + lambda * w[t]) / (1 + c * c);
        }
        return coefficients;
    }

    /**
     * @param gram {@code G[i][j] = g_i . g_j}
     * @param c    the conflict-aversion radius, {@code >= 0}
     * @return the minimiser {@code w} of {@code F} on the simplex (uniform when {@code F} does not
     *     depend on {@code w}: {@code c = 0} with {@code g0 = 0}, or all gradients zero)
     */
    static double[] weights(double[][] gram, double c) {
        int n = gram.length;
        double[] w = Vectors.uniform(n);
        if (n <= 1) {
            return w;
        }
        double trace = 0;
        for (int t = 0; t < n; t++) {
            trace += gram[t][t];
        }
        double scale = trace / n;
        if (!(scale > 0) || !Double.isFinite(scale)) {
            return w;
        }
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                a[i][j] = gram[i][j] / scale;
            }
        }
        double[] ab = Vectors.multiply(a, w);
        double g0Squared = 0;
        for (int t = 0; t < n; t++) {
            g0Squared += w[t] * ab[t];
        }
        if (!(g0Squared > 0)) {
            return w;
        }
        double sqrtPhi = c * Math.sqrt(g0Squared);
        double f = objective(a, ab, sqrtPhi, w);
        double step = 1;
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            double[] aw = Vectors.multiply(a, w);
            double norm = Math.sqrt(Math.max(0, dot(w, aw)) + SMOOTHING);
            double[] gradient = new double[n];
            for (int t = 0; t < n; t++) {
                gradient[t] = ab[t] + sqrtPhi * aw[t] / norm;
            }
            double[] candidate;
            double fc;
            double change;
            while (true) {
                double[] moved = new double[n];
                for (int t = 0; t < n; t++) {
                    moved[t] = w[t] - step * gradient[t];
                }
                candidate = projectToSimplex(moved);
                double linear = 0;
                double squared = 0;
                change = 0;
                for (int t = 0; t < n; t++) {
                    double d = candidate[t] - w[t];
                    linear += gradient[t] * d;
                    squared += d * d;
                    change += Math.abs(d);
                }
                fc = objective(a, ab, sqrtPhi, candidate);
                if (fc <= f + linear + squared / (2 * step) + 1e-15 || step < 1e-20) {
                    break;
                }
                step /= 2;
            }
            if (fc > f) {
                break;
            }
            w = candidate;
            f = fc;
            if (change < TOLERANCE) {
                break;
            }
            step = Math.min(step * 2, 1e6);
        }
        return w;
    }

    /** @return {@code F(w) = w' A b + sqrt(phi) * sqrt(w' A w)} */
    static double objective(double[][] a, double[] ab, double sqrtPhi, double[] w) {
        return dot(w, ab) + sqrtPhi * Math.sqrt(Math.max(0, Vectors.quadratic(w, a, w)) + SMOOTHING);
    }

    /** @return the Euclidean projection of {@code v} onto the probability simplex */
    static double[] projectToSimplex(double[] v) {
        int n = v.length;
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        double cumulative = 0;
        double theta = 0;
        for (int k = 1; k <= n; k++) {
            double u = sorted[n - k];
            cumulative += u;
            double candidate = (cumulative - 1) / k;
            if (u - candidate > 0) {
                theta = candidate;
            }
        }
        double[] out = new double[n];
        for (int t = 0; t < n; t++) {
            out[t] = Math.max(0, v[t] - theta);
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
