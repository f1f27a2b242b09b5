package dev.taskweave.core.model;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.taskweave.api.model.AuxiliaryLoss;
import dev.taskweave.api.model.GatedBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
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
    private static final byte VERSION = 1;

    private final InputEncoder encoder;
    private final Component sharing;
    private final List<Component> heads;
    private final List<Integer> headWidths;
    private final Component weighting;
    private final int sharingWidth;

    /**
     * A plugin-provided block with the class loader to call it under.
     *
     * @param block  the block
     * @param loader its plugin's class loader
     */
    public record Component(Block block, ClassLoader loader) {
        public Component {
            requireNonNull(block, "block is null");
            requireNonNull(loader, "loader is null");
        }

        NDList forward(ParameterStore ps, NDList inputs, boolean training) {
            try (ContextClassLoader ignored = ContextClassLoader.enter(loader)) {
                return block.forward(ps, inputs, training);
            }
        }

        void initialize(NDManager manager, DataType type, Shape... shapes) {
            try (ContextClassLoader ignored = ContextClassLoader.enter(loader)) {
                block.initialize(manager, type, shapes);
            }
        }
    }

    public MultiTaskBlock(InputEncoder encoder, Component sharing, int sharingWidth, List<Component> heads,
            List<Integer> headWidths, Component weighting) {
        super(VERSION);
        this.encoder = addChildBlock("encoder", requireNonNull(encoder, "encoder is null"));
        this.sharing = requireNonNull(sharing, "sharing is null");
        addChildBlock("sharing", sharing.block());
        this.sharingWidth = sharingWidth;
        this.heads = List.copyOf(heads);
        this.headWidths = List.copyOf(headWidths);
        for (int i = 0; i < this.heads.size(); i++) {
            addChildBlock("head" + i, this.heads.get(i).block());
        }
        this.weighting = requireNonNull(weighting, "weighting is null");
        addChildBlock("weighting", weighting.block());
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

    /** @return the class loader of the sharing strategy's plugin */
    public ClassLoader sharingLoader() {
        return sharing.loader();
    }

    /** @return the block of one task's head (serving runs only the heads it needs) */
    public Block headBlock(int task) {
        return heads.get(task).block();
    }

    /** @return the class loader of one task head's plugin */
    public ClassLoader headLoader(int task) {
        return heads.get(task).loader();
    }

    /** @return the parameters every task shares: the input encoder's, then the sharing strategy's */
    public List<Parameter> sharedParameters() {
        List<Parameter> shared = new ArrayList<>();
        for (Pair<String, Parameter> p : encoder.getParameters()) {
            shared.add(p.getValue());
        }
        shared.addAll(strategyParameters());
        return shared;
    }

    /** @return the sharing strategy's own parameters */
    public List<Parameter> strategyParameters() {
        List<Parameter> params = new ArrayList<>();
        for (Pair<String, Parameter> p : sharing.block().getParameters()) {
            params.add(p.getValue());
        }
        return params;
    }

    /** @return the parameters of one task's head */
    public List<Parameter> taskParameters(int task) {
        List<Parameter> params = new ArrayList<>();
        for (Pair<String, Parameter> p : heads.get(task).block().getParameters()) {
            params.add(p.getValue());
        }
        return params;
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
            try (ContextClassLoader ignored = ContextClassLoader.enter(sharing.loader())) {
                return aux.auxiliaryLoss(ps, training);
            }
        }
        return null;
    }

    /** @return per task, the gate weights for encoded inputs, or null when the strategy has no gates */
    public NDList gates(ParameterStore ps, NDArray encoded) {
        if (sharing.block() instanceof GatedBlock gated) {
            try (ContextClassLoader ignored = ContextClassLoader.enter(sharing.loader())) {
                return gated.gates(ps, encoded);
            }
        }
        return null;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList encoded = encoder.forward(ps, inputs, training);
        NDList shared = sharing.forward(ps, encoded, training);
        if (shared.size() != heads.size()) {
            throw new IllegalStateException("the sharing strategy returned " + shared.size() + " outputs for " + heads.size() + " tasks");
        }
        NDList outputs = new NDList(heads.size());
        for (int t = 0; t < heads.size(); t++) {
            outputs.add(heads.get(t).forward(ps, new NDList(shared.get(t)), training).singletonOrThrow());
        }
        return outputs;
    }

    /**
     * Combines a batch's per-task losses.
     *
     * @param losses  {@code [tasks]} per-task losses
     * @param present {@code [tasks]} 1 where the task had labelled rows in the batch
     * @return {@code NDList(total, weights)}
     */
    public NDList combineLosses(ParameterStore ps, NDArray losses, NDArray present, boolean training) {
        return weighting.forward(ps, new NDList(losses, present), training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes.length == 0 ? 1 : inputShapes[0].get(0);
        encoder.initialize(manager, dataType, inputShapes);
        sharing.initialize(manager, dataType, new Shape(batch, encoder.outputWidth()));
        for (Component head : heads) {
            head.initialize(manager, dataType, new Shape(batch, sharingWidth));
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
