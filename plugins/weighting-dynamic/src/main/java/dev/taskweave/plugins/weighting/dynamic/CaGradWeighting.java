package dev.taskweave.plugins.weighting.dynamic;

/**
 * CAGrad (Liu et al. 2021, "Conflict-Averse Gradient Descent for Multi-task Learning"): the shared
 * update is the direction within {@code c ||g0||} of the mean gradient {@code g0} that maximises
 * the worst task's improvement, found through its dual on the Gram matrix (see
 * {@link CaGradSolver}), and rescaled by {@code 1 / (1 + c^2)} as the reference's
 * {@code rescale=1}. As in the reference, every present task's own parameters get weight 1.
 */
public final class CaGradWeighting extends GradientWeighting {
    private final double c;

    /**
     * @param tasks the number of tasks
     * @param c     the conflict-aversion radius, {@code >= 0}
     */
    public CaGradWeighting(int tasks, double c) {
        super("cagrad weighting", tasks);
        if (!Double.isFinite(c) || c < 0) {
            throw new IllegalArgumentException("c must be finite and >= 0, got " + c);
        }
        this.c = c;
    }

    @Override
    Step combinePresent(int[] present, float[][] gradients, float[] losses, int dimension) {
        double[] coefficients = CaGradSolver.coefficients(Vectors.gram(gradients), c);
        return new Step(Vectors.combination(gradients, coefficients, dimension), ones(present.length));
    }
}
