package dev.taskweave.core.run;

import java.nio.file.Path;

/**
 * Training stopped before its last epoch because {@link Checkpointing#maxTime()} ran out; its
 * state is in the checkpoint, and no model was written.
 */
public final class TrainingSuspendedException extends RuntimeException {
    private final int epoch;
    private final int epochs;
    private final Path checkpoint;

    public TrainingSuspendedException(int epoch, int epochs, Path checkpoint) {
        super("training stopped after epoch " + epoch + " of " + epochs + " (the time limit ran out); its state is in "
                + checkpoint + ": run again with --resume to go on");
        this.epoch = epoch;
        this.epochs = epochs;
        this.checkpoint = checkpoint;
    }

    /** @return the last epoch trained */
    public int epoch() {
        return epoch;
    }

    /** @return the epochs the experiment trains at most */
    public int epochs() {
        return epochs;
    }

    /** @return the checkpoint to resume from */
    public Path checkpoint() {
        return checkpoint;
    }
}
