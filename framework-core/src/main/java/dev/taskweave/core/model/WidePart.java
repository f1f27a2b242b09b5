package dev.taskweave.core.model;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.taskweave.api.data.FeatureSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * One task's wide part (Wide &amp; Deep): a linear map added to the task head's output, next to
 * the path through the sharing strategy. It reads the shared encoder's output ({@code
 * tasks[i].wide}), some features through embeddings of its own ({@code tasks[i].wideFeatures}),
 * or both, concatenated.
 *
 * <p>With its own embeddings, a categorical feature gets a table of its own and a multi-hot one (a
 * history included) a projection of its own, read as the shared encoder reads them; a
 * {@code [size, embeddingDim]} table followed by the linear map is a linear model over the raw
 * feature of rank {@code min(embeddingDim, units)}. The task then learns what it needs from the
 * feature without moving the embeddings the other tasks share (an item's genres from the item's
 * raters, say), and the other tasks' gradients do not move its table.
 *
 * <p>A wide part that reads the encoded input only is a plain {@link Linear} in {@link MultiTaskBlock}
 * (the parameter layout of models saved with {@code features.wide}); this block is used when the
 * part has features of its own.
 *
 * <p>Input: {@code NDList(encoded, x_1, ..., x_n)}: the shared encoder's output, then the model's
 * raw inputs, every feature in input order; it reads the ones it was built for.
 */
public final class WidePart extends AbstractBlock {
    private static final byte VERSION = 1;

    private final boolean readsEncoded;
    private final int[] featurePositions;
    private final InputEncoder own;
    private final Linear linear;

    /**
     * @param readsEncoded     whether it reads the shared encoder's output
     * @param features         the model's features (input order)
     * @param featurePositions positions in {@code features} of the features it embeds itself
     *                         (at least one)
     * @param embeddingDim     the width of its own embeddings
     * @param units            the task head's output width
     */
    public WidePart(boolean readsEncoded, List<FeatureSpec> features, int[] featurePositions, int embeddingDim, int units) {
        super(VERSION);
        requireNonNull(features, "features is null");
        this.readsEncoded = readsEncoded;
        this.featurePositions = featurePositions.clone();
        if (featurePositions.length == 0) {
            throw new IllegalArgumentException("a wide part with no features of its own is a Linear map of the encoded input");
        }
        List<FeatureSpec> selected = new ArrayList<>();
        for (int p : this.featurePositions) {
            selected.add(features.get(p));
        }
        this.own = addChildBlock("features", new InputEncoder(selected, embeddingDim, false));
        this.linear = addChildBlock("linear", Linear.builder().setUnits(units).build());
    }

    /** @return the encoder of the features it embeds itself (its own tables) */
    public InputEncoder encoder() {
        return own;
    }

    /** @return whether it reads the shared encoder's output (its first columns) */
    public boolean readsEncoded() {
        return readsEncoded;
    }

    /** @return the input positions of the features it embeds itself, in its encoder's order */
    public int[] featurePositions() {
        return featurePositions.clone();
    }

    /** @return the linear map of {@code concat(encoded?, encoder's output)} */
    Linear linear() {
        return linear;
    }

    /** @return {@code encoded} followed by every raw input: this block's input */
    public static NDList inputs(NDArray encoded, NDList inputs) {
        NDList all = new NDList(inputs.size() + 1);
        all.add(encoded);
        all.addAll(inputs);
        return all;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList raw = new NDList(featurePositions.length);
        for (int p : featurePositions) {
            raw.add(inputs.get(p + 1));
        }
        NDArray embedded = own.forward(ps, raw, training).singletonOrThrow();
        NDArray x = readsEncoded ? NDArrays.concat(new NDList(inputs.get(0), embedded), 1) : embedded;
        return linear.forward(ps, new NDList(x), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return linear.getOutputShapes(new Shape[] {new Shape(inputShapes[0].get(0), inputWidth(inputShapes))});
    }

    private long inputWidth(Shape[] inputShapes) {
        return (readsEncoded ? inputShapes[0].get(1) : 0) + own.outputWidth();
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] raw = new Shape[featurePositions.length];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = inputShapes[featurePositions[i] + 1];
        }
        own.initialize(manager, dataType, raw);
        linear.initialize(manager, dataType, new Shape(inputShapes[0].get(0), inputWidth(inputShapes)));
        // DJL's default (Xavier, uniform within +-sqrt(6 / ((in + out) / 2))) suits the embedded
        // columns, but the weight of a numeric feature, one column passed through, would start
        // anywhere in +-2.4 for a one-unit head: a rating task's wide part over a user's recent
        // mean then spent its first epochs unlearning it (ml100k-mtl seed 3: training loss 2.16
        // in the first epoch against 0.93, test RMSE 0.8993). A numeric feature's weight starts at 0.
        NDArray weight = linear.getParameters().get("weight").getArray();
        int offset = readsEncoded ? (int) inputShapes[0].get(1) : 0;
        int[] starts = own.columnStarts();
        for (int f = 0; f < starts.length; f++) {
            if (own.features().get(f).kind() == dev.taskweave.api.data.FeatureKind.NUMERIC) {
                weight.set(new ai.djl.ndarray.index.NDIndex(":, {}", offset + starts[f]), 0f);
            }
        }
    }
}
