package dev.taskweave.core.store;

import ai.djl.util.Pair;
import dev.taskweave.api.model.StatefulWeighting;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.run.AssembledModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes and reads a {@link StatefulWeighting}'s state (in a model directory,
 * {@link ModelStore#WEIGHTING_STATE}; in a training checkpoint), with the weighting's plugin class
 * loader as the context class loader. A weighting without state writes none; a model directory
 * without the file (written before its weighting kept state) loads with the weighting's initial
 * state.
 */
public final class WeightingState {
    private WeightingState() {}

    /** @return the state of the model's weighting, or null when it keeps none */
    public static byte[] save(AssembledModel model) {
        if (!(model.weighting() instanceof StatefulWeighting stateful)) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        IOException failure = model.plan().weighting().call(model.plan().source(), "weighting.type", "saveState()", () -> {
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                stateful.saveState(out);
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        if (failure != null) {
            throw new UncheckedIOException("cannot save the loss weighting's state: " + failure.getMessage(), failure);
        }
        return bytes.toByteArray();
    }

    /**
     * Loads a state written by {@link #save(AssembledModel)} into the model's weighting.
     *
     * @param source names the state in errors (a file)
     * @throws ConfigException if the weighting keeps no state, or the state is malformed, does not
     *     fit the weighting or has trailing bytes
     */
    public static void load(byte[] state, AssembledModel model, String source) {
        if (!(model.weighting() instanceof StatefulWeighting stateful)) {
            throw new ConfigException(source, "", 0, "holds loss-weighting state, and the model's weighting keeps none");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(state));
        Pair<IOException, Boolean> result = model.plan().weighting().call(source, "weighting.type", "loadState()", () -> {
            try {
                stateful.loadState(in);
                return new Pair<>(null, in.read() == -1);
            } catch (IOException e) {
                return new Pair<>(e, false);
            }
        });
        if (result.getKey() != null) {
            IOException e = result.getKey();
            // an EOFException (the state ends early) has no message of its own
            throw new ConfigException(source, "", 0, "the loss weighting's state does not load: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        if (!result.getValue()) {
            throw new ConfigException(source, "", 0, "the loss weighting's state has trailing bytes");
        }
    }

    /** Writes the state to {@code file} when the model's weighting has one. */
    static void save(Path file, AssembledModel model) throws IOException {
        byte[] state = save(model);
        if (state != null) {
            Files.write(file, state);
        }
    }
}
