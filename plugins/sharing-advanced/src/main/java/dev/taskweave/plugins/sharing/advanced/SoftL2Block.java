package dev.taskweave.plugins.sharing.advanced;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.taskweave.api.model.AuxiliaryLoss;
import dev.taskweave.api.model.TaskOwnedParameters;
import dev.taskweave.api.nn.MlpBlock;
import dev.taskweave.api.nn.Scalars;
import java.util.ArrayList;
import java.util.List;

/**
 * Soft parameter sharing by a regulariser (Duong et al., ACL 2015): task {@code t} receives
 * {@code MLP_t(x)} from a column of its own, as in {@link SeparateBlock}, and the block adds
 * {@code penalty * sum_layers sum_{s<t} ||W_s - W_t||^2} (weights and biases) to the training loss,
 * pulling corresponding weights of the columns together. Each column belongs to its task
 * ({@link TaskOwnedParameters}): the penalty is not a task's loss and couples the columns only
 * through its own gradient.
 */
public final class SoftL2Block extends ColumnsBlock implements AuxiliaryLoss {
    private final float penalty;

    /**
     * @param inputWidth the width of the encoded input
     * @param tasks      the number of tasks (columns and outputs)
     * @param layers     every column's layer widths, non-empty
     * @param dropout    the dropout rate after each layer's activation
     * @param penalty    the coefficient of the squared distance between columns, at least 0
     */
    public SoftL2Block(int inputWidth, int tasks, List<Integer> layers, double dropout, double penalty) {
        super("soft-l2", inputWidth, tasks, layers, dropout);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("layers must not be empty");
        }
        if (!(penalty >= 0 && penalty < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("penalty must be a finite number >= 0, got " + penalty);
        }
        this.penalty = (float) penalty;
    }

    /** @return the coefficient of the penalty */
    public double penalty() {
        return penalty;
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code penalty * sum_{s<t} sum_p ||p_s - p_t||^2} over corresponding parameters {@code p}
     * (every layer's weight and bias) of columns {@code s} and {@code t}, read through the store so
     * that the gradient reaches the columns; zero with one task. The same value while training and
     * otherwise.
     */
    @Override
    public NDArray auxiliaryLoss(ParameterStore parameterStore, boolean training) {
        requireNonNull(parameterStore, "parameterStore is null");
        if (!isInitialized()) {
            throw new IllegalStateException("the soft-l2 block is not initialised");
        }
        List<List<NDArray>> values = new ArrayList<>(columns().size());
        for (MlpBlock column : columns()) {
            List<NDArray> arrays = new ArrayList<>();
            for (Parameter p : column.getParameters().values()) {
                arrays.add(parameterStore.getValue(p, parameterStore.getManager().getDevice(), training));
            }
            values.add(arrays);
        }
        NDArray total = null;
        for (int s = 0; s < values.size(); s++) {
            for (int t = s + 1; t < values.size(); t++) {
                for (int i = 0; i < values.get(s).size(); i++) {
                    NDArray difference = values.get(s).get(i).sub(values.get(t).get(i));
                    // the difference belongs to the parameters' manager (its first operand's), kept for the
                    // whole run: attached to the store's (the step's), it and what follows from it are freed
                    difference.attach(parameterStore.getManager());
                    NDArray distance = difference.square().sum();
                    total = total == null ? distance : total.add(distance);
                }
            }
        }
        if (total == null) {
            return parameterStore.getManager().zeros(new Shape());
        }
        return Scalars.mul(total, penalty);
    }
}
