package dev.taskweave.plugins.weighting;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * {@code total = sum_t present_t * w_t * L_t} (divided by {@code sum_t present_t * w_t} when
 * normalising); the effective weights are {@code present_t * w_t} (normalised likewise).
 */
final class WeightedSumBlock extends AbstractBlock {
    private static final byte VERSION = 1;
    private final float[] weights;
    private final boolean normalize;

    WeightedSumBlock(float[] weights, boolean normalize) {
        super(VERSION);
        this.weights = weights.clone();
        this.normalize = normalize;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray losses = inputs.get(0);
        NDArray present = inputs.get(1);
        NDArray effective = present.mul(losses.getManager().create(weights));
        if (normalize) {
            effective = effective.div(effective.sum().maximum(1e-12f));
        }
        return new NDList(losses.mul(effective).sum(), effective);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(), inputShapes[0]};
    }
}
