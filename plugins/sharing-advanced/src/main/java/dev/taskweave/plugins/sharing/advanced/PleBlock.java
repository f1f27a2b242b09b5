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
import dev.taskweave.api.model.TaskIndexedParameters;
import dev.taskweave.api.model.TaskOwnedParameters;
import dev.taskweave.api.nn.BlockChecks;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Progressive Layered Extraction (Tang et al., RecSys 2020): {@code L} stacked Customized Gate
 * Control levels. Level 1 reads {@code x} everywhere. At level {@code j > 1}, task {@code t}'s
 * experts and gate read task {@code t}'s output of level {@code j - 1}, and the shared experts read
 * the shared output of level {@code j - 1}: the mixture of all that level's experts (every task's and
 * the shared ones) under a shared gate. The last level has no shared gate; its task outputs are the
 * block's outputs. With one level it is {@link CgcBlock}.
 *
 * <p>What belongs to one task ({@link TaskOwnedParameters}) follows from the shared gates: a task's
 * experts feed the shared mixture of their level unless it is the last, so only the last level's
 * task experts are the task's own; a task's gate at level {@code j} feeds the task's experts of
 * level {@code j + 1}, so it is the task's own at the last two levels, or at every level when tasks
 * have no experts of their own.
 */
public final class PleBlock extends AbstractBlock implements GatedBlock, TaskOwnedParameters, TaskIndexedParameters, LastSharedLayer,
        AffineInput {
    private static final byte VERSION = 1;

    private final int inputWidth;
    private final int tasks;
    private final List<ExtractionLayer> levels = new ArrayList<>();

    /**
     * @param inputWidth    the width of the encoded input
     * @param tasks         the number of tasks (outputs)
     * @param levels        the number of extraction levels, at least 1
     * @param sharedExperts the number of shared experts per level, at least 1
     * @param taskExperts   the number of experts each task owns per level, at least 0
     * @param expertLayers  each expert's layer widths at every level; the last is the output width
     * @param dropout       the dropout rate after each expert layer's activation
     */
    public PleBlock(int inputWidth, int tasks, int levels, int sharedExperts, int taskExperts,
            List<Integer> expertLayers, double dropout) {
        super(VERSION);
        if (inputWidth < 1) {
            throw new IllegalArgumentException("inputWidth must be >= 1, got " + inputWidth);
        }
        if (levels < 1) {
            throw new IllegalArgumentException("levels must be >= 1, got " + levels);
        }
        this.inputWidth = inputWidth;
        this.tasks = tasks;
        for (int l = 0; l < levels; l++) {
            this.levels.add(addChildBlock("level" + l,
                    new ExtractionLayer(tasks, sharedExperts, taskExperts, expertLayers, dropout, l < levels - 1)));
        }
    }

    /** @return the width of every task's output: the last expert layer's width */
    public int outputWidth() {
        return levels.get(0).outputWidth();
    }

    /** @return the number of tasks */
    public int taskCount() {
        return tasks;
    }

    /** @return the number of extraction levels */
    public int levelCount() {
        return levels.size();
    }

    /**
     * {@inheritDoc}
     *
     * <p>The gates of the last level: task {@code t}'s array is
     * {@code [batch, taskExperts + sharedExperts]}, its own experts first, then the shared ones.
     */
    @Override
    public NDList gates(ParameterStore parameterStore, NDArray input) {
        requireNonNull(parameterStore, "parameterStore is null");
        requireNonNull(input, "input is null");
        if (!isInitialized()) {
            throw new IllegalStateException("the PLE block is not initialised");
        }
        BlockChecks.checkInput("ple", inputWidth, input.getShape());
        NDList h = copies(input, tasks + 1);
        for (ExtractionLayer level : levels.subList(0, levels.size() - 1)) {
            h = level.forward(parameterStore, h, false, null);
        }
        return levels.get(levels.size() - 1).gates(parameterStore, h, false, null);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Per level, first to last: task {@code t}'s experts when the level is the last, then its
     * gate when the level is one of the last two or tasks have no experts of their own.
     */
    @Override
    public List<Parameter> taskOwnedParameters(int task) {
        List<Parameter> params = new ArrayList<>();
        int last = levels.size() - 1;
        for (int l = 0; l <= last; l++) {
            ExtractionLayer level = levels.get(l);
            params.addAll(level.taskParameters(task, l == last, l >= last - 1 || level.taskExperts() == 0));
        }
        return params;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Task {@code task}'s experts and gate at every level, level by level: those of the inner
     * levels feed the shared gate, which every task reads, so they are not the task's own in
     * {@link TaskOwnedParameters}' sense, but they stand at its position.
     */
    @Override
    public List<Parameter> taskPositionParameters(int task) {
        List<Parameter> params = new ArrayList<>();
        for (ExtractionLayer level : levels) {
            params.addAll(level.taskParameters(task, true, true));
        }
        return params;
    }

    /** {@inheritDoc} The inner levels' shared gates' rows over the task experts, task by task. */
    @Override
    public List<TaskAxis> taskAxes() {
        List<TaskAxis> axes = new ArrayList<>();
        for (ExtractionLayer level : levels) {
            axes.addAll(level.sharedGateAxes());
        }
        return axes;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The last level's shared experts' last layers (its task experts and gates are the tasks' own).
     */
    @Override
    public List<Parameter> lastSharedLayer() {
        return levels.get(levels.size() - 1).sharedLastLayers();
    }

    /** {@inheritDoc} The first level's experts' and gates' input layers. */
    @Override
    public NDList inputMap(ParameterStore parameterStore, Device device) {
        return levels.get(0).inputMap(parameterStore, device);
    }

    @Override
    public NDList forwardMapped(ParameterStore parameterStore, NDArray mapped, boolean training, boolean[] wanted) {
        NDList h = levels.get(0).forwardMapped(parameterStore, mapped, training, levels.size() == 1 ? wanted : null);
        for (int i = 1; i < levels.size(); i++) {
            h = levels.get(i).forward(parameterStore, h, training, null);
        }
        return h;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList h = copies(inputs.singletonOrThrow(), tasks + 1);
        for (ExtractionLayer level : levels) {
            h = level.forward(parameterStore, h, training, params);
        }
        return h;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = copies(inputShapes[0], tasks + 1);
        for (ExtractionLayer level : levels) {
            shapes = level.getOutputShapes(shapes);
        }
        return shapes;
    }

    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        BlockChecks.checkInput("ple", inputWidth, inputShapes);
        super.beforeInitialize(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = copies(inputShapes[0], tasks + 1);
        for (ExtractionLayer level : levels) {
            level.initialize(manager, dataType, shapes);
            shapes = level.getOutputShapes(shapes);
        }
    }

    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        saveInputShapes(os);
        os.writeInt(tasks);
        os.writeInt(levels.size());
    }

    @Override
    protected void loadMetadata(byte loadVersion, DataInputStream is) throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException("Unsupported PLE encoding version: " + loadVersion);
        }
        readInputShapes(is);
        BlockChecks.checkSaved("ple", "tasks", is.readInt(), tasks);
        BlockChecks.checkSaved("ple", "levels", is.readInt(), levels.size());
    }

    /** @return {@code x} {@code n} times: the inputs of a first extraction level */
    static NDList copies(NDArray x, int n) {
        NDList list = new NDList(n);
        for (int i = 0; i < n; i++) {
            list.add(x);
        }
        return list;
    }

    static Shape[] copies(Shape shape, int n) {
        Shape[] shapes = new Shape[n];
        Arrays.fill(shapes, shape);
        return shapes;
    }
}
