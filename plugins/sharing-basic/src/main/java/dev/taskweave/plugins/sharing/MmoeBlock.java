package dev.taskweave.plugins.sharing;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
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
import dev.taskweave.api.model.TaskOwnedParameters;
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
 * Multi-gate Mixture-of-Experts (Ma et al., KDD 2018). {@code E} expert MLPs read the input
 * {@code x}; task {@code t} has a gate {@code g_t(x) = softmax(W_t x + b_t)} over the experts and
 * receives {@code sum_e g_te(x) * expert_e(x)}. The experts are shared; task {@code t}'s gate
 * belongs to task {@code t} ({@link TaskOwnedParameters}).
 */
public final class MmoeBlock extends AbstractBlock implements GatedBlock, TaskOwnedParameters, LastSharedLayer, AffineInput {
    private static final byte VERSION = 1;

    private final int inputWidth;
    private final List<MlpBlock> experts = new ArrayList<>();
    private final List<Linear> gates = new ArrayList<>();

    /**
     * @param inputWidth   the width of the encoded input
     * @param tasks        the number of tasks (gates and outputs)
     * @param experts      the number of experts
     * @param expertLayers each expert's layer widths; the last is the output width
     * @param dropout      the dropout rate after each expert layer's activation
     */
    public MmoeBlock(int inputWidth, int tasks, int experts, List<Integer> expertLayers, double dropout) {
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
        for (int e = 0; e < experts; e++) {
            this.experts.add(addChildBlock("expert" + e, new MlpBlock(expertLayers, dropout)));
        }
        for (int t = 0; t < tasks; t++) {
            this.gates.add(addChildBlock("gate" + t, Linear.builder().setUnits(experts).build()));
        }
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
        return gates.size();
    }

    /**
     * The mixture weights each task's gate puts on the experts, evaluated in inference mode.
     *
     * @param parameterStore the store holding the block's parameters
     * @param x              the encoded input, {@code [batch, inputWidth]}
     * @return one {@code [batch, experts]} array per task, in task order; each row is non-negative
     *     and sums to 1
     */
    @Override
    public NDList gates(ParameterStore parameterStore, NDArray x) {
        requireNonNull(parameterStore, "parameterStore is null");
        requireNonNull(x, "x is null");
        if (!isInitialized()) {
            throw new IllegalStateException("the MMoE block is not initialised");
        }
        BlockChecks.checkInput("mmoe", inputWidth, x.getShape());
        return gates(parameterStore, x, false, null);
    }

    private NDList gates(ParameterStore parameterStore, NDArray x, boolean training, PairList<String, Object> params) {
        NDList weights = new NDList(gates.size());
        for (Linear gate : gates) {
            weights.add(gate.forward(parameterStore, new NDList(x), training, params).singletonOrThrow().softmax(1));
        }
        return weights;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Task {@code t}'s gate weight and bias.
     */
    @Override
    public List<Parameter> taskOwnedParameters(int task) {
        return new ArrayList<>(gates.get(task).getParameters().values());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Every expert's last layer, expert by expert.
     */
    @Override
    public List<Parameter> lastSharedLayer() {
        return MlpBlock.lastLayerParameters(experts);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The experts' first layers, then the gates, stacked by rows.
     */
    @Override
    public NDList inputMap(ParameterStore parameterStore, Device device) {
        AffineParts parts = new AffineParts(parameterStore, device).experts(experts);
        gates.forEach(parts::linear);
        return parts.map();
    }

    @Override
    public NDList forwardMapped(ParameterStore parameterStore, NDArray mapped, boolean training, boolean[] wanted) {
        int hidden = experts.get(0).firstLayerWidth();
        long expertUnits = (long) experts.size() * hidden;
        long[] cuts = new long[gates.size()];
        for (int t = 0; t < cuts.length; t++) {
            cuts[t] = expertUnits + (long) t * experts.size();
        }
        NDList parts = mapped.split(cuts, 1); // the experts' pre-activations, then one gate per task
        NDList outputs = new NDList(gates.size());
        if (!training) {
            NDArray stacked = ExpertStack.run(experts, parameterStore, parts.get(0)); // [B, E, H]
            for (int t = 0; t < gates.size(); t++) {
                outputs.add(wanted == null || wanted[t] ? ExpertStack.mix(stacked, parts.get(t + 1)) : null);
            }
            return outputs;
        }
        NDList pre = parts.get(0).split(experts.size(), 1);
        NDList expertOutputs = new NDList(experts.size());
        for (int e = 0; e < experts.size(); e++) {
            expertOutputs.add(experts.get(e).fromFirstLayer(parameterStore, pre.get(e), true, null));
        }
        NDArray stacked = NDArrays.stack(expertOutputs, 1);
        for (int t = 0; t < gates.size(); t++) {
            outputs.add(ExpertStack.mix(stacked, parts.get(t + 1)));
        }
        return outputs;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDList expertOutputs = new NDList(experts.size());
        for (MlpBlock expert : experts) {
            expertOutputs.add(expert.forward(parameterStore, new NDList(x), training, params).singletonOrThrow());
        }
        NDArray stacked = NDArrays.stack(expertOutputs, 1); // [B, E, H]
        NDList outputs = new NDList(gates.size());
        for (NDArray weights : gates(parameterStore, x, training, params)) {
            outputs.add(stacked.mul(weights.expandDims(2)).sum(new int[] {1})); // [B, E, 1] -> [B, H]
        }
        return outputs;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] outputs = new Shape[gates.size()];
        Arrays.fill(outputs, experts.get(0).getOutputShapes(inputShapes)[0]);
        return outputs;
    }

    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        BlockChecks.checkInput("mmoe", inputWidth, inputShapes);
        super.beforeInitialize(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (MlpBlock expert : experts) {
            expert.initialize(manager, dataType, inputShapes);
        }
        for (Linear gate : gates) {
            gate.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        saveInputShapes(os);
        os.writeInt(experts.size());
        os.writeInt(gates.size());
    }

    @Override
    protected void loadMetadata(byte loadVersion, DataInputStream is) throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException("Unsupported MMoE encoding version: " + loadVersion);
        }
        readInputShapes(is);
        BlockChecks.checkSaved("mmoe", "experts", is.readInt(), experts.size());
        BlockChecks.checkSaved("mmoe", "tasks", is.readInt(), gates.size());
    }
}
