package dev.taskweave.plugins.weighting.dynamic;

import java.util.SplittableRandom;

/**
 * PCGrad (Yu et al. 2020, "Gradient Surgery for Multi-Task Learning"): conflicting task gradients
 * are projected onto each other's normal planes before they are summed (see {@link PcGrad}). Every
 * present task's own parameters get weight 1.
 */
public final class PcGradWeighting extends GradientWeighting {
    /** Seeds the projection order of {@link #preview}; with two tasks the order does not matter. */
    static final long PREVIEW_SEED = 0;
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

    /** Projects in an order drawn from a generator of its own, so training's order is untouched. */
    @Override
    float[] previewPresent(int[] present, float[][] gradients, float[] losses, int dimension) {
        return PcGrad.combine(gradients, new SplittableRandom(PREVIEW_SEED));
    }
}
