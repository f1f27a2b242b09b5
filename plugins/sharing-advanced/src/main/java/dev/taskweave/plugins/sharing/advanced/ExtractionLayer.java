package dev.taskweave.plugins.sharing.advanced;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.taskweave.api.nn.AffineParts;
import dev.taskweave.api.nn.BlockChecks;
import dev.taskweave.api.nn.ExpertStack;
import dev.taskweave.api.nn.MlpBlock;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One Customized Gate Control level (Tang et al., RecSys 2020). It takes {@code T + 1} inputs: one
 * per task, then the shared one. Task {@code t}'s experts and gate read input {@code t}; the shared
 * experts (and the shared gate) read input {@code T}. Task {@code t} receives the mixture of its own
 * experts followed by the shared experts, weighted by its gate. With a shared gate the level also
 * returns, as output {@code T}, the mixture of all its experts (every task's, in task order, then the
 * shared ones), the shared input of the next level.
 */
final class ExtractionLayer extends AbstractBlock {
    private static final byte VERSION = 1;

    private final int tasks;
    private final int outputWidth;
    private final List<MlpBlock> shared = new ArrayList<>();
    private final List<List<MlpBlock>> owned = new ArrayList<>();
    private final List<Linear> taskGates = new ArrayList<>();
    private final Linear sharedGate;

