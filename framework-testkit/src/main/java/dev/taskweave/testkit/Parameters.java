package dev.taskweave.testkit;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Saving and loading a block's parameters the way a model file holds them. */
public final class Parameters {
    private Parameters() {}

    /**
     * Saves {@code from}'s parameters and loads them into {@code to} (an initialised block of the
     * same structure); fails when the load refuses them or leaves bytes unread.
     */
    public static void copy(NDManager manager, Block from, Block to) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                from.saveParameters(out);
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                to.loadParameters(manager, in);
                if (in.read() != -1) {
                    throw new AssertionError("loadParameters left bytes unread");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (MalformedModelException e) {
            throw new AssertionError("the saved parameters do not load into the new block: " + e.getMessage(), e);
        }
    }
}
