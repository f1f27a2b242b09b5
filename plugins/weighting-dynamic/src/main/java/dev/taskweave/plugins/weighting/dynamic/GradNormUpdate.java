package dev.taskweave.plugins.weighting.dynamic;

/**
 * One GradNorm step (Chen et al. 2018) on the weights of the present tasks. With
 * {@code G_t = w_t ||g_t||}, {@code G_mean} their mean, {@code r_t = Lrel_t / mean(Lrel)} and the
 * constant target {@code G_mean * r_t^alpha}, the GradNorm loss {@code sum_t |G_t - target_t|} has
 * the gradient {@code sign(G_t - target_t) ||g_t||} with respect to {@code w_t}; the weights take
 * one plain gradient step, are clamped to at least {@link #MIN_WEIGHT} and are then rescaled so
 * their sum is what it was before the step (which can take a clamped weight just below the floor). A step with a gradient norm that is not finite (a diverging
 * run, a batch whose loss overflowed) leaves the weights as they are: a NaN norm would make every
 * weight NaN for the rest of the run, and the stored model's weighting state unreadable.
 */
final class GradNormUpdate {
    /** The smallest weight a task can reach. */
    static final double MIN_WEIGHT = 1e-3;

    private GradNormUpdate() {}

    /**
     * @param weights        the current weights {@code w_t}
     * @param norms          {@code ||g_t||}, the norm of each task's gradient on the reference layer
     * @param relativeLosses {@code Lrel_t = L_t / L_t(0)}, each {@code > 0}
     * @param alpha          the restoring-force strength, {@code >= 0}
     * @param learningRate   the step size, {@code > 0}
     * @return the new weights, in the same order; {@code weights} itself when a norm is not finite
     */
    static double[] update(double[] weights, double[] norms, double[] relativeLosses, double alpha,
            double learningRate) {
        int n = weights.length;
        if (norms.length != n || relativeLosses.length != n) {
            throw new IllegalArgumentException(n + " weights, " + norms.length + " norms and "
                    + relativeLosses.length + " relative losses");
        }
        for (double norm : norms) {
            if (!Double.isFinite(norm)) {
                return weights;
            }
        }
        double[] g = new double[n];
        double meanG = 0;
        double meanLoss = 0;
        double sum = 0;
        for (int t = 0; t < n; t++) {
            g[t] = weights[t] * norms[t];
            meanG += g[t] / n;
            meanLoss += relativeLosses[t] / n;
            sum += weights[t];
        }
        double[] next = new double[n];
        double nextSum = 0;
        for (int t = 0; t < n; t++) {
            double ratio = meanLoss > 0 ? relativeLosses[t] / meanLoss : 1;
            double target = meanG * Math.pow(ratio, alpha);
            double gradient = Math.signum(g[t] - target) * norms[t];
            next[t] = Math.max(MIN_WEIGHT, weights[t] - learningRate * gradient);
            nextSum += next[t];
        }
        for (int t = 0; t < n; t++) {
            next[t] *= sum / nextSum;
        }
        return next;
    }
}
