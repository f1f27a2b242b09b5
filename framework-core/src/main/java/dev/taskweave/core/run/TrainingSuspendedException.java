package dev.taskweave.core.run;

import java.nio.file.Path;

/**
 * Training stopped before its last epoch because {@link Checkpointing#maxTime()} ran out; its
 * state is in the checkpoint (and, while distillation's teachers were trained, in the directory
 * they are saved in), and no model was written.
 */
public final class TrainingSuspendedException extends RuntimeException {
    private final int epoch;
    private final int epochs;
    private final Path checkpoint;
    private final String stoppedAfter;

    public TrainingSuspendedException(int epoch, int epochs, Path checkpoint) {
        this(epoch, epochs, checkpoint, "epoch " + epoch + " of " + epochs, "its state is in " + checkpoint);
    }

    private TrainingSuspendedException(int epoch, int epochs, Path checkpoint, String stoppedAfter, String where) {
        super("training stopped after " + stoppedAfter + " (the time limit ran out); " + where + ": run again with --resume to go on");
        this.epoch = epoch;
        this.epochs = epochs;
        this.checkpoint = checkpoint;
        this.stoppedAfter = stoppedAfter;
    }

    /**
     * Training stopped after distillation's teacher {@code k} of {@code n}, before the model's first
     * epoch.
     *
     * @param teachers where the trained teachers are saved, read back by {@code --resume}
     */
    public static TrainingSuspendedException afterTeacher(int k, int n, Path checkpoint, Path teachers) {
        return new TrainingSuspendedException(0, 0, checkpoint, "teacher " + k + " of " + n + " (training.distillation)",
                "the teachers trained so far are saved in " + teachers);
    }

    /** @return the last epoch trained; 0 when training stopped after a teacher, before the model's first epoch */
    public int epoch() {
        return epoch;
    }

    /** @return the epochs the experiment trains at most; 0 when training stopped after a teacher */
    public int epochs() {
        return epochs;
    }

    /** @return what training stopped after: {@code epoch 3 of 10}, or {@code teacher 2 of 5 (training.distillation)} */
    public String stoppedAfter() {
        return stoppedAfter;
    }

    /** @return the checkpoint to resume from */
    public Path checkpoint() {
        return checkpoint;
    }
}
