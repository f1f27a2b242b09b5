package dev.taskweave.plugins.weighting.dynamic;

import ai.djl.nn.Block;
import dev.taskweave.api.model.LossWeighting;

/**
 * Random Loss Weighting (Lin et al. 2021): every training step draws
 * {@code lambda = softmax(z), z ~ N(0, I_T)} and weighs the losses by {@code T * lambda}, so each
 * weight has expectation 1 and the total has the scale of the equal-weighted sum; in inference
 * every weight is 1. The draw uses the engine's generator, so the engine seed makes it
 * reproducible.
 */
public final class RlwWeighting implements LossWeighting {
    private final int tasks;

    /** @param tasks the number of tasks */
    public RlwWeighting(int tasks) {
        if (tasks < 1) {
            throw new IllegalArgumentException("at least one task is required");
        }
        this.tasks = tasks;
    }

    @Override
    public Block createBlock() {
        return new RandomWeightingBlock(tasks);
    }
}
