package dev.taskweave.plugins.sharing.advanced;

import static java.util.Objects.requireNonNull;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.taskweave.api.model.AuxiliaryLoss;
import dev.taskweave.api.model.TaskOwnedParameters;
import dev.taskweave.api.nn.MlpBlock;
import dev.taskweave.api.nn.Scalars;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Soft parameter sharing by a regulariser (Duong et al., ACL 2015): task {@code t} receives
 * {@code MLP_t(x)} from a column of its own, as in {@link SeparateBlock}, and the block adds
 * {@code penalty * sum_layers sum_{s<t} ||W_s - W_t||^2} (weights and biases) to the training loss,
 * pulling corresponding weights of the columns together. Each column belongs to its task
 * ({@link TaskOwnedParameters}): the penalty is not a task's loss and couples the columns only
 * through its own gradient.
 */
public final class SoftL2Block extends AbstractBlock implements AuxiliaryLoss, TaskOwnedParameters {
    private static final byte VERSION = 1;

    private final int inputWidth;
    private final float penalty;
    private final List<MlpBlock> columns = new ArrayList<>();

    /**
     * @param inputWidth the width of the encoded input
     * @param tasks      the number of tasks (columns and outputs)
     * @param layers     every column's layer widths, non-empty
     * @param dropout    the dropout rate after each layer's activation
     * @param penalty    the coefficient of the squared distance between columns, at least 0
     */
    public SoftL2Block(int inputWidth, int tasks, List<Integer> layers, double dropout, double penalty) {
        super(VERSION);
        if (inputWidth < 1) {
            throw new IllegalArgumentException("inputWidth must be >= 1, got " + inputWidth);
        }
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks must be >= 1, got " + tasks);
        }
        if (requireNonNull(layers, "layers is null").isEmpty()) {
            throw new IllegalArgumentException("layers must not be empty");
        }
        if (!(penalty >= 0 && penalty < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("penalty must be a finite number >= 0, got " + penalty);
        }
        this.inputWidth = inputWidth;
        this.penalty = (float) penalty;
        for (int t = 0; t < tasks; t++) {
            columns.add(addChildBlock("task" + t, new MlpBlock(layers, dropout)));
        }
    }

    /** @return the width of every task's output */
    public int outputWidth() {
        return columns.get(0).outputWidth(inputWidth);
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
        List<List<NDArray>> values = new ArrayList<>(columns.size());
        for (MlpBlock column : columns) {
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
                    NDArray distance = values.get(s).get(i).sub(values.get(t).get(i)).square().sum();
                    total = total == null ? distance : total.add(distance);
                }
            }
        }
        if (total == null) {
            return parameterStore.getManager().zeros(new Shape());
        }
        return Scalars.mul(total, penalty);
    }


    /**
     * {@inheritDoc}
     *
     * <p>Column {@code t}'s weights and biases: only task {@code t}'s output reads them.
     */
    @Override
    public List<Parameter> taskOwnedParameters(int task) {
        return new ArrayList<>(columns.get(task).getParameters().values());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList outputs = new NDList(columns.size());
        for (MlpBlock column : columns) {
            outputs.add(column.forward(parameterStore, inputs, training, params).singletonOrThrow());
        }
        return outputs;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] outputs = new Shape[columns.size()];
        Arrays.fill(outputs, columns.get(0).getOutputShapes(inputShapes)[0]);
        return outputs;
    }

    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        BlockChecks.checkInput("soft-l2", inputWidth, inputShapes);
        super.beforeInitialize(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (MlpBlock column : columns) {
            column.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        saveInputShapes(os);
        os.writeInt(columns.size());
    }

    @Override
    protected void loadMetadata(byte loadVersion, DataInputStream is) throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException("Unsupported soft-l2 encoding version: " + loadVersion);
        }
        readInputShapes(is);
        BlockChecks.checkSaved("soft-l2", "tasks", is.readInt(), columns.size());
    }
}
