package dev.taskweave.plugins.weighting;

import static java.util.Objects.requireNonNull;

import ai.djl.nn.Block;
import dev.taskweave.api.model.LossWeighting;

/**
 * Learned uncertainty weighting: {@code total = sum_t present_t * w_t * (0.5 * exp(-s_t) * L_t + 0.5 * s_t)}
 * with a learnable log-variance {@code s_t} per task.
 */
public final class UncertaintyWeighting implements LossWeighting {
    private final float[] weights;
    private final float initialLogVariance;

    /**
     * @param weights            the declared weight of each task, in task order
     * @param initialLogVariance the starting {@code s_t} of every task
     */
    public UncertaintyWeighting(float[] weights, float initialLogVariance) {
        this.weights = requireNonNull(weights, "weights is null").clone();
        this.initialLogVariance = initialLogVariance;
    }

    @Override
    public Block createBlock() {
        return new UncertaintyWeightingBlock(weights, initialLogVariance);
    }
}
