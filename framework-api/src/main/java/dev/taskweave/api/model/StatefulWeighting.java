package dev.taskweave.api.model;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Implemented by a {@link LossWeighting} that keeps state outside its block's parameters, for
 * example GradNorm's task weights and initial losses or DWA's previous epoch losses, so that the
 * state is saved with the model and a loaded model reports the same weights.
 *
 * <p>The runtime calls {@link #saveState} when it writes a model and {@link #loadState} on a
 * newly created weighting (same type, configuration and tasks) when it reads one back. A model
 * written before the weighting kept state has none to load: {@code loadState} is then not called
 * and the weighting keeps its initial state. Write a version first so that the format can evolve.
 * Learnable weights that the optimizer trains belong in the block's parameters instead.
 */
public interface StatefulWeighting {
    /**
     * Writes the current state.
     *
     * @param out the stream to write to; do not close it
     * @throws IOException if writing fails
     */
    void saveState(DataOutputStream out) throws IOException;

    /**
     * Replaces the current state with one written by {@link #saveState}.
     *
     * @param in the stream to read from; do not close it
     * @throws IOException if reading fails or the state is malformed or was written for a
     *     different number of tasks
     */
    void loadState(DataInputStream in) throws IOException;
}
