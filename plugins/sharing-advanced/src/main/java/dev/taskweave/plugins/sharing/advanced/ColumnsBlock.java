package dev.taskweave.plugins.sharing.advanced;

import static java.util.Objects.requireNonNull;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.taskweave.api.model.TaskOwnedParameters;
import dev.taskweave.api.nn.BlockChecks;
import dev.taskweave.api.nn.MlpBlock;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One MLP column per task over the same input: task {@code t} receives {@code MLP_t(x)}. Each
 * column belongs to its task ({@link TaskOwnedParameters}), so gradient combiners see only what is
 * in front of this block. The strategies that couple the columns differently extend it.
 */
abstract class ColumnsBlock extends AbstractBlock implements TaskOwnedParameters {
    private static final byte VERSION = 1;

    private final String strategy;
    private final int inputWidth;
    private final List<MlpBlock> columns = new ArrayList<>();

    /**
     * @param strategy   the sharing strategy's name, for messages
     * @param inputWidth the width of the encoded input
     * @param tasks      the number of tasks (columns and outputs)
     * @param layers     every column's layer widths; empty hands {@code x} to every task
     * @param dropout    the dropout rate after each layer's activation
     */
    ColumnsBlock(String strategy, int inputWidth, int tasks, List<Integer> layers, double dropout) {
        super(VERSION);
        if (inputWidth < 1) {
            throw new IllegalArgumentException("inputWidth must be >= 1, got " + inputWidth);
        }
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks must be >= 1, got " + tasks);
        }
        requireNonNull(layers, "layers is null");
        this.strategy = strategy;
        this.inputWidth = inputWidth;
        for (int t = 0; t < tasks; t++) {
            columns.add(addChildBlock("task" + t, new MlpBlock(layers, dropout)));
        }
    }

    /** @return the width of every task's output */
    public int outputWidth() {
        return columns.get(0).outputWidth(inputWidth);
    }

    /** @return the columns, in task order */
    final List<MlpBlock> columns() {
        return columns;
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
        BlockChecks.checkInput(strategy, inputWidth, inputShapes);
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
            throw new MalformedModelException("Unsupported " + strategy + " encoding version: " + loadVersion);
        }
        readInputShapes(is);
        BlockChecks.checkSaved(strategy, "tasks", is.readInt(), columns.size());
    }
}
