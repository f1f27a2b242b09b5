package dev.taskweave.api.nn;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Adds a constant to every value of its single input. The constant is not trained; it is written
 * with the block's metadata, and a loaded value replaces the one given to the constructor. Heads
 * use it to start a regression output at the label mean, or a logit at the base rate's.
 */
public final class OffsetBlock extends AbstractBlock {
    private static final byte VERSION = 1;

    private float offset;

    /** @param offset the constant, finite */
    public OffsetBlock(float offset) {
        super(VERSION);
        if (!Float.isFinite(offset)) {
            throw new IllegalArgumentException("offset must be finite, got " + offset);
        }
        this.offset = offset;
    }

    /** @return the constant added to the input */
    public float offset() {
        return offset;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(inputs.singletonOrThrow().add(offset));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        saveInputShapes(os);
        os.writeFloat(offset);
    }

    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is) throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException("OffsetBlock: expected version " + VERSION + ", got " + loadVersion);
        }
        readInputShapes(is);
        offset = is.readFloat();
    }
}
