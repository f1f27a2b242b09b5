package dev.taskweave.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.taskweave.api.nn.Scalars;

/**
 * AITM's adaptive information transfer module for one dependent task. Its inputs are the parent's
 * representation {@code z_p} and the task's own {@code q}, both {@code [batch, width]}. The
 * parent's passes a transfer layer, {@code p = relu(W_t z_p + b_t)}; then for each
 * {@code u in {p, q}} the module computes {@code v_u = h1(u)} and the self-attention score
 * {@code s_u = <h2(u), h3(u)> / sqrt(width)}, and returns {@code sum_u softmax(s)_u v_u}.
 */
public final class TransferBlock extends AbstractBlock {
    private static final byte VERSION = 1;

    private final int width;
    private final Linear transfer;
    private final Linear value;
    private final Linear key;
    private final Linear query;

    /** @param width the width of both inputs and of the output */
    public TransferBlock(int width) {
        super(VERSION);
        if (width < 1) {
            throw new IllegalArgumentException("width must be >= 1, got " + width);
        }
        this.width = width;
        this.transfer = addChildBlock("transfer", Linear.builder().setUnits(width).build());
        this.value = addChildBlock("value", Linear.builder().setUnits(width).build());
        this.key = addChildBlock("key", Linear.builder().setUnits(width).build());
        this.query = addChildBlock("query", Linear.builder().setUnits(width).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray parent = inputs.get(0);
        NDArray own = inputs.get(1);
        NDArray transferred = Activation.relu(transfer.forward(ps, new NDList(parent), training).singletonOrThrow());
        NDArray stacked = NDArrays.stack(new NDList(transferred, own), 1); // [batch, 2, width]
        NDList in = new NDList(stacked);
        NDArray v = value.forward(ps, in, training).singletonOrThrow();
        NDArray k = key.forward(ps, in, training).singletonOrThrow();
        NDArray q = query.forward(ps, in, training).singletonOrThrow();
        NDArray scores = Scalars.div(k.mul(q).sum(new int[] {2}), Math.sqrt(width)); // [batch, 2]
        NDArray attention = scores.softmax(1).expandDims(2);
        return new NDList(v.mul(attention).sum(new int[] {1}));
    }

    /** @return the width of the inputs and of the output */
    public int width() {
        return width;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        transfer.initialize(manager, dataType, new Shape(batch, width));
        Shape pair = new Shape(batch, 2, width);
        value.initialize(manager, dataType, pair);
        key.initialize(manager, dataType, pair);
        query.initialize(manager, dataType, pair);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), width)};
    }
}
