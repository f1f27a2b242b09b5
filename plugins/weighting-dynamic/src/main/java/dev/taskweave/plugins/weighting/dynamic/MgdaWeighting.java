package dev.taskweave.plugins.weighting.dynamic;

import static java.util.Objects.requireNonNull;

/**
 * MGDA-UB (Sener and Koltun 2018, "Multi-Task Learning as Multi-Objective Optimization"): the
 * task weights {@code alpha} are the min-norm point of the convex hull of the (optionally
 * normalised) task gradients, a common descent direction for all tasks.
 *
 * <p>The paper's "UB" variant takes gradients with respect to the shared representation to save
 * backward passes; here the runtime already provides the gradients with respect to the shared
 * parameters, so the exact MGDA problem is solved on those. As in the reference code, {@code alpha}
 * is computed on the normalised gradients and applied to the raw ones. With {@code P} present tasks
 * the shared gradient is {@code P * sum_t alpha_t g_t} and task {@code t}'s weight is
 * {@code P * alpha_t}: the weights sum to {@code P}, and uniform {@code alpha} gives exactly the
 * equal-weighted sum (the reference's {@code sum_t alpha_t g_t} divided by {@code P}).
 */
public final class MgdaWeighting extends GradientWeighting {
    private final String normalization;

    /**
     * @param tasks         the number of tasks
     * @param normalization one of {@link MgdaConfig#NORMALIZATIONS}
     */
    public MgdaWeighting(int tasks, String normalization) {
        super("mgda-ub weighting", tasks);
        this.normalization = requireNonNull(normalization, "normalization is null");
        if (!MgdaConfig.NORMALIZATIONS.contains(normalization)) {
            throw new IllegalArgumentException("unknown normalization " + normalization);
        }
    }

    @Override
    Step combinePresent(int[] present, float[][] gradients, float[] losses, int dimension) {
        double[][] gram = Vectors.gram(gradients);
        int n = gradients.length;
        double[] scale = new double[n];
        for (int t = 0; t < n; t++) {
            scale[t] = scale(gram[t][t], losses[t]);
        }
        double[][] normalised = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                normalised[i][j] = scale[i] * scale[j] * gram[i][j];
            }
        }
        double[] alpha = MinNormSolver.solve(normalised);
        double[] coefficients = new double[n];
        float[] weights = new float[n];
        for (int t = 0; t < n; t++) {
            coefficients[t] = n * alpha[t];
            weights[t] = (float) coefficients[t];
        }
        return new Step(Vectors.combination(gradients, coefficients, dimension), weights);
    }

    /**
     * @return the factor a gradient is scaled by before the min-norm problem; 1 when the
     *     normaliser is 0 or not finite (a zero gradient, a zero or missing loss)
     */
    private double scale(double squaredNorm, float loss) {
        double norm = Math.sqrt(squaredNorm);
        double normaliser = switch (normalization) {
            case "l2" -> norm;
            case "loss" -> loss;
            case "loss+" -> loss * norm;
            default -> 1;
        };
        return Double.isFinite(normaliser) && normaliser > 0 ? 1 / normaliser : 1;
    }
}
