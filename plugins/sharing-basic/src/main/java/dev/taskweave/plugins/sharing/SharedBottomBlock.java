package dev.taskweave.plugins.sharing;

import ai.djl.Device;
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
import dev.taskweave.api.model.AffineInput;
import dev.taskweave.api.model.LastSharedLayer;
import dev.taskweave.api.nn.BlockChecks;
import dev.taskweave.api.nn.MlpBlock;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Hard parameter sharing: one MLP on {@code [batch, inputWidth]} whose output is handed to every
 * task. The returned list holds the same array once per task, so gradients from all tasks add up
 * in the bottom.
 */
public final class SharedBottomBlock extends AbstractBlock implements AffineInput, LastSharedLayer {
    private static final byte VERSION = 1;

    private final int inputWidth;
    private final int tasks;
    private final MlpBlock bottom;

    /**
     * @param inputWidth the width of the encoded input
     * @param tasks      the number of tasks (outputs)
     * @param layers     the bottom's layer widths; empty for the identity
     * @param dropout    the dropout rate after each layer's activation
     */
    public SharedBottomBlock(int inputWidth, int tasks, List<Integer> layers, double dropout) {
        super(VERSION);
        if (inputWidth < 1) {
            throw new IllegalArgumentException("inputWidth must be >= 1, got " + inputWidth);
        }
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks must be >= 1, got " + tasks);
        }
        this.inputWidth = inputWidth;
        this.tasks = tasks;
        this.bottom = addChildBlock("bottom", new MlpBlock(layers, dropout));
    }

    /** @return the width of every task's output */
    public int outputWidth() {
        return bottom.outputWidth(inputWidth);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray shared = bottom.forward(parameterStore, inputs, training, params).singletonOrThrow();
        NDList outputs = new NDList(tasks);
        for (int t = 0; t < tasks; t++) {
            outputs.add(shared);
        }
        return outputs;
    }

    /** {@inheritDoc} The bottom's last layer; empty when the bottom has no layer. */
    @Override
    public List<Parameter> lastSharedLayer() {
        return bottom.lastLayerParameters();
    }

    /** {@inheritDoc} The bottom's first layer; null when the bottom has no layer. */
    @Override
    public NDList inputMap(ParameterStore parameterStore, Device device) {
        return bottom.firstLayerMap(parameterStore, device);
    }

    @Override
    public NDList forwardMapped(ParameterStore parameterStore, NDArray mapped, boolean training, boolean[] wanted) {
        NDArray shared = bottom.fromFirstLayer(parameterStore, mapped, training, null);
        NDList outputs = new NDList(tasks);
        for (int t = 0; t < tasks; t++) {
            outputs.add(shared);
        }
        return outputs;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] outputs = new Shape[tasks];
        Arrays.fill(outputs, bottom.getOutputShapes(inputShapes)[0]);
        return outputs;
    }

    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        BlockChecks.checkInput("shared-bottom", inputWidth, inputShapes);
        super.beforeInitialize(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        bottom.initialize(manager, dataType, inputShapes);
    }

    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        saveInputShapes(os);
        os.writeInt(tasks);
    }

    @Override
    protected void loadMetadata(byte loadVersion, DataInputStream is) throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException("Unsupported shared-bottom encoding version: " + loadVersion);
        }
        readInputShapes(is);
        BlockChecks.checkSaved("shared-bottom", "tasks", is.readInt(), tasks);
    }
}