    /**
     * @param tasks         the number of tasks
     * @param sharedExperts the number of shared experts, at least 1
     * @param taskExperts   the number of experts each task owns, at least 0
     * @param expertLayers  each expert's layer widths; the last is the output width
     * @param dropout       the dropout rate after each expert layer's activation
     * @param withSharedGate true to also compute the shared output for a next level
     */
    ExtractionLayer(int tasks, int sharedExperts, int taskExperts, List<Integer> expertLayers, double dropout,
            boolean withSharedGate) {
        super(VERSION);
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks must be >= 1, got " + tasks);
        }
        if (sharedExperts < 1) {
            throw new IllegalArgumentException("sharedExperts must be >= 1, got " + sharedExperts);
        }
        if (taskExperts < 0) {
            throw new IllegalArgumentException("taskExperts must be >= 0, got " + taskExperts);
        }
        if (requireNonNull(expertLayers, "expertLayers is null").isEmpty()) {
            throw new IllegalArgumentException("expertLayers must not be empty");
        }
        this.tasks = tasks;
        this.outputWidth = expertLayers.get(expertLayers.size() - 1);
        for (int e = 0; e < sharedExperts; e++) {
            shared.add(addChildBlock("shared" + e, new MlpBlock(expertLayers, dropout)));
        }
        for (int t = 0; t < tasks; t++) {
            List<MlpBlock> experts = new ArrayList<>();
            for (int e = 0; e < taskExperts; e++) {
                experts.add(addChildBlock("task" + t + "_expert" + e, new MlpBlock(expertLayers, dropout)));
            }
            owned.add(experts);
        }
        for (int t = 0; t < tasks; t++) {
            taskGates.add(addChildBlock("gate" + t, Linear.builder().setUnits(taskExperts + sharedExperts).build()));
        }
        this.sharedGate = withSharedGate
                ? addChildBlock("sharedGate", Linear.builder().setUnits(tasks * taskExperts + sharedExperts).build())
                : null;
    }

    /**
     * @param task    a task index
     * @param experts true to include the task's own experts
     * @param gate    true to include the task's gate
     * @return the parameters of the task's experts and gate, as asked
     */
    List<Parameter> taskParameters(int task, boolean experts, boolean gate) {
        List<Parameter> params = new ArrayList<>();
        if (experts) {
            for (MlpBlock expert : owned.get(task)) {
                params.addAll(expert.getParameters().values());
            }
        }
        if (gate) {
            params.addAll(taskGates.get(task).getParameters().values());
        }
        return params;
    }

    /**
     * @return the shared gate's axis over the experts it mixes, task by task (each task's
     *     {@code taskExperts} rows, then the shared experts' rows, which are no task's): its weight's
     *     and its bias's axis 0; none without a shared gate or task experts
     */
    List<dev.taskweave.api.model.TaskIndexedParameters.TaskAxis> sharedGateAxes() {
        List<dev.taskweave.api.model.TaskIndexedParameters.TaskAxis> axes = new ArrayList<>();
        if (sharedGate != null && taskExperts() > 0) {
            for (Parameter p : sharedGate.getParameters().values()) {
                axes.add(new dev.taskweave.api.model.TaskIndexedParameters.TaskAxis(p, 0, taskExperts()));
            }
        }
        return axes;
    }

    /** @return the shared experts' last layers, expert by expert */
    List<Parameter> sharedLastLayers() {
        return MlpBlock.lastLayerParameters(shared);
    }

    /** @return the width of every output */
    int outputWidth() {
        return outputWidth;
    }

    int sharedExperts() {
        return shared.size();
    }

    int taskExperts() {
        return owned.get(0).size();
    }

    boolean hasSharedGate() {
        return sharedGate != null;
    }

    /**
     * @return per task, its gate weights over its own experts then the shared experts,
     *     {@code [batch, taskExperts + sharedExperts]}
     */
    NDList gates(ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList weights = new NDList(tasks);
        for (int t = 0; t < tasks; t++) {
            weights.add(softmax(taskGates.get(t), parameterStore, inputs.get(t), training, params));
        }
        return weights;
    }

    private static NDArray softmax(Linear gate, ParameterStore parameterStore, NDArray input, boolean training,
            PairList<String, Object> params) {
        return gate.forward(parameterStore, new NDList(input), training, params).singletonOrThrow().softmax(1);
    }

    private static List<NDArray> run(List<MlpBlock> experts, ParameterStore parameterStore, NDArray input,
            boolean training, PairList<String, Object> params) {
        List<NDArray> outputs = new ArrayList<>(experts.size());
        for (MlpBlock expert : experts) {
            outputs.add(expert.forward(parameterStore, new NDList(input), training, params).singletonOrThrow());
        }
        return outputs;
    }

    /**
     * The affine map through which this level reads its input when every input is the same
     * {@code x} (the first level): the shared experts' first layers, every task's experts' first
     * layers (task by task), the task gates, then the shared gate.
     */
    NDList inputMap(ParameterStore parameterStore, Device device) {
        AffineParts parts = new AffineParts(parameterStore, device).experts(shared);
        for (List<MlpBlock> experts : owned) {
            parts.experts(experts);
        }
        for (Linear gate : taskGates) {
            parts.linear(gate);
        }
        if (sharedGate != null) {
            parts.linear(sharedGate);
        }
        return parts.map();
    }

    /** Runs the level from {@code x W^T + b} of {@link #inputMap}; the same outputs as on {@code T + 1} copies of x. */
    NDList forwardMapped(ParameterStore parameterStore, NDArray mapped, boolean training, boolean[] wanted) {
        int hidden = shared.get(0).firstLayerWidth();
        int taskExperts = owned.get(0).size();
        if (!training) {
            return stackedForward(parameterStore, mapped, hidden, taskExperts, wanted);
        }
        List<Long> widths = new ArrayList<>();
        for (int i = 0; i < shared.size() + tasks * taskExperts; i++) {
            widths.add((long) hidden);
        }
        for (int t = 0; t < tasks; t++) {
            widths.add((long) (taskExperts + shared.size()));
        }
        if (sharedGate != null) {
            widths.add((long) (tasks * taskExperts + shared.size()));
        }
        NDList parts = AffineParts.split(mapped, widths);
        int at = 0;
        List<NDArray> sharedOutputs = new ArrayList<>();
        for (MlpBlock expert : shared) {
            sharedOutputs.add(expert.fromFirstLayer(parameterStore, parts.get(at++), training, null));
        }
        List<List<NDArray>> ownedOutputs = new ArrayList<>();
        for (List<MlpBlock> experts : owned) {
            List<NDArray> outputs = new ArrayList<>();
            for (MlpBlock expert : experts) {
                outputs.add(expert.fromFirstLayer(parameterStore, parts.get(at++), training, null));
            }
            ownedOutputs.add(outputs);
        }
        NDList outputs = new NDList(tasks + 1);
        List<NDArray> allOwned = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            List<NDArray> experts = new ArrayList<>(ownedOutputs.get(t));
            allOwned.addAll(ownedOutputs.get(t));
            experts.addAll(sharedOutputs);
            outputs.add(Mixtures.mix(experts, parts.get(at++).softmax(1)));
        }
        if (sharedGate != null) {
            allOwned.addAll(sharedOutputs);
            outputs.add(Mixtures.mix(allOwned, parts.get(at).softmax(1)));
        }
        return outputs;
    }

    /** Inference: every expert of the level in one stack, then the wanted mixtures. */
    private NDList stackedForward(ParameterStore parameterStore, NDArray mapped, int hidden, int taskExperts, boolean[] wanted) {
        int count = shared.size() + tasks * taskExperts;
        List<MlpBlock> all = new ArrayList<>(shared);
        owned.forEach(all::addAll);
        long[] cuts = new long[tasks + (sharedGate != null ? 1 : 0)];
        long at = (long) count * hidden;
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = at;
            at += taskExperts + shared.size();
        }
        NDList parts = mapped.split(cuts, 1); // the experts' pre-activations, the task gates, the shared gate
        NDArray stacked = ExpertStack.run(all, parameterStore, parts.get(0)); // [B, S + T * K, H]
        String sharedRange = ":, 0:" + shared.size();
        NDList outputs = new NDList(tasks + 1);
        for (int t = 0; t < tasks; t++) {
            if (wanted != null && !wanted[t]) {
                outputs.add(null);
                continue;
            }
            NDArray experts = taskExperts == 0 ? stacked.get(sharedRange)
                    : NDArrays.concat(new NDList(stacked.get(new NDIndex(":, {}:{}", shared.size() + t * taskExperts,
                            shared.size() + (t + 1) * taskExperts)), stacked.get(sharedRange)), 1);
            outputs.add(ExpertStack.mix(experts, parts.get(t + 1)));
        }
        if (sharedGate != null) {
            NDArray experts = taskExperts == 0 ? stacked
                    : NDArrays.concat(new NDList(stacked.get(":, " + shared.size() + ":"), stacked.get(sharedRange)), 1);
            outputs.add(ExpertStack.mix(experts, parts.get(tasks + 1)));
        }
        return outputs;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        checkCount(inputs.size());
        List<NDArray> sharedOutputs = run(shared, parameterStore, inputs.get(tasks), training, params);
        List<NDArray> allOwned = new ArrayList<>();
        NDList weights = gates(parameterStore, inputs, training, params);
        NDList outputs = new NDList(tasks + 1);
        for (int t = 0; t < tasks; t++) {
            List<NDArray> experts = run(owned.get(t), parameterStore, inputs.get(t), training, params);
            allOwned.addAll(experts);
            experts.addAll(sharedOutputs);
            outputs.add(Mixtures.mix(experts, weights.get(t)));
        }
        if (sharedGate != null) {
            allOwned.addAll(sharedOutputs);
            NDArray sharedWeights = softmax(sharedGate, parameterStore, inputs.get(tasks), training, params);
            outputs.add(Mixtures.mix(allOwned, sharedWeights));
        }
        return outputs;
    }

    private void checkCount(int inputs) {
        if (inputs != tasks + 1) {
            throw new IllegalArgumentException("an extraction level expects " + (tasks + 1)
                    + " inputs (one per task, then the shared one), got " + inputs);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        checkCount(inputShapes.length);
        Shape[] outputs = new Shape[sharedGate == null ? tasks : tasks + 1];
        for (int i = 0; i < outputs.length; i++) {
            outputs[i] = shared.get(0).getOutputShapes(new Shape[] {inputShapes[i]})[0];
        }
        return outputs;
    }

    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        checkCount(inputShapes.length);
        super.beforeInitialize(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (MlpBlock expert : shared) {
            expert.initialize(manager, dataType, inputShapes[tasks]);
        }
        for (int t = 0; t < tasks; t++) {
            for (MlpBlock expert : owned.get(t)) {
                expert.initialize(manager, dataType, inputShapes[t]);
            }
        }
        for (int t = 0; t < tasks; t++) {
            taskGates.get(t).initialize(manager, dataType, inputShapes[t]);
        }
        if (sharedGate != null) {
            sharedGate.initialize(manager, dataType, inputShapes[tasks]);
        }
    }

    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        saveInputShapes(os);
        os.writeInt(tasks);
        os.writeInt(shared.size());
        os.writeInt(taskExperts());
        os.writeBoolean(sharedGate != null);
    }

    @Override
    protected void loadMetadata(byte loadVersion, DataInputStream is) throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException("Unsupported extraction level encoding version: " + loadVersion);
        }
        readInputShapes(is);
        BlockChecks.checkSaved("extraction level", "tasks", is.readInt(), tasks);
        BlockChecks.checkSaved("extraction level", "shared experts", is.readInt(), shared.size());
        BlockChecks.checkSaved("extraction level", "experts per task", is.readInt(), taskExperts());
        int sharedGates = is.readBoolean() ? 1 : 0;
        BlockChecks.checkSaved("extraction level", "shared gates", sharedGates, sharedGate == null ? 0 : 1);
    }
}
