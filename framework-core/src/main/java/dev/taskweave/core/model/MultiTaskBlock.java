package dev.taskweave.core.model;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import dev.taskweave.api.model.AffineInput;
import dev.taskweave.api.model.AuxiliaryLoss;
import dev.taskweave.api.model.GatedBlock;
import dev.taskweave.api.nn.Scalars;
import dev.taskweave.core.plugin.ContextClassLoader;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole multi-task graph as one DJL block: input encoder, sharing strategy, one head block per
 * task, and the loss weighting block (whose parameters, such as uncertainty weighting's
 * log-variances, are trained and saved with the rest).
 *
 * <p>{@link #forward} returns the raw output of every task head, in task order;
 * {@link #combineLosses} runs the weighting block on a batch's per-task losses. Calls into
 * plugin-provided blocks run with the plugin's class loader as the context class loader.
 */
public final class MultiTaskBlock extends AbstractBlock {
    private final double[][] calibration;
    /** Per task, the calibration of rows whose user the model does not know, or null. */
    private final double[][] coldCalibration;
    private final double[][] coldItemCalibration;
    private static final byte VERSION = 1;

    private final InputEncoder encoder;
    private final Component sharing;
    private final List<Component> heads;
    private final List<Integer> headWidths;
    private final Component weighting;
    private final int sharingWidth;
    private final List<TaskDependency> dependencies;
    private final TaskDependency[] dependencyOf;
    private final TransferBlock[] transfers;
    /** per task: null, a {@code Linear} map of the encoded input, or a {@link WidePart} */
    private final Block[] wide;

    /**
     * A plugin-provided block with the class loader to call it under.
     *
     * @param block  the block
     * @param loader its plugin's class loader
     * @param owner  the plugin's registration, whose failures the block's are reported as
     *               (naming the plugin, the type, {@code source} and {@code path}), or null
     * @param source the experiment's file a failure names (and the command line the line of
     *               {@code path} in it), or null
     * @param path   the config path that chose the type ({@code tasks[0].head}), or null
     */
    public record Component(Block block, ClassLoader loader, dev.taskweave.core.plugin.Registered<?> owner, String source, String path) {
        public Component {
            requireNonNull(block, "block is null");
            requireNonNull(loader, "loader is null");
        }

        /** A block whose failures are not attributed to a plugin. */
        public Component(Block block, ClassLoader loader) {
            this(block, loader, null, null, null);
        }

        NDList forward(ParameterStore ps, NDList inputs, boolean training) {
            return call("its block's forward()", () -> block.forward(ps, inputs, training));
        }

        /**
         * Runs {@code body}, a call into the block's own code, with its plugin's class loader; a
         * failure (an {@code InvalidConfigException} too: the block runs, its configuration was
         * accepted when it was made) is the plugin's, naming {@code action}, when the block is
         * attributed to one.
         */
        <T> T call(String action, java.util.function.Supplier<T> body) {
            if (owner != null) {
                return owner.callRunning(source, path, action, body);
            }
            try (ContextClassLoader ignored = ContextClassLoader.enter(loader)) {
                return body.get();
            }
        }

        /**
         * @return the failure of the plugin whose block returned what the API does not allow, or
         *     an {@code IllegalStateException} for a block not attributed to a plugin
         */
        RuntimeException returned(String problem) {
            return returned("its block's forward()", problem);
        }

        /** As {@link #returned(String)}, of another method of the block than its forward pass. */
        RuntimeException returned(String action, String problem) {
            return owner == null ? new IllegalStateException(problem) : owner.failure(source, path, action, problem);
        }

        /**
         * Initialises the block; an {@code InvalidConfigException} of it refuses a value of the
         * type's params ({@link dev.taskweave.core.plugin.Registered#refusal}).
         */
        void initialize(NDManager manager, DataType type, Shape... shapes) {
            if (owner != null) {
                owner.callBuilding(source, path, "its block's initialize()", () -> {
                    block.initialize(manager, type, shapes);
                    return null;
                });
                return;
            }
            try (ContextClassLoader ignored = ContextClassLoader.enter(loader)) {
                block.initialize(manager, type, shapes);
            }
        }
    }

    public MultiTaskBlock(InputEncoder encoder, Component sharing, int sharingWidth, List<Component> heads,
            List<Integer> headWidths, Component weighting) {
        this(encoder, sharing, sharingWidth, heads, headWidths, weighting, List.of());
    }

    /**
     * @param dependencies the task graph's edges; an AITM edge adds a {@link TransferBlock} owned
     *                     by the dependent task, an ESMM edge turns the dependent task's logit into
     *                     the logit of the joint probability
     */
    public MultiTaskBlock(InputEncoder encoder, Component sharing, int sharingWidth, List<Component> heads,
            List<Integer> headWidths, Component weighting, List<TaskDependency> dependencies) {
        this(encoder, sharing, sharingWidth, heads, headWidths, weighting, dependencies, new WideSpec[heads.size()]);
    }

    /**
     * @param wide per task, its wide part (Wide &amp; Deep), or null: a linear map added to the
     *             head's output, of the encoder's output (with one-hot ids and the id product in
     *             the encoder it holds per-id biases and the id dot product of matrix
     *             factorisation) and of features through embeddings of its own ({@link WidePart})
     */
    public MultiTaskBlock(InputEncoder encoder, Component sharing, int sharingWidth, List<Component> heads,
            List<Integer> headWidths, Component weighting, List<TaskDependency> dependencies, WideSpec[] wide) {
        super(VERSION);
        this.encoder = addChildBlock("encoder", requireNonNull(encoder, "encoder is null"));
        this.sharing = requireNonNull(sharing, "sharing is null");
        addChildBlock("sharing", sharing.block());
        this.sharingWidth = sharingWidth;
        this.heads = List.copyOf(heads);
        this.calibration = new double[this.heads.size()][];
        this.coldCalibration = new double[this.heads.size()][];
        this.coldItemCalibration = new double[this.heads.size()][];
        this.headWidths = List.copyOf(headWidths);
        for (int i = 0; i < this.heads.size(); i++) {
            addChildBlock("head" + i, this.heads.get(i).block());
        }
        this.weighting = requireNonNull(weighting, "weighting is null");
        addChildBlock("weighting", weighting.block());
        this.dependencies = List.copyOf(dependencies);
        this.dependencyOf = new TaskDependency[this.heads.size()];
        this.transfers = new TransferBlock[this.heads.size()];
        for (TaskDependency d : this.dependencies) {
            if (d.child() >= this.heads.size() || dependencyOf[d.child()] != null) {
                throw new IllegalArgumentException("bad task dependency " + d);
            }
            dependencyOf[d.child()] = d;
            if (d.mode() == TaskDependency.Mode.AITM) {
                transfers[d.child()] = addChildBlock("transfer" + d.child(), new TransferBlock(sharingWidth));
            }
        }
        if (wide.length != this.heads.size()) {
            throw new IllegalArgumentException(wide.length + " wide parts for " + this.heads.size() + " tasks");
        }
        this.wide = new Block[this.heads.size()];
        for (int t = 0; t < this.heads.size(); t++) {
            WideSpec w = wide[t];
            if (w == null) {
                continue;
            }
            int units = this.headWidths.get(t);
            this.wide[t] = addChildBlock("wide" + t, w.featurePositions().length == 0
                    ? ai.djl.nn.core.Linear.builder().setUnits(units).build()
                    : new WidePart(w.readsEncoded(), encoder.features(), w.featurePositions(), encoder.embeddingDim(), units));
        }
    }

    /**
     * One task's wide part.
     *
     * @param readsEncoded     whether it reads the shared encoder's output
     * @param featurePositions input positions of the features it embeds itself (empty: none)
     */
    public record WideSpec(boolean readsEncoded, int[] featurePositions) {
        public WideSpec {
            featurePositions = featurePositions.clone();
            if (!readsEncoded && featurePositions.length == 0) {
                throw new IllegalArgumentException("a wide part reads the encoded input, features of its own, or both");
            }
        }
    }

    /** @return the task graph's edges */
    public List<TaskDependency> dependencies() {
        return dependencies;
    }

    /** @return the number of tasks */
    public int taskCount() {
        return heads.size();
    }

    /** @return the input encoder */
    public InputEncoder encoder() {
        return encoder;
    }

    /** @return the sharing strategy's block */
    public Block sharingBlock() {
        return sharing.block();
    }

    /** @return the loss weighting's block (its parameters, such as uncertainty weighting's log-variances) */
    public Block weightingBlock() {
        return weighting.block();
    }

    /** @return the class loader of the sharing strategy's plugin */
    public ClassLoader sharingLoader() {
        return sharing.loader();
    }

    /** @return the sharing strategy's own parameters */
    public List<Parameter> strategyParameters() {
        List<Parameter> params = new ArrayList<>();
        for (Pair<String, Parameter> p : sharing.block().getParameters()) {
            params.add(p.getValue());
        }
        return params;
    }

    /** @return the parameters of one task's head (and of its AITM transfer module and wide path, if any) */
    public List<Parameter> taskParameters(int task) {
        List<Parameter> params = new ArrayList<>();
        for (Pair<String, Parameter> p : heads.get(task).block().getParameters()) {
            params.add(p.getValue());
        }
        for (Block own : new Block[] {transfers[task], wide[task]}) {
            if (own != null) {
                for (Pair<String, Parameter> p : own.getParameters()) {
                    params.add(p.getValue());
                }
            }
        }
        return params;
    }

    /**
     * @return one task's parameters by what holds them: {@code head}, {@code transfer} (its AITM
     *     module) and {@code wide} (its wide path), each in the block's parameter order, an empty
     *     list where the task has none
     */
    public java.util.Map<String, List<Parameter>> taskParameterGroups(int task) {
        java.util.Map<String, List<Parameter>> groups = new java.util.LinkedHashMap<>();
        String[] names = {"head", "transfer", "wide"};
        Block[] blocks = {heads.get(task).block(), transfers[task], wide[task]};
        for (int g = 0; g < names.length; g++) {
            List<Parameter> params = new ArrayList<>();
            if (blocks[g] != null) {
                for (Pair<String, Parameter> p : blocks[g].getParameters()) {
                    params.add(p.getValue());
                }
            }
            groups.put(names[g], params);
        }
        return groups;
    }

    /** Runs only the encoder (for telemetry on the shared representation's input). */
    public NDArray encode(ParameterStore ps, NDList inputs, boolean training) {
        return encoder.forward(ps, inputs, training).singletonOrThrow();
    }

    /**
     * @return the sharing block's auxiliary loss for this step, or null when it has none
     */
    public NDArray auxiliaryLoss(ParameterStore ps, boolean training) {
        if (sharing.block() instanceof AuxiliaryLoss aux) {
            return sharing.call("its block's auxiliaryLoss()", () -> aux.auxiliaryLoss(ps, training));
        }
        return null;
    }

    /** @return per task, the gate weights for encoded inputs, or null when the strategy has no gates */
    public NDList gates(ParameterStore ps, NDArray encoded) {
        if (sharing.block() instanceof GatedBlock gated) {
            NDList gates = sharing.call("its block's gates()", () -> gated.gates(ps, encoded));
            if (gates == null) {
                return null;
            }
            long rows = encoded.getShape().get(0);
            String problem = gates.size() != heads.size() ? "must return one array per task (" + heads.size() + "), got "
                    + gates.size() : null;
            for (int t = 0; t < gates.size() && problem == null; t++) {
                Shape shape = gates.get(t).getShape();
                if (shape.dimension() != 2 || shape.get(0) != rows) {
                    problem = "task " + t + "'s array must be of shape (" + rows + ", experts), got " + shape;
                }
            }
            if (problem != null) {
                throw sharing.returned("its block's gates()", problem);
            }
            return gates;
        }
        return null;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        boolean[] all = new boolean[heads.size()];
        java.util.Arrays.fill(all, true);
        return new NDList(forwardTasks(ps, inputs, training, all));
    }

    /**
     * Runs the graph for some tasks only: the encoder and sharing strategy once, then the heads of
     * the wanted tasks and of the tasks they depend on.
     *
     * @param wanted per task, whether its output is needed
     * @return per task, its raw output, or null when it was not computed
     */
    public NDArray[] forwardTasks(ParameterStore ps, NDList inputs, boolean training, boolean[] wanted) {
        boolean[] needed = withParents(wanted);
        NDList encoded = encoder.forward(ps, inputs, training);
        NDList shared = sharing.forward(ps, encoded, training);
        NDArray unknownUsers = training || !any(coldCalibration) ? null : inputs.get(encoder.userIdPosition()).eq(0);
        NDArray unknownItems = training || !any(coldItemCalibration) ? null : inputs.get(encoder.itemIdPosition()).eq(0);
        return heads(ps, inputs, encoded, shared, rows(encoded), training, needed, unknownUsers, false, unknownItems, true, null);
    }

    /**
     * As {@link #forwardTasks} in inference, without the tasks' calibration: what the network itself
     * outputs (a teacher's outputs for distillation, which the model's own calibration then follows).
     */
    public NDArray[] forwardUncalibrated(ParameterStore ps, NDList inputs, boolean[] wanted) {
        boolean[] needed = withParents(wanted);
        NDList encoded = encoder.forward(ps, inputs, false);
        NDList shared = sharing.forward(ps, encoded, false);
        return heads(ps, inputs, encoded, shared, rows(encoded), false, needed, null, false, null, false, null);
    }

    /**
     * @return the multiply-adds of one row's pass through the graph's dense maps, counted as one
     *     per weight: every parameter but the categorical features' embedding tables, which are
     *     looked up (a multi-hot feature's or a history's table multiplies the row's vector, and
     *     counts); the size of the products a training step computes, per row
     */
    public long multiplyAddsPerRow() {
        long all = 0;
        for (ai.djl.util.Pair<String, Parameter> p : getParameters()) {
            all += p.getValue().getArray().size();
        }
        for (InputEncoder e : encoders()) {
            for (int i = 0; i < e.features().size(); i++) {
                Parameter table = e.weight(i);
                if (table != null && e.features().get(i).kind() == dev.taskweave.api.data.FeatureKind.CATEGORICAL) {
                    all -= table.getArray().size();
                }
            }
        }
        return all;
    }

    /**
     * @return every encoder of the graph: the shared one, then the own encoder of each task's wide
     *     part that embeds features itself ({@code tasks[i].wideFeatures}), in task order
     */
    public List<InputEncoder> encoders() {
        List<InputEncoder> encoders = new ArrayList<>();
        encoders.add(encoder);
        for (Block w : wide) {
            if (w instanceof WidePart part) {
                encoders.add(part.encoder());
            }
        }
        return encoders;
    }

    /** @return whether the task has a wide part, which reads the inputs besides the sharing strategy */
    public boolean hasWidePart(int task) {
        return wide[task] != null;
    }

    /**
     * The sharing strategy's input map, when it reads the encoded input only through one affine map
     * ({@link AffineInput}). Tasks with a wide part ({@link #hasWidePart}) also read the inputs
     * themselves: they run from the mapped input with their wide parts' outputs given
     * ({@link #forwardMapped(ParameterStore, NDArray, boolean[], boolean, NDArray, NDArray[])},
     * {@link #wideMap}).
     *
     * @return {@code NDList(W, b)}, or null when the sharing strategy cannot be run from a mapped input
     */
    public NDList sharingInputMap(ParameterStore ps, ai.djl.Device device) {
        if (!(sharing.block() instanceof AffineInput affine)) {
            return null;
        }
        return sharing.call("its block's inputMap()", () -> affine.inputMap(ps, device));
    }

    /**
     * Runs the graph in inference mode from the sharing strategy's mapped input
     * ({@link #sharingInputMap} applied to the encoded input), for some tasks only.
     *
     * @param mapped {@code [batch, units]}
     * @param wanted per task, whether its output is needed
     * @return per task, its raw output, or null when it was not computed
     */
    public NDArray[] forwardMapped(ParameterStore ps, NDArray mapped, boolean[] wanted) {
        return forwardMapped(ps, mapped, wanted, false, null);
    }

    /**
     * As {@link #forwardMapped(ParameterStore, NDArray, boolean[])}, for rows of one user.
     *
     * @param unknownUser  whether the model does not know that user (its id reads as unknown): its
     *                     rows take the calibration for such users where a task has one
     * @param unknownItems per row, whether the model does not know its item ({@code [rows]}
     *                     boolean): those rows take the calibration for such items where a task
     *                     has one (and the user's is not taken); null when every item is known
     */
    public NDArray[] forwardMapped(ParameterStore ps, NDArray mapped, boolean[] wanted, boolean unknownUser, NDArray unknownItems) {
        return forwardMapped(ps, mapped, wanted, unknownUser, unknownItems, null);
    }

    /**
     * As {@link #forwardMapped(ParameterStore, NDArray, boolean[], boolean, NDArray)}, for tasks
     * with a wide part too: each such part's output on the rows is given, computed from its map
     * ({@link #wideMap}), and is added to its head's raw output where its forward pass would be,
     * before a dependent task reads it and before the calibration.
     *
     * @param wideOutputs per task, its wide part's output on the rows ({@code [rows, units]}),
     *                    required for every task that has one and whose output is needed (the
     *                    wanted tasks and those they depend on); null when none has one
     */
    public NDArray[] forwardMapped(ParameterStore ps, NDArray mapped, boolean[] wanted, boolean unknownUser, NDArray unknownItems,
            NDArray[] wideOutputs) {
        if (!(sharing.block() instanceof AffineInput affine)) {
            throw new IllegalStateException("the sharing strategy does not read its input through an affine map");
        }
        boolean[] needed = withParents(wanted);
        long rows = mapped.getShape().get(0);
        for (int t = 0; t < needed.length; t++) {
            if (needed[t] && wide[t] != null) {
                NDArray given = wideOutputs == null ? null : wideOutputs[t];
                if (given == null) {
                    throw new IllegalArgumentException("task " + t + " has a wide part, which reads the inputs: it runs from the mapped"
                            + " input only with its wide part's output given");
                }
                if (given.getShape().get(0) != rows || given.size() != rows * headWidths.get(t)) {
                    throw new IllegalArgumentException("task " + t + "'s wide output must be of shape " + new Shape(rows, headWidths.get(t))
                            + ", got " + given.getShape());
                }
            }
        }
        NDList shared = sharing.call("its block's forwardMapped()", () -> affine.forwardMapped(ps, mapped, false, needed));
        return heads(ps, null, null, shared, rows, false, needed, null, unknownUser, unknownItems, true, wideOutputs);
    }

    /**
     * A task's wide part as the affine map it is: on a row its output is
     * {@code encoded W_e^T + own(x) W_o^T + b}, with {@code own} the encoder of the features the
     * part embeds itself (its columns: {@link InputEncoder#columnStarts()}). The arrays are the
     * parameters or views of them: callers must not modify them.
     *
     * @param encodedWeight    {@code W_e}, {@code [units, encoder().outputWidth()]}; null when the
     *                         part does not read the encoded input
     * @param own              the encoder of the features it embeds itself (no id product); null
     *                         when it has none
     * @param featurePositions those features' input positions, in {@code own}'s order (empty
     *                         without)
     * @param ownWeight        {@code W_o}, {@code [units, own.outputWidth()]}; null without
     * @param bias             {@code b}, {@code [units]}
     */
    public record WideMap(NDArray encodedWeight, InputEncoder own, int[] featurePositions, NDArray ownWeight, NDArray bias) {
        public WideMap {
            requireNonNull(bias, "bias is null");
            featurePositions = featurePositions.clone();
        }
    }

    /** @return task {@code task}'s wide part as an affine map, or null when it has none */
    public WideMap wideMap(ParameterStore ps, ai.djl.Device device, int task) {
        Block part = wide[task];
        if (part == null) {
            return null;
        }
        ai.djl.nn.core.Linear linear = part instanceof WidePart own ? own.linear() : (ai.djl.nn.core.Linear) part;
        NDArray weight = ps.getValue(linear.getParameters().get("weight"), device, false);
        Parameter biasParameter = linear.getParameters().get("bias");
        NDArray bias = biasParameter == null ? ps.getManager().zeros(new Shape(weight.getShape().get(0)))
                : ps.getValue(biasParameter, device, false);
        int width = encoder.outputWidth();
        if (!(part instanceof WidePart own)) {
            return new WideMap(weight, null, new int[0], null, bias);
        }
        int encoded = own.readsEncoded() ? width : 0;
        if (weight.getShape().get(1) != encoded + own.encoder().outputWidth()) {
            throw new IllegalStateException("task " + task + "'s wide part has a weight of shape " + weight.getShape() + " for "
                    + encoded + " encoded and " + own.encoder().outputWidth() + " own columns");
        }
        return new WideMap(own.readsEncoded() ? weight.get(new ai.djl.ndarray.index.NDIndex(":, 0:{}", width)) : null, own.encoder(),
                own.featurePositions(), weight.get(new ai.djl.ndarray.index.NDIndex(":, {}:", encoded)), bias);
    }

    /** @return the rows of the encoder's output: the batch's */
    private static long rows(NDList encoded) {
        return encoded.singletonOrThrow().getShape().get(0);
    }

    private boolean[] withParents(boolean[] wanted) {
        boolean[] needed = wanted.clone();
        for (int t = heads.size() - 1; t >= 0; t--) {
            if (needed[t] && dependencyOf[t] != null) {
                needed[dependencyOf[t].parent()] = true;
            }
        }
        return needed;
    }

    /**
     * @param unknownUsers per row, whether its user id reads as unknown ({@code [batch]} boolean),
     *                     or null
     * @param allUnknown   true when every row's user is unknown
     * @param unknownItems per row, whether its item id reads as unknown ({@code [batch]} boolean),
     *                     or null
     * @param calibrated   whether inference applies the tasks' calibration
     * @param wideOutputs  per task, its wide part's output when given instead of computed from
     *                     {@code inputs} and {@code encoded} ({@link #forwardMapped}); or null
     */
    private NDArray[] heads(ParameterStore ps, NDList inputs, NDList encoded, NDList shared, long rows, boolean training,
            boolean[] needed, NDArray unknownUsers, boolean allUnknown, NDArray unknownItems, boolean calibrated,
            NDArray[] wideOutputs) {
        if (shared == null || shared.size() != heads.size()) {
            throw sharing.returned("must return one array per task (" + heads.size() + "), got "
                    + (shared == null ? "null" : String.valueOf(shared.size())));
        }
        NDArray[] towerInputs = new NDArray[heads.size()];
        NDArray[] outputs = new NDArray[heads.size()];
        for (int t = 0; t < heads.size(); t++) {
            if (!needed[t]) {
                continue;
            }
            TaskDependency d = dependencyOf[t];
            if (sharing.owner() != null) {
                checkShape(sharing, t, shared.get(t), rows, sharingWidth);
            }
            towerInputs[t] = d != null && d.mode() == TaskDependency.Mode.AITM
                    ? transfers[t].forward(ps, new NDList(towerInputs[d.parent()], shared.get(t)), training).singletonOrThrow()
                    : shared.get(t);
            NDList headOutput = heads.get(t).forward(ps, new NDList(towerInputs[t]), training);
            if (heads.get(t).owner() != null && (headOutput == null || headOutput.size() != 1)) {
                throw heads.get(t).returned("must return one array, got " + (headOutput == null ? "null" : headOutput.size()));
            }
            NDArray out = headOutput.singletonOrThrow();
            if (heads.get(t).owner() != null) {
                checkShape(heads.get(t), -1, out, rows, headWidths.get(t));
            }
            if (wide[t] != null && wideOutputs != null && wideOutputs[t] != null) {
                out = out.add(wideOutputs[t].reshape(out.getShape()));
            } else if (wide[t] != null) {
                NDList in = wide[t] instanceof WidePart ? WidePart.inputs(encoded.singletonOrThrow(), inputs) : encoded;
                out = out.add(wide[t].forward(ps, in, training).singletonOrThrow().reshape(out.getShape()));
            }
            outputs[t] = d != null && d.mode() == TaskDependency.Mode.ESMM ? jointLogit(outputs[d.parent()], out) : out;
        }
        if (!training && calibrated) {
            // after the dependencies, which read their parents' outputs as trained; a row whose user
            // and item are both unknown takes the users' map
            for (int t = 0; t < heads.size(); t++) {
                double[] c = calibration[t];
                double[] cold = coldCalibration[t];
                double[] coldItem = coldItemCalibration[t];
                if (outputs[t] == null) {
                    continue;
                }
                NDArray raw = outputs[t];
                if (cold != null && allUnknown) {
                    outputs[t] = affine(raw, cold);
                    continue;
                }
                if (c != null) {
                    outputs[t] = affine(raw, c);
                }
                if (coldItem != null && unknownItems != null) {
                    outputs[t] = NDArrays.where(unknownItems.reshape(raw.getShape()), affine(raw, coldItem), outputs[t]);
                }
                if (cold != null && unknownUsers != null) {
                    outputs[t] = NDArrays.where(unknownUsers.reshape(raw.getShape()), affine(raw, cold), outputs[t]);
                }
            }
        }
        return outputs;
    }

    /** The paths of this block's parameters: a child's index and name (as the constructor adds them), then the child's own path. */
    private static final java.util.regex.Pattern PATH =
            java.util.regex.Pattern.compile("\\d+(encoder|sharing|weighting|head(\\d+)|wide(\\d+)|transfer(\\d+))_(.+)");

    /**
     * @param path      a parameter's path in this block ({@code getParameters()} names)
     * @param taskNames the tasks' names, in task order
     * @return the path with what the parameter belongs to in words:
     *     {@code the head of task rating: 01Linear_weight (03head0_01Linear_weight)}; the path as it
     *     is when it is not one of this block's
     */
    public String describeParameter(String path, List<String> taskNames) {
        java.util.regex.Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            return path;
        }
        String owner;
        if (m.group(2) != null) {
            owner = "the head of task " + taskName(taskNames, m.group(2));
        } else if (m.group(3) != null) {
            owner = "the wide part of task " + taskName(taskNames, m.group(3));
        } else if (m.group(4) != null) {
            owner = "the transfer block of task " + taskName(taskNames, m.group(4));
        } else {
            owner = switch (m.group(1)) {
                case "encoder" -> "the input encoder";
                case "sharing" -> "the sharing strategy";
                default -> "the loss weighting";
            };
        }
        return owner + ": " + m.group(5) + " (" + path + ")";
    }

    private static String taskName(List<String> taskNames, String index) {
        int t = Integer.parseInt(index);
        return t < taskNames.size() ? taskNames.get(t) : "task " + t;
    }

    /**
     * Sets a task's calibration: in inference its raw output {@code x} becomes {@code a·x + b}
     * (Platt scaling of a logit), after any task that depends on it has read {@code x}. Training
     * never applies it.
     *
     * @param calibration {@code {a, b}}, or null for none
     */
    public void setCalibration(int task, double[] calibration) {
        checkAffine(calibration);
        this.calibration[task] = calibration == null ? null : calibration.clone();
    }

    /** @return a task's calibration {@code {a, b}}, or null */
    public double[] calibration(int task) {
        return calibration[task] == null ? null : calibration[task].clone();
    }

    /**
     * Sets a task's calibration for rows whose user the model does not know (the user id reads as
     * unknown: cold and new users): in inference their raw output {@code x} becomes
     * {@code a·x + b} instead of the task's other calibration.
     *
     * @param calibration {@code {a, b}}, or null for none
     */
    public void setColdCalibration(int task, double[] calibration) {
        checkAffine(calibration);
        if (calibration != null && encoder.userIdPosition() < 0) {
            throw new IllegalStateException("the model has no user id feature: no row's user reads as unknown");
        }
        this.coldCalibration[task] = calibration == null ? null : calibration.clone();
    }

    /** @return a task's calibration for users the model does not know {@code {a, b}}, or null */
    public double[] coldCalibration(int task) {
        return coldCalibration[task] == null ? null : coldCalibration[task].clone();
    }

    /**
     * Sets a task's calibration for rows whose item the model does not know (the item id reads as
     * unknown: cold and new items): in inference their raw output {@code x} becomes
     * {@code a·x + b} instead of the task's other calibration; a row whose user is unknown too
     * takes the users' map ({@link #setColdCalibration}) when the task has one.
     *
     * @param calibration {@code {a, b}}, or null for none
     */
    public void setColdItemCalibration(int task, double[] calibration) {
        checkAffine(calibration);
        if (calibration != null && encoder.itemIdPosition() < 0) {
            throw new IllegalStateException("the model has no item id feature: no row's item reads as unknown");
        }
        this.coldItemCalibration[task] = calibration == null ? null : calibration.clone();
    }

    /** @return a task's calibration for items the model does not know {@code {a, b}}, or null */
    public double[] coldItemCalibration(int task) {
        return coldItemCalibration[task] == null ? null : coldItemCalibration[task].clone();
    }

    /** @return whether the model has a calibration for items it does not know, for some task */
    public boolean hasColdItemCalibration() {
        return any(coldItemCalibration);
    }

    private static boolean any(double[][] maps) {
        for (double[] c : maps) {
            if (c != null) {
                return true;
            }
        }
        return false;
    }

    private static void checkAffine(double[] calibration) {
        if (calibration != null && (calibration.length != 2 || !Double.isFinite(calibration[0]) || !Double.isFinite(calibration[1]))) {
            throw new IllegalArgumentException("a calibration is two finite numbers {a, b}, got " + java.util.Arrays.toString(calibration));
        }
    }

    private static NDArray affine(NDArray x, double[] ab) {
        return dev.taskweave.api.nn.Scalars.mul(x, ab[0]).add((float) ab[1]);
    }

    /**
     * The logit of {@code sigmoid(a) * sigmoid(b)}, exactly and without clipping: with
     * {@code p = 1 / ((1 + e^-a)(1 + e^-b))}, {@code p / (1 - p) = 1 / (e^-a + e^-b + e^-(a+b))}, so
     * the logit is {@code -logsumexp(-a, -b, -(a + b))}, computed around its largest term. Every row
     * keeps a gradient: a clipped probability (as before) gave a confidently wrong row none.
     */
    static NDArray jointLogit(NDArray a, NDArray b) {
        NDArray x = a.neg();
        NDArray y = b.neg();
        NDArray xy = x.add(y);
        NDArray m = x.maximum(y).maximum(xy);
        NDArray sum = x.sub(m).exp().add(y.sub(m).exp()).add(xy.sub(m).exp());
        return m.add(sum.log()).neg();
    }

    /**
     * AITM's calibrator: for each AITM edge, {@code calibration * mean(max(p_child - p_parent, 0))}
     * over the rows labelled for either task.
     *
     * @param outputs the forward pass's outputs
     * @param masks   per task, {@code [batch]} label masks
     * @return the summed penalty, or null when the graph has no AITM edge
     */
    public NDArray dependencyLoss(NDList outputs, NDArray[] masks) {
        NDArray total = null;
        for (TaskDependency d : dependencies) {
            if (d.mode() != TaskDependency.Mode.AITM || d.calibration() == 0) {
                continue;
            }
            NDArray child = ai.djl.nn.Activation.sigmoid(outputs.get(d.child()).reshape(-1));
            NDArray parent = ai.djl.nn.Activation.sigmoid(outputs.get(d.parent()).reshape(-1));
            NDArray rows = masks[d.child()].add(masks[d.parent()]).gt(0).toType(DataType.FLOAT32, false);
            NDArray penalty = Scalars.mul(Scalars.maximum(child.sub(parent), 0).mul(rows).sum().div(Scalars.maximum(rows.sum(), 1)),
                    d.calibration());
            total = total == null ? penalty : total.add(penalty);
        }
        return total;
    }

    /**
     * A plugin block's array must be {@code [rows, width]}: a sharing block's for each task, a
     * head block's output ({@code [rows]} too for a head of one output).
     *
     * @param task the task whose array of the sharing block's it is, or -1 for a head's output
     */
    private static void checkShape(Component component, int task, NDArray array, long rows, int width) {
        Shape shape = array == null ? null : array.getShape();
        boolean fits = shape != null && (shape.dimension() == 2 && shape.get(0) == rows && shape.get(1) == width
                || task < 0 && width == 1 && shape.dimension() == 1 && shape.get(0) == rows);
        if (!fits) {
            throw component.returned((task < 0 ? "its output" : "task " + task + "'s array") + " must be of shape "
                    + new Shape(rows, width) + " (" + rows + " rows, outputWidth() " + width + "), got " + (shape == null ? "null" : shape));
        }
    }

    /**
     * Combines a batch's per-task losses.
     *
     * @param losses  {@code [tasks]} per-task losses
     * @param present {@code [tasks]} 1 where the task had labelled rows in the batch
     * @return {@code NDList(total, weights)}
     */
    public NDList combineLosses(ParameterStore ps, NDArray losses, NDArray present, boolean training) {
        NDList combined = weighting.forward(ps, new NDList(losses, present), training);
        if (weighting.owner() != null && (combined == null || combined.size() != 2 || combined.get(0) == null
                || combined.get(0).size() != 1 || combined.get(1) == null || combined.get(1).size() != heads.size())) {
            List<String> shapes = new ArrayList<>();
            for (int i = 0; combined != null && i < combined.size(); i++) {
                shapes.add(combined.get(i) == null ? "null" : combined.get(i).getShape().toString());
            }
            throw weighting.returned("must return NDList(total, weights), a scalar and " + heads.size() + (heads.size() == 1 ? " weight"
                    : " weights") + ", got "
                    + (combined == null ? "null" : "shapes " + String.join(", ", shapes)));
        }
        return combined;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes.length == 0 ? 1 : inputShapes[0].get(0);
        encoder.initialize(manager, dataType, inputShapes);
        sharing.initialize(manager, dataType, new Shape(batch, encoder.outputWidth()));
        for (Component head : heads) {
            head.initialize(manager, dataType, new Shape(batch, sharingWidth));
        }
        Shape encoded = new Shape(batch, encoder.outputWidth());
        Shape[] withInputs = new Shape[inputShapes.length + 1];
        withInputs[0] = encoded;
        System.arraycopy(inputShapes, 0, withInputs, 1, inputShapes.length);
        for (Block w : wide) {
            if (w != null) {
                w.initialize(manager, dataType, w instanceof WidePart ? withInputs : new Shape[] {encoded});
            }
        }
        for (TransferBlock transfer : transfers) {
            if (transfer != null) {
                transfer.initialize(manager, dataType, new Shape(batch, sharingWidth), new Shape(batch, sharingWidth));
            }
        }
        weighting.initialize(manager, dataType, new Shape(heads.size()), new Shape(heads.size()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long batch = inputShapes.length == 0 ? -1 : inputShapes[0].get(0);
        List<Shape> shapes = new ArrayList<>();
        for (int width : headWidths) {
            shapes.add(new Shape(batch, width));
        }
        return shapes.toArray(new Shape[0]);
    }
}
