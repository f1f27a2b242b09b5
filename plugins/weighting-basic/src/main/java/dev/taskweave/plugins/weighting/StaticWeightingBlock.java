package dev.taskweave.plugins.weighting;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.taskweave.api.model.WeightingInputs;

/**
 * {@code total = sum_t present_t * w_t * L_t}, optionally divided by {@code sum_t present_t * w_t}
 * (left undivided when that sum is 0). It has no parameters.
 */
final class StaticWeightingBlock extends AbstractBlock {
    private static final byte VERSION = 1;

    private final float[] weights;
    private final boolean normalize;

    StaticWeightingBlock(float[] weights, boolean normalize) {
        super(VERSION);
        this.weights = requireNonNull(weights, "weights is null").clone();
        this.normalize = normalize;
    }

    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        WeightingInputs.checkInputShapes("fixed weighting", weights.length, inputShapes);
        super.beforeInitialize(inputShapes);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray present = WeightingInputs.present(inputs);
        NDArray losses = WeightingInputs.presentLosses(inputs, present);
        NDArray effective = losses.getManager().create(weights).toType(losses.getDataType(), false).mul(present);
        NDArray total = effective.mul(losses).sum();
        if (normalize) {
            NDArray sum = effective.sum();
            NDArray divisor = NDArrays.where(sum.gt(0), sum, sum.onesLike());
            total = total.div(divisor);
            effective = effective.div(divisor);
        }
        return new NDList(total, effective);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return WeightingInputs.outputShapes(weights.length);
    }
}
