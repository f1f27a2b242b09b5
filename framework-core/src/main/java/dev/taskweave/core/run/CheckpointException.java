package dev.taskweave.core.run;

/** A training checkpoint that cannot be resumed; the message names the file and why. */
public final class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }
}
