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
     * What a checkpoint must have been written by to be resumed.
     *
     * @param experiment a digest of the experiment as configured (its canonical YAML)
     * @param data       the data's fingerprint
     */
    public record Identity(String experiment, String data) {
        public Identity {
            requireNonNull(experiment, "experiment is null");
            requireNonNull(data, "data is null");
        }

        /** @return the identity of an experiment (its canonical YAML) on data of that fingerprint */
        public static Identity of(String experimentYaml, String dataFingerprint) {
            try {
                byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                        .digest(experimentYaml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return new Identity(java.util.HexFormat.of().formatHex(digest), dataFingerprint);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
