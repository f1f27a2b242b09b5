package dev.taskweave.core.run;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Saving training's state after every epoch, and going on from it: a run that is stopped (a
 * crash, a pre-empted machine, {@code maxTime}) and resumed from its checkpoint trains exactly as
 * if it had not stopped, epoch for epoch and digit for digit.
 *
 * @param file    where the checkpoint is written after every epoch (atomically, replacing the
 *                previous one); removed once the model is saved
 * @param resume  go on from the checkpoint in {@code file} (which must exist and come from the same
 *                experiment and data) instead of starting afresh
 * @param maxTime null, or stop once an epoch ends after this much training time in this run,
 *                leaving the checkpoint to resume from ({@link TrainingSuspendedException})
 */
public record Checkpointing(Path file, boolean resume, Duration maxTime) {
    public Checkpointing {
        requireNonNull(file, "file is null");
        if (maxTime != null && maxTime.isNegative()) {
            throw new IllegalArgumentException("maxTime must not be negative, got " + maxTime);
        }
    }

    /**
     * @param experiment the experiment as configured (its canonical YAML)
     * @param data       the data's fingerprint
     * @return what a checkpoint must have been written by to be resumed: a digest of the
     *     experiment, and the data's fingerprint
     */
    public static String identity(String experiment, String data) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(experiment.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "experiment " + java.util.HexFormat.of().formatHex(digest) + ", data " + data;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
