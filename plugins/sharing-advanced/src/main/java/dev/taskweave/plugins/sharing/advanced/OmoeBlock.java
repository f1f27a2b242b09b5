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
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.taskweave.api.model.AffineInput;
import dev.taskweave.api.model.GatedBlock;
import dev.taskweave.api.model.LastSharedLayer;
import dev.taskweave.api.nn.AffineParts;
import dev.taskweave.api.nn.BlockChecks;
import dev.taskweave.api.nn.ExpertStack;
import dev.taskweave.api.nn.MlpBlock;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One-gate Mixture-of-Experts: {@code E} expert MLPs read the input {@code x}, a single gate
 * {@code g(x) = softmax(W x + b)} mixes them, and every task receives the same
 * {@code sum_e g_e(x) * expert_e(x)} (the same array, so the gate and experts collect every task's
 * gradient).
 */
public final class OmoeBlock extends AbstractBlock implements GatedBlock, LastSharedLayer, AffineInput {
    private static final byte VERSION = 1;

    private final int inputWidth;
    private final int tasks;
    private final List<MlpBlock> experts = new ArrayList<>();
    private final Linear gate;

    /**
     * @param inputWidth   the width of the encoded input
     * @param tasks        the number of tasks (outputs)
     * @param experts      the number of experts
     * @param expertLayers each expert's layer widths; the last is the output width
     * @param dropout      the dropout rate after each expert layer's activation
     */
    public OmoeBlock(int inputWidth, int tasks, int experts, List<Integer> expertLayers, double dropout) {
        super(VERSION);
        if (inputWidth < 1) {
            throw new IllegalArgumentException("inputWidth must be >= 1, got " + inputWidth);
        }
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks must be >= 1, got " + tasks);
        }
        if (experts < 1) {
            throw new IllegalArgumentException("experts must be >= 1, got " + experts);
        }
        if (requireNonNull(expertLayers, "expertLayers is null").isEmpty()) {
            throw new IllegalArgumentException("expertLayers must not be empty");
        }
        this.inputWidth = inputWidth;
        this.tasks = tasks;
        for (int e = 0; e < experts; e++) {
            this.experts.add(addChildBlock("expert" + e, new MlpBlock(expertLayers, dropout)));
        }
        this.gate = addChildBlock("gate", Linear.builder().setUnits(experts).build());
    }

    /** @return the width of every task's output: the last expert layer's width */
    public int outputWidth() {
        return experts.get(0).outputWidth(inputWidth);
    }

    /** @return the number of experts */
    public int expertCount() {
        return experts.size();
    }

    /** @return the number of tasks */
    public int taskCount() {
        return tasks;
    }

    /**
     * {@inheritDoc}
     *
     * <p>All tasks share one gate: the list holds the same {@code [batch, experts]} array once per
     * task.
     */
    @Override
    public NDList gates(ParameterStore parameterStore, NDArray input) {
        requireNonNull(parameterStore, "parameterStore is null");
        requireNonNull(input, "input is null");
        if (!isInitialized()) {
            throw new IllegalStateException("the OMoE block is not initialised");
        }
        BlockChecks.checkInput("omoe", inputWidth, input.getShape());
        return repeat(gate(parameterStore, input, false, null));
    }

    private NDArray gate(ParameterStore parameterStore, NDArray x, boolean training, PairList<String, Object> params) {
        return gate.forward(parameterStore, new NDList(x), training, params).singletonOrThrow().softmax(1);
    }

    private NDList repeat(NDArray array) {
        NDList list = new NDList(tasks);
        for (int t = 0; t < tasks; t++) {
            list.add(array);
        }
        return list;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Every expert's last layer, expert by expert, then the gate: every task's input is their
     * mixture, as cross-stitch's is its last unit's.
     */
    @Override
    public List<Parameter> lastSharedLayer() {
        List<Parameter> params = MlpBlock.lastLayerParameters(experts);
        params.addAll(gate.getParameters().values());
        return params;
    }

    /** {@inheritDoc} The experts' first layers, then the gate. */
    @Override
    public NDList inputMap(ParameterStore parameterStore, Device device) {
        return new AffineParts(parameterStore, device).experts(experts).linear(gate).map();
    }

    @Override
    public NDList forwardMapped(ParameterStore parameterStore, NDArray mapped, boolean training, boolean[] wanted) {
        if (!training) {
            NDList parts = mapped.split(new long[] {(long) experts.size() * experts.get(0).firstLayerWidth()}, 1);
            return repeat(ExpertStack.mix(ExpertStack.run(experts, parameterStore, parts.get(0)), parts.get(1)));
        }
        List<Long> widths = new ArrayList<>();
        for (MlpBlock expert : experts) {
            widths.add((long) expert.firstLayerWidth());
        }
        widths.add((long) experts.size());
        NDList parts = AffineParts.split(mapped, widths);
        List<NDArray> outputs = new ArrayList<>(experts.size());
        for (int e = 0; e < experts.size(); e++) {
            outputs.add(experts.get(e).fromFirstLayer(parameterStore, parts.get(e), training, null));
        }
        return repeat(Mixtures.mix(outputs, parts.get(experts.size()).softmax(1)));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        List<NDArray> outputs = new ArrayList<>(experts.size());
        for (MlpBlock expert : experts) {
            outputs.add(expert.forward(parameterStore, new NDList(x), training, params).singletonOrThrow());
        }
        return repeat(Mixtures.mix(outputs, gate(parameterStore, x, training, params)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] outputs = new Shape[tasks];
        Arrays.fill(outputs, experts.get(0).getOutputShapes(inputShapes)[0]);
        return outputs;
    }

    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        BlockChecks.checkInput("omoe", inputWidth, inputShapes);
        super.beforeInitialize(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (MlpBlock expert : experts) {
            expert.initialize(manager, dataType, inputShapes);
        }
        gate.initialize(manager, dataType, inputShapes);
    }

    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        saveInputShapes(os);
        os.writeInt(experts.size());
        os.writeInt(tasks);
    }

    @Override
    protected void loadMetadata(byte loadVersion, DataInputStream is) throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException("Unsupported OMoE encoding version: " + loadVersion);
        }
        readInputShapes(is);
        BlockChecks.checkSaved("omoe", "experts", is.readInt(), experts.size());
        BlockChecks.checkSaved("omoe", "tasks", is.readInt(), tasks);
    }
}
