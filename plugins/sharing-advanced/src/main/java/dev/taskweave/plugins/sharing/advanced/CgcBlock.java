package dev.taskweave.plugins.sharing.advanced;

import static java.util.Objects.requireNonNull;

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
import dev.taskweave.api.model.GatedBlock;
import dev.taskweave.api.model.LastSharedLayer;
import dev.taskweave.api.model.TaskOwnedParameters;
import dev.taskweave.api.nn.BlockChecks;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * Customized Gate Control (Tang et al., RecSys 2020): {@code S} shared experts plus {@code K}
 * experts per task, all reading {@code x}. Task {@code t}'s gate
 * {@code g_t(x) = softmax(W_t x + b_t)} spans its own {@code K} experts followed by the {@code S}
 * shared ones, and task {@code t} receives their gate-weighted sum. Task experts only ever get their
 * own task's gradient: they and task {@code t}'s gate belong to task {@code t}
 * ({@link TaskOwnedParameters}); the shared experts are shared. It is {@link PleBlock} with one
 * level, with the same parameter names and shapes.
 */
public final class CgcBlock extends AbstractBlock implements GatedBlock, TaskOwnedParameters, LastSharedLayer, AffineInput {
    private static final byte VERSION = 1;

    private final int inputWidth;
    private final int tasks;
    private final ExtractionLayer level;

    /**
     * @param inputWidth    the width of the encoded input
     * @param tasks         the number of tasks (gates and outputs)
     * @param sharedExperts the number of shared experts, at least 1
     * @param taskExperts   the number of experts each task owns, at least 0
     * @param expertLayers  each expert's layer widths; the last is the output width
     * @param dropout       the dropout rate after each expert layer's activation
     */
    public CgcBlock(int inputWidth, int tasks, int sharedExperts, int taskExperts, List<Integer> expertLayers,
            double dropout) {
        super(VERSION);
        if (inputWidth < 1) {
            throw new IllegalArgumentException("inputWidth must be >= 1, got " + inputWidth);
        }
        this.inputWidth = inputWidth;
        this.tasks = tasks;
        this.level = addChildBlock("level0",
                new ExtractionLayer(tasks, sharedExperts, taskExperts, expertLayers, dropout, false));
    }

    /** @return the width of every task's output: the last expert layer's width */
    public int outputWidth() {
        return level.outputWidth();
    }

    /** @return the number of tasks */
    public int taskCount() {
        return tasks;
    }

    /** @return the number of shared experts */
    public int sharedExperts() {
        return level.sharedExperts();
    }

    /** @return the number of experts each task owns */
    public int taskExperts() {
        return level.taskExperts();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Task {@code t}'s array is {@code [batch, taskExperts + sharedExperts]}: the weights of its
     * own experts first, then those of the shared experts.
     */
    @Override
    public NDList gates(ParameterStore parameterStore, NDArray input) {
        requireNonNull(parameterStore, "parameterStore is null");
        requireNonNull(input, "input is null");
        if (!isInitialized()) {
            throw new IllegalStateException("the CGC block is not initialised");
        }
        BlockChecks.checkInput("cgc", inputWidth, input.getShape());
        return level.gates(parameterStore, PleBlock.copies(input, tasks + 1), false, null);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Task {@code t}'s own experts, then its gate.
     */
    @Override
    public List<Parameter> taskOwnedParameters(int task) {
        return level.taskParameters(task, true, true);
    }

    /** {@inheritDoc} The shared experts' last layers (task experts and gates are the tasks' own). */
    @Override
    public List<Parameter> lastSharedLayer() {
        return level.sharedLastLayers();
    }

    /** {@inheritDoc} The shared experts', task experts' and gates' input layers. */
    @Override
    public NDList inputMap(ParameterStore parameterStore, Device device) {
        return level.inputMap(parameterStore, device);
    }

    @Override
    public NDList forwardMapped(ParameterStore parameterStore, NDArray mapped, boolean training, boolean[] wanted) {
        return level.forwardMapped(parameterStore, mapped, training, wanted);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = PleBlock.copies(inputs.singletonOrThrow(), tasks + 1);
        return level.forward(parameterStore, x, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return level.getOutputShapes(PleBlock.copies(inputShapes[0], tasks + 1));
    }

    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        BlockChecks.checkInput("cgc", inputWidth, inputShapes);
        super.beforeInitialize(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        level.initialize(manager, dataType, PleBlock.copies(inputShapes[0], tasks + 1));
    }

    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        saveInputShapes(os);
        os.writeInt(tasks);
    }

    @Override
    protected void loadMetadata(byte loadVersion, DataInputStream is) throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException("Unsupported CGC encoding version: " + loadVersion);
        }
        readInputShapes(is);
        BlockChecks.checkSaved("cgc", "tasks", is.readInt(), tasks);
    }
}
