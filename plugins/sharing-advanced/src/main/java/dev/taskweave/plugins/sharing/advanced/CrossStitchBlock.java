package dev.taskweave.plugins.sharing.advanced;

import static java.util.Objects.requireNonNull;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import dev.taskweave.api.model.LastSharedLayer;
import dev.taskweave.api.model.TaskIndexedParameters;
import dev.taskweave.api.nn.BlockChecks;
import dev.taskweave.api.nn.FastDropout;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cross-stitch networks (Misra et al., CVPR 2016): one column of {@code Linear -> ReLU (-> Dropout)}
 * layers per task, all reading {@code x}, and after every layer {@code i} a learnable
 * {@code T x T} matrix {@code alpha_i} mixes the columns: {@code h'_t = sum_s alpha_i[t, s] h_s}.
 * Each {@code alpha_i} starts with {@code selfWeight} on the diagonal and
 * {@code (1 - selfWeight) / (T - 1)} elsewhere (the identity for one task). The column parameters
 * come in the same order and shapes as {@link SeparateBlock}'s, after the cross-stitch matrices.
 *
 * <p>No parameter belongs to one task: a cross-stitch unit follows every layer, the last included,
 * so every task's output mixes every column and every task's loss reaches every column (and the
 * mixing matrices). The block therefore does not implement
 * {@link dev.taskweave.api.model.TaskOwnedParameters}: gradient combiners see all of it.
 */
public final class CrossStitchBlock extends AbstractBlock implements LastSharedLayer, TaskIndexedParameters {
    private static final byte VERSION = 1;

    private final int inputWidth;
    private final List<Integer> layers;
    private final float dropout;
    private final List<List<Linear>> columns = new ArrayList<>();
    private final List<Parameter> alphas = new ArrayList<>();

    /**
     * @param inputWidth the width of the encoded input
     * @param tasks      the number of tasks (columns and outputs)
     * @param layers     every column's layer widths, non-empty; a cross-stitch unit follows each
     * @param dropout    the dropout rate after each layer's activation
     * @param selfWeight the initial diagonal of every cross-stitch matrix, in {@code [0, 1]}
     */
    public CrossStitchBlock(int inputWidth, int tasks, List<Integer> layers, double dropout, double selfWeight) {
        super(VERSION);
        if (inputWidth < 1) {
            throw new IllegalArgumentException("inputWidth must be >= 1, got " + inputWidth);
        }
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks must be >= 1, got " + tasks);
        }
        this.layers = List.copyOf(requireNonNull(layers, "layers is null"));
        if (this.layers.isEmpty()) {
            throw new IllegalArgumentException("layers must not be empty");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (!(selfWeight >= 0 && selfWeight <= 1)) {
            throw new IllegalArgumentException("selfWeight must be in [0, 1], got " + selfWeight);
        }
        this.inputWidth = inputWidth;
        this.dropout = (float) dropout;
        Initializer stitch = new StitchInitializer((float) selfWeight);
        for (int i = 0; i < this.layers.size(); i++) {
            if (this.layers.get(i) < 1) {
                throw new IllegalArgumentException("layer widths must be >= 1, got " + this.layers);
            }
            alphas.add(addParameter(Parameter.builder()
                    .setName("alpha" + i)
                    .setType(Parameter.Type.OTHER)
                    .optShape(new Shape(tasks, tasks))
                    .optInitializer(stitch)
                    .build()));
        }
        for (int t = 0; t < tasks; t++) {
            List<Linear> column = new ArrayList<>();
            for (int i = 0; i < this.layers.size(); i++) {
                Linear layer = Linear.builder().setUnits(this.layers.get(i)).build();
                column.add(addChildBlock("task" + t + "_linear" + i, layer));
            }
            columns.add(column);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Task {@code task}'s column, layer by layer (every task reads it through the units, so it is
     * not the task's own in the gradients' sense).
     */
    @Override
    public List<Parameter> taskPositionParameters(int task) {
        List<Parameter> params = new ArrayList<>();
        for (Linear layer : columns.get(task)) {
            params.addAll(layer.getParameters().values());
        }
        return params;
    }

    /** {@inheritDoc} Both axes of every cross-stitch matrix: {@code alpha_i[t, s]} is what task t takes of task s. */
    @Override
    public List<TaskAxis> taskAxes() {
        List<TaskAxis> axes = new ArrayList<>();
        for (Parameter alpha : alphas) {
            axes.add(new TaskAxis(alpha, 0, 1));
            axes.add(new TaskAxis(alpha, 1, 1));
        }
        return axes;
    }

    /** @return the width of every task's output: the last layer's width */
    public int outputWidth() {
        return layers.get(layers.size() - 1);
    }

    /** @return the number of tasks */
    public int taskCount() {
        return columns.size();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Every column's last layer, column by column, then the cross-stitch unit that mixes their
     * outputs: every task's output reads all of them.
     */
    @Override
    public List<Parameter> lastSharedLayer() {
        List<Parameter> params = new ArrayList<>();
        for (List<Linear> column : columns) {
            params.addAll(column.get(column.size() - 1).getParameters().values());
        }
        params.add(alphas.get(alphas.size() - 1));
        return params;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        int tasks = columns.size();
        List<NDArray> h = new ArrayList<>(tasks);
        for (int t = 0; t < tasks; t++) {
            h.add(x);
        }
        for (int i = 0; i < layers.size(); i++) {
            for (int t = 0; t < tasks; t++) {
                NDArray z = columns.get(t).get(i).forward(parameterStore, new NDList(h.get(t)), training, params)
                        .singletonOrThrow();
                z = Activation.relu(z);
                if (dropout > 0) {
                    z = FastDropout.apply(z, dropout, training);
                }
                h.set(t, z);
            }
            NDArray alpha = parameterStore.getValue(alphas.get(i), x.getDevice(), training);
            NDArray stacked = NDArrays.stack(new NDList(h), 0); // [T, B, H]
            NDArray mixed = alpha.matMul(stacked.reshape(tasks, -1));
            // the product belongs to alpha's manager (its first operand's), which holds the parameters for
            // the whole run: attached to the step's, it and everything computed from it are freed with the step
            mixed.attach(x.getManager());
            mixed = mixed.reshape(stacked.getShape());
            for (int t = 0; t < tasks; t++) {
                h.set(t, mixed.get(t));
            }
        }
        return new NDList(h);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] outputs = new Shape[columns.size()];
        Arrays.fill(outputs, new Shape(inputShapes[0].get(0), outputWidth()));
        return outputs;
    }

    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        BlockChecks.checkInput("cross-stitch", inputWidth, inputShapes);
        super.beforeInitialize(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (List<Linear> column : columns) {
            Shape[] shapes = inputShapes;
            for (Linear layer : column) {
                layer.initialize(manager, dataType, shapes);
                shapes = layer.getOutputShapes(shapes);
            }
        }
    }

    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        saveInputShapes(os);
        os.writeInt(columns.size());
        os.writeInt(layers.size());
        for (int width : layers) {
            os.writeInt(width);
        }
    }

    @Override
    protected void loadMetadata(byte loadVersion, DataInputStream is) throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException("Unsupported cross-stitch encoding version: " + loadVersion);
        }
        readInputShapes(is);
        BlockChecks.checkSaved("cross-stitch", "tasks", is.readInt(), columns.size());
        BlockChecks.checkSaved("cross-stitch", "layers", is.readInt(), layers.size());
        for (int i = 0; i < layers.size(); i++) {
            BlockChecks.checkSaved("cross-stitch", "units in layer " + i, is.readInt(), layers.get(i));
        }
    }

    /** {@code selfWeight} on the diagonal, the rest of each row's unit mass spread evenly off it. */
    private static final class StitchInitializer implements Initializer {
        private final float selfWeight;

        StitchInitializer(float selfWeight) {
            this.selfWeight = selfWeight;
        }

        @Override
        public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
            int tasks = Math.toIntExact(shape.get(0));
            float self = tasks == 1 ? 1f : selfWeight;
            float other = tasks == 1 ? 0f : (1f - selfWeight) / (tasks - 1);
            float[] values = new float[tasks * tasks];
            for (int r = 0; r < tasks; r++) {
                for (int c = 0; c < tasks; c++) {
                    values[r * tasks + c] = r == c ? self : other;
                }
            }
            return manager.create(values, shape).toType(dataType, false);
        }
    }
}
