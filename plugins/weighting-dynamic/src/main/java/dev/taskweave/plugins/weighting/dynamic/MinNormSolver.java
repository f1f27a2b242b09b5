package dev.taskweave.plugins.weighting.dynamic;

/**
 * The min-norm point in the convex hull of a few vectors, given their Gram matrix: the weights
 * {@code alpha} on the simplex minimising {@code ||sum_t alpha_t g_t||^2}. Two vectors have a closed
 * form; more are solved with the Frank-Wolfe iteration of Sener and Koltun (2018), started from
 * the best pair.
 */
final class MinNormSolver {
    /** The iteration cap of the reference implementation. */
    static final int MAX_ITERATIONS = 250;
    /** Stop when the weights move less than this (L1). */
    static final double TOLERANCE = 1e-5;

    private MinNormSolver() {}

    /**
     * @param gram {@code G[i][j] = g_i . g_j}
     * @return {@code alpha}, non-negative and summing to 1
     */
    static double[] solve(double[][] gram) {
        int n = gram.length;
        if (n == 0) {
            return new double[0];
        }
        if (n == 1) {
            return new double[] {1};
        }
        // start from the best pair
        int bestI = 0;
        int bestJ = 1;
        double bestAlpha = 0.5;
        double bestCost = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double alpha = pairWeight(gram[i][i], gram[i][j], gram[j][j]);
                double cost = pairCost(alpha, gram[i][i], gram[i][j], gram[j][j]);
                if (cost < bestCost) {
                    bestCost = cost;
                    bestI = i;
                    bestJ = j;
                    bestAlpha = alpha;
                }
            }
        }
        double[] solution = new double[n];
        solution[bestI] = bestAlpha;
        solution[bestJ] = 1 - bestAlpha;
        if (n == 2) {
            return solution;
        }
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            double[] gradient = Vectors.multiply(gram, solution);
            int vertex = 0;
            for (int t = 1; t < n; t++) {
                if (gradient[t] < gradient[vertex]) {
                    vertex = t;
                }
            }
            double v1v1 = 0;
            for (int t = 0; t < n; t++) {
                v1v1 += solution[t] * gradient[t];
            }
            double v1v2 = gradient[vertex];
            double v2v2 = gram[vertex][vertex];
            double keep = pairWeight(v1v1, v1v2, v2v2);
            double[] next = new double[n];
            double change = 0;
            for (int t = 0; t < n; t++) {
                next[t] = keep * solution[t] + (t == vertex ? 1 - keep : 0);
                change += Math.abs(next[t] - solution[t]);
            }
            if (change < TOLERANCE) {
                break;
            }
            solution = next;
        }
        return solution;
    }

    /**
     * The weight of {@code v1} in the min-norm point of the segment between two vectors:
     * {@code clamp(((v2 - v1) . v2) / ||v1 - v2||^2, 0, 1)}, or 1/2 when they coincide.
     *
     * @param v1v1 {@code v1 . v1}
     * @param v1v2 {@code v1 . v2}
     * @param v2v2 {@code v2 . v2}
     */
    static double pairWeight(double v1v1, double v1v2, double v2v2) {
        double denominator = v1v1 + v2v2 - 2 * v1v2;
        if (!(denominator > 0)) {
            return 0.5;
        }
        return Math.min(1, Math.max(0, (v2v2 - v1v2) / denominator));
    }

    /** @return {@code ||alpha v1 + (1 - alpha) v2||^2} */
    static double pairCost(double alpha, double v1v1, double v1v2, double v2v2) {
        return alpha * alpha * v1v1 + 2 * alpha * (1 - alpha) * v1v2 + (1 - alpha) * (1 - alpha) * v2v2;
    }
}
