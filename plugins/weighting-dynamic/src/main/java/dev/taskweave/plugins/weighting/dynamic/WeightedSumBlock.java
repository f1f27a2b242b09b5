package dev.taskweave.plugins.weighting.dynamic;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.taskweave.api.model.WeightingInputs;
import java.util.function.Supplier;

/**
 * {@code total = sum_t present_t * w_t * L_t} with weights read from a supplier at every forward
 * pass (DWA's current epoch weights, or ones for the gradient methods). It has no parameters.
 */
final class WeightedSumBlock extends AbstractBlock {
    private static final byte VERSION = 1;

    private final String name;
    private final int tasks;
    private final Supplier<float[]> weights;

    WeightedSumBlock(String name, int tasks, Supplier<float[]> weights) {
        super(VERSION);
        this.name = requireNonNull(name, "name is null");
        this.tasks = tasks;
        this.weights = requireNonNull(weights, "weights is null");
    }

    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        WeightingInputs.checkInputShapes(name, tasks, inputShapes);
        super.beforeInitialize(inputShapes);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray present = WeightingInputs.present(inputs);
        NDArray losses = WeightingInputs.presentLosses(inputs, present);
        float[] current = weights.get();
        if (current.length != tasks) {
            throw new IllegalStateException(name + ": " + current.length + " weights for " + tasks + " tasks");
        }
        NDArray effective = losses.getManager().create(current).toType(losses.getDataType(), false).mul(present);
        return new NDList(effective.mul(losses).sum(), effective);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return WeightingInputs.outputShapes(tasks);
    }
}
