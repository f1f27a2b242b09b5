package dev.taskweave.plugins.weighting.dynamic;

import java.util.SplittableRandom;

/**
 * PCGrad (Yu et al. 2020, "Gradient Surgery for Multi-Task Learning"): conflicting task gradients
 * are projected onto each other's normal planes before they are summed (see {@link PcGrad}). Every
 * present task's own parameters get weight 1.
 */
public final class PcGradWeighting extends GradientWeighting {
    private final SplittableRandom random;

    /**
     * @param tasks the number of tasks
     * @param seed  the seed of the generator that orders the projections
     */
    public PcGradWeighting(int tasks, long seed) {
        super("pcgrad weighting", tasks);
        this.random = new SplittableRandom(seed);
    }

    @Override
    Step combinePresent(int[] present, float[][] gradients, float[] losses, int dimension) {
        return new Step(PcGrad.combine(gradients, random), ones(present.length));
    }
}
