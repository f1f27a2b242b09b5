package dev.taskweave.api.nn;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.types.Shape;

/** Input and checkpoint checks for the blocks of sharing strategies. */
public final class BlockChecks {
    private BlockChecks() {}

    /** Fails unless the block gets exactly one {@code [batch, inputWidth]} input. */
    public static void checkInput(String block, int inputWidth, Shape... inputShapes) {
        if (inputShapes.length != 1) {
            throw new IllegalArgumentException(block + " expects one input [batch, " + inputWidth + "], got "
                    + inputShapes.length + " inputs");
        }
        Shape input = inputShapes[0];
        if (input.dimension() != 2 || input.get(1) != inputWidth) {
            throw new IllegalArgumentException(block + " expects an input of shape [batch, " + inputWidth
                    + "], got " + input);
        }
    }

    /** Fails when a checkpoint was written by a block built differently from this one. */
    public static void checkSaved(String block, String what, int saved, int expected) throws MalformedModelException {
        if (saved != expected) {
            throw new MalformedModelException(block + " parameters were saved with " + saved + " " + what
                    + " but this block has " + expected);
        }
    }
}
