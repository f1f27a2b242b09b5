package dev.taskweave.plugins.weighting.dynamic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.taskweave.api.model.WeightingInputs;
import dev.taskweave.api.nn.Scalars;

/**
 * Random Loss Weighting: in training, {@code lambda = T * softmax(z)} with {@code z ~ N(0, I_T)}
 * drawn from the engine's random generator at every forward pass, and
 * {@code total = sum_t present_t * lambda_t * L_t}; in inference every weight is 1. It has no
 * parameters.
 */
final class RandomWeightingBlock extends AbstractBlock {
    private static final byte VERSION = 1;

    private final int tasks;

    RandomWeightingBlock(int tasks) {
        super(VERSION);
        this.tasks = tasks;
    }

    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        WeightingInputs.checkInputShapes("random loss weighting", tasks, inputShapes);
        super.beforeInitialize(inputShapes);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray present = WeightingInputs.present(inputs);
        NDArray losses = WeightingInputs.presentLosses(inputs, present);
        NDArray weights;
        if (training) {
            NDArray z = losses.getManager().randomNormal(0f, 1f, new Shape(tasks), losses.getDataType(),
                    losses.getDevice());
            weights = Scalars.mul(z.softmax(0), tasks);
        } else {
            weights = losses.onesLike();
        }
        NDArray effective = weights.mul(present);
        return new NDList(effective.mul(losses).sum(), effective);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return WeightingInputs.outputShapes(tasks);
    }
}
