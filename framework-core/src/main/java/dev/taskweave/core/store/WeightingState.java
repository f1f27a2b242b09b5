package dev.taskweave.core.store;

import ai.djl.util.Pair;
import dev.taskweave.api.model.StatefulWeighting;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.run.AssembledModel;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes and reads a {@link StatefulWeighting}'s state ({@link ModelStore#WEIGHTING_STATE}), with
 * the weighting's plugin class loader as the context class loader. A weighting without state writes
 * no file; a model directory without the file (written before its weighting kept state) loads with
 * the weighting's initial state.
 */
final class WeightingState {
    private WeightingState() {}

    /** Writes the state to {@code file} when the model's weighting has one. */
    static void save(Path file, AssembledModel model) throws IOException {
        if (!(model.weighting() instanceof StatefulWeighting stateful)) {
            return;
        }
        try (OutputStream os = Files.newOutputStream(file);
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os))) {
            IOException failure = model.plan().weighting().call(() -> {
                try {
                    stateful.saveState(out);
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            if (failure != null) {
                throw failure;
            }
        }
    }

    /**
     * Reads the state from {@code file} into the model's weighting when both exist.
     *
     * @throws ConfigException if the state is malformed, does not fit the weighting, or has
     *     trailing bytes
     */
    static void load(Path file, AssembledModel model) {
        if (!(model.weighting() instanceof StatefulWeighting stateful) || !Files.isRegularFile(file)) {
            return;
        }
        try (InputStream is = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(is))) {
            Pair<IOException, Boolean> result = model.plan().weighting().call(() -> {
                try {
                    stateful.loadState(in);
                    return new Pair<>(null, in.read() == -1);
                } catch (IOException e) {
                    return new Pair<>(e, false);
                }
            });
            if (result.getKey() != null) {
                throw new ConfigException(file.toString(), "", 0, "the loss weighting's state does not load: " + result.getKey().getMessage());
            }
            if (!result.getValue()) {
                throw new ConfigException(file.toString(), "", 0, "the loss weighting's state has trailing bytes");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
