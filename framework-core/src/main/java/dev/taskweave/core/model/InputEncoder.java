package dev.taskweave.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.FeatureKind;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.nn.Scalars;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a batch of side features into one vector per row.
 *
 * <p>Inputs follow the feature order: a categorical feature is an int32 {@code [batch]} array of
 * codes and is embedded; a multi-hot feature is a float {@code [batch, width]} array, divided by
 * its sum when that exceeds one and projected to the embedding width (a history, derived from
 * interactions, is projected as it is: its data source weighted it, possibly with signed values);
 * a numeric feature is a float
 * {@code [batch, 1]} array passed through. When both a user and an item identifier are present and
 * {@code idInteraction} is on, their element-wise product is appended, which gives the network the
 * matrix-factorisation interaction directly. Features named as not encoded arrive like the others
 * (the inputs keep the model's feature order) but are left out of the vector: they are read only
 * by the wide parts that list them ({@code features.wideOnly}).
 */
public final class InputEncoder extends AbstractBlock {
    private static final byte VERSION = 1;

    private final List<FeatureSpec> features;
    private final int embeddingDim;
    private final List<Parameter> weights = new ArrayList<>();
    private final int userIdPosition;
    private final int itemIdPosition;
    private final boolean idInteraction;
    /** Per input, whether it is part of the encoded vector. */
    private final boolean[] encoded;

    public InputEncoder(List<FeatureSpec> features, int embeddingDim, boolean idInteraction) {
        this(features, embeddingDim, idInteraction, java.util.Set.of());
    }

    /**
     * @param notEncoded features received as inputs but left out of the encoded vector (no table,
     *                   no columns); the id product needs both ids encoded
     */
    public InputEncoder(List<FeatureSpec> features, int embeddingDim, boolean idInteraction, java.util.Set<String> notEncoded) {
        super(VERSION);
        this.features = List.copyOf(features);
        this.embeddingDim = embeddingDim;
        this.encoded = new boolean[this.features.size()];
        int userId = -1;
        int itemId = -1;
        for (int i = 0; i < this.features.size(); i++) {
            FeatureSpec f = this.features.get(i);
            encoded[i] = !notEncoded.contains(f.name());
            Parameter p = null;
            if (!encoded[i]) {
                // read by the wide parts only
            } else if (f.kind() == FeatureKind.CATEGORICAL) {
                p = addParameter(Parameter.builder().setName(f.name()).setType(Parameter.Type.WEIGHT)
                        .optShape(new Shape(f.size(), embeddingDim)).optInitializer(new NormalInitializer(0.05f)).build());
            } else if (f.kind() == FeatureKind.MULTI_HOT) {
                p = addParameter(Parameter.builder().setName(f.name()).setType(Parameter.Type.WEIGHT)
                        .optShape(new Shape(f.size(), embeddingDim)).optInitializer(new NormalInitializer(0.05f)).build());
            }
            weights.add(p);
            if (f.id() && f.entity() == Entity.USER && userId < 0) {
                userId = i;
            } else if (f.id() && f.entity() == Entity.ITEM && itemId < 0) {
                itemId = i;
            }
        }
        this.userIdPosition = userId;
        this.itemIdPosition = itemId;
        this.idInteraction = idInteraction && userId >= 0 && itemId >= 0 && encoded[userId] && encoded[itemId];
    }

    /** @return the width of the encoded vector */
    public int outputWidth() {
        int width = 0;
        for (int i = 0; i < features.size(); i++) {
            width += partWidth(i);
        }
        return idInteraction ? width + embeddingDim : width;
    }

    /** @return the width of input {@code i}'s part of the encoded vector: 0 when it is not encoded */
    private int partWidth(int i) {
        return !encoded[i] ? 0 : features.get(i).kind() == FeatureKind.NUMERIC ? 1 : embeddingDim;
    }

    /** @return whether input {@code i} (input order) is part of the encoded vector */
    public boolean encodes(int i) {
        return encoded[i];
    }

    /** @return the width of each embedded feature */
    public int embeddingDim() {
        return embeddingDim;
    }

    /**
     * @return per feature (input order), the first column of its part of the encoded vector; its
     *     part is {@code embeddingDim} wide, 1 for a numeric feature, none for a feature not
     *     encoded (which starts where the next part does)
     */
    public int[] columnStarts() {
        int[] starts = new int[features.size()];
        int column = 0;
        for (int i = 0; i < features.size(); i++) {
            starts[i] = column;
            column += partWidth(i);
        }
        return starts;
    }

    /**
     * @return the first column of the user-id times item-id product ({@code embeddingDim} wide, the
     *     last columns), or -1 when the encoder does not append it
     */
    public int productStart() {
        return idInteraction ? outputWidth() - embeddingDim : -1;
    }

    /** @return the input position of the user identifier, or -1 */
    public int userIdPosition() {
        return userIdPosition;
    }

    /** @return the input position of the item identifier, or -1 */
    public int itemIdPosition() {
        return itemIdPosition;
    }

    /**
     * @return the table of feature {@code i} (input order): {@code [size, embeddingDim]}, rows by
     *     code for a categorical feature and by column for a multi-hot one; null for a numeric one
     *     or one not encoded
     */
    public Parameter weight(int i) {
        return weights.get(i);
    }

    /** @return the features, in input order */
    public List<FeatureSpec> features() {
        return features;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        if (inputs.size() != features.size()) {
            throw new IllegalArgumentException("expected " + features.size() + " feature arrays, got " + inputs.size());
        }
        NDList parts = new NDList(features.size() + 1);
        NDArray userId = null;
        NDArray itemId = null;
        for (int i = 0; i < features.size(); i++) {
            if (!encoded[i]) {
                continue;
            }
            FeatureSpec f = features.get(i);
            NDArray x = inputs.get(i);
            switch (f.kind()) {
                case CATEGORICAL -> {
                    NDArray w = ps.getValue(weights.get(i), x.getDevice(), training);
                    NDArray e = Embedding.embedding(x, w, SparseFormat.DENSE).singletonOrThrow();
                    parts.add(e);
                    if (i == userIdPosition) {
                        userId = e;
                    } else if (i == itemIdPosition) {
                        itemId = e;
                    }
                }
                case MULTI_HOT -> {
                    NDArray w = ps.getValue(weights.get(i), x.getDevice(), training);
                    if (f.fromInteractions()) {
                        // a history arrives weighted (Histories: a mean, or a rating-weighted mean)
                        parts.add(x.matMul(w));
                    } else {
                        NDArray norm = Scalars.maximum(x.sum(new int[] {1}, true), 1);
                        parts.add(x.div(norm).matMul(w));
                    }
                }
                case NUMERIC -> parts.add(x);
            }
        }
        if (idInteraction) {
            parts.add(userId.mul(itemId));
        }
        // DJL's concat of a single array returns a copy detached from autograd
        return new NDList(parts.size() == 1 ? parts.singletonOrThrow() : NDArrays.concat(parts, 1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long batch = inputShapes.length == 0 ? -1 : inputShapes[0].get(0);
        return new Shape[] {new Shape(batch, outputWidth())};
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        // every parameter's shape is fixed by the schema in the constructor
    }

    /** @return the data type each input must have */
    public static DataType inputType(FeatureSpec f) {
        return f.kind() == FeatureKind.CATEGORICAL ? DataType.INT32 : DataType.FLOAT32;
    }

    /** @return the shape of one input for a batch */
    public static Shape inputShape(FeatureSpec f, long batch) {
        return f.kind() == FeatureKind.CATEGORICAL ? new Shape(batch) : new Shape(batch, f.size());
    }
}
