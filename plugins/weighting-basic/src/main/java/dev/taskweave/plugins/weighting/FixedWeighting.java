package dev.taskweave.plugins.weighting;

import static java.util.Objects.requireNonNull;

import ai.djl.nn.Block;
import dev.taskweave.api.model.LossWeighting;

/** Constant per-task weights: {@code total = sum_t present_t * w_t * L_t}, optionally normalised. */
public final class FixedWeighting implements LossWeighting {
    private final float[] weights;
    private final boolean normalize;

    /**
     * @param weights   one weight per task, in task order
     * @param normalize divide the total by the sum of the present tasks' weights
     */
    public FixedWeighting(float[] weights, boolean normalize) {
        this.weights = requireNonNull(weights, "weights is null").clone();
        this.normalize = normalize;
    }

    @Override
    public Block createBlock() {
        return new StaticWeightingBlock(weights, normalize);
    }
}
