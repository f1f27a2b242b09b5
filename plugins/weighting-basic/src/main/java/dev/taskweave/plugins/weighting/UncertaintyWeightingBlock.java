package dev.taskweave.plugins.weighting;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import dev.taskweave.api.model.TaskIndexedParameters;
import dev.taskweave.api.model.WeightingInputs;
import dev.taskweave.api.nn.Scalars;

/**
 * Learned homoscedastic uncertainty weighting (Kendall, Gal and Cipolla 2018) with one learnable
 * log-variance {@code s_t} per task:
 *
 * <pre>
 *   total   = sum_t present_t * w_t * (0.5 * exp(-s_t) * L_t + 0.5 * s_t)
 *   weights = 0.5 * exp(-s_t) * w_t * present_t
 * </pre>
 *
 * <p>For a fixed loss the total is minimal at {@code s_t = log(L_t)}, where the effective weight is
 * {@code w_t / (2 L_t)}. The parameter is named
 * {@code logVariance}, has shape {@code [tasks]} and type {@link Parameter.Type#OTHER}, so an
 * initializer set on all {@code WEIGHT} parameters of the model does not replace its constant start.
 * Its axis runs over the tasks ({@link TaskIndexedParameters}): a warm start with the tasks
 * reordered gives each task its own {@code s_t}.
 */
final class UncertaintyWeightingBlock extends AbstractBlock implements TaskIndexedParameters {
    private static final byte VERSION = 1;

    private final float[] weights;
    private final Parameter logVariance;

    UncertaintyWeightingBlock(float[] weights, float initialLogVariance) {
        super(VERSION);
        this.weights = requireNonNull(weights, "weights is null").clone();
        this.logVariance = addParameter(Parameter.builder()
                .setName("logVariance")
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(weights.length))
                .optInitializer(new ConstantInitializer(initialLogVariance))
                .build());
    }

    @Override
    public java.util.List<TaskAxis> taskAxes() {
        return java.util.List.of(new TaskAxis(logVariance, 0, 1));
    }

    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        WeightingInputs.checkInputShapes("uncertainty weighting", weights.length, inputShapes);
        super.beforeInitialize(inputShapes);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray present = WeightingInputs.present(inputs);
        NDArray losses = WeightingInputs.presentLosses(inputs, present);
        // 0 + s: s in the step's manager (an operation's result belongs to its first operand's manager, and
        // the parameter's is kept for the whole run), so every array computed from it is freed with the step
        NDArray s = losses.zerosLike().add(parameterStore.getValue(logVariance, losses.getDevice(), training));
        NDArray declared = losses.getManager().create(weights).toType(losses.getDataType(), false);
        // w_t · (½·e^(−s_t)·L_t + ½·s_t): the declared weight multiplies the task's whole term, so s_t
        // settles at log L_t whatever w_t is and the weight lasts (inside, s_t would absorb it)
        NDArray effective = Scalars.mul(s.neg().exp(), 0.5).mul(declared).mul(present);
        NDArray total = effective.mul(losses).add(Scalars.mul(s, 0.5).mul(declared).mul(present)).sum();
        return new NDList(total, effective);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return WeightingInputs.outputShapes(weights.length);
    }
}
