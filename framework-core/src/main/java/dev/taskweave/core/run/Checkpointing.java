package dev.taskweave.core.run;

import static java.util.Objects.requireNonNull;

import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.store.AtomicDirectory;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Saving training's state after every epoch, and going on from it: a run that is stopped (a
 * crash, a pre-empted machine, {@code maxTime}) and resumed from its checkpoint trains exactly as
 * if it had not stopped, epoch for epoch and digit for digit.
 *
 * @param file    where the checkpoint is written after every epoch (atomically, replacing the
 *                previous one); removed once the model is saved
 * @param resume  go on from the checkpoint in {@code file} (which must come from the same
 *                experiment and data) instead of starting afresh; when there is no file (a run
 *                stopped before its first epoch ended) training starts from epoch 1
 * @param maxTime null, or stop once an epoch (or a distillation teacher) ends when this much time
 *                has passed since {@code startNanos}, leaving the checkpoint to resume from
 *                ({@link TrainingSuspendedException}): the whole run counts, reading the data and
 *                training the teachers included
 * @param startNanos when the run started ({@link System#nanoTime()}), what {@code maxTime} counts from
 */
public record Checkpointing(Path file, boolean resume, Duration maxTime, long startNanos) {
    public Checkpointing {
        requireNonNull(file, "file is null");
        if (maxTime != null && maxTime.isNegative()) {
            throw new IllegalArgumentException("maxTime must not be negative, got " + maxTime);
        }
    }

    /** A run starting now: {@code maxTime} counts from this call. */
    public Checkpointing(Path file, boolean resume, Duration maxTime) {
        this(file, resume, maxTime, System.nanoTime());
    }

    /** @return whether {@link #maxTime()} has passed since the run started (never without one) */
    public boolean outOfTime() {
        return maxTime != null && Duration.ofNanos(System.nanoTime() - startNanos).compareTo(maxTime) >= 0;
    }

    /**
     * @return {@code FILE.teachers} beside the checkpoint, where a run with {@code teachers: n}
     *     saves each distillation teacher once trained, to read back when resuming; removed with
     *     the checkpoint
     */
    public Path teachers() {
        return teachers(file);
    }

    /** @return {@code FILE.teachers} beside {@code checkpoint} ({@link #teachers()}) */
    public static Path teachers(Path checkpoint) {
        return checkpoint.resolveSibling(checkpoint.getFileName() + ".teachers");
    }

    /**
     * Checks, before anything is trained, that the checkpoint can be written: {@link #file()} is
     * not a directory and the nearest existing directory above it can be written to.
     *
     * @param option what named the file ({@code --checkpoint}), named in the errors
     * @throws dev.taskweave.core.config.ConfigException naming the file and what is wrong
     */
    public void checkWritable(String option) {
        if (Files.isDirectory(file)) {
            throw new ConfigException(null, option, 0, file + " is a directory; expected a checkpoint file");
        }
        Path parent = file.toAbsolutePath().normalize().getParent();
        AtomicDirectory.requireWritableDirectory(AtomicDirectory.nearestExisting(parent), file, option);
    }

    /**
     * As {@link #checkWritable(String)}, and the checkpoint is neither the model's directory nor in
     * it: the model replaces its directory whole, and a checkpoint there would be lost with it (or,
     * written first, make the directory one of other files that the model may not replace).
     *
     * @param output the model's directory
     */
    public void checkWritable(String option, Path output) {
        Path checkpoint = file.toAbsolutePath().normalize();
        Path model = output.toAbsolutePath().normalize();
        if (checkpoint.startsWith(model)) {
            throw new ConfigException(null, option, 0, file + " is " + (checkpoint.equals(model) ? "" : "in ") + "the model's directory "
                    + output + ", which the model replaces whole; put the checkpoint beside it");
        }
        checkWritable(option);
    }

    /**
     * Checks, before anything is trained, that a run that does not resume overwrites no file: an
     * existing checkpoint, or teachers saved beside it ({@link #teachers(Path)}), are an interrupted
     * run's (resume it or delete them), and any other file was named by mistake.
     *
     * @param option what named the file ({@code --checkpoint}), named in the errors
     * @throws CheckpointException naming the file, when it exists and this run does not resume
     */
    public void checkNothingOverwritten(String option) {
        if (resume) {
            return;
        }
        if (Files.exists(file)) {
            if (TrainingCheckpoint.isCheckpoint(file)) {
                throw new CheckpointException(option + ": " + file + " holds the checkpoint of an interrupted run: pass --resume to "
                        + "continue it, or delete it");
            }
            throw new CheckpointException(option + ": " + file + " exists and is not a Taskweave training checkpoint, which training "
                    + "would overwrite and then delete; name another file");
        }
        // a run stopped while it trained its distillation teachers saved those done, and no checkpoint yet:
        // training them again without a word would throw that work away
        Path saved = teachers(file);
        boolean held;
        try {
            held = Files.isDirectory(saved) && holdsTeacher(saved);
        } catch (java.io.IOException e) {
            throw new CheckpointException(option + ": cannot read " + saved + ": " + e.getMessage());
        }
        if (held) {
            throw new CheckpointException(option + ": " + saved + " holds the distillation teachers of an interrupted run: pass"
                    + " --resume to continue it (they are read back, not trained again), or delete it");
        }
    }

    /**
     * @return whether {@code saved}, a directory of saved teachers, holds one: an entry that is not
     *     hidden (a killed save leaves only its {@code .teacher-k.tmp-*} staging, which is no teacher)
     */
    private static boolean holdsTeacher(Path saved) throws java.io.IOException {
        try (java.util.stream.Stream<Path> entries = Files.list(saved)) {
            return entries.anyMatch(p -> !p.getFileName().toString().startsWith("."));
        }
    }

    /**
     * Claims the checkpoint file for one training run: two runs given one checkpoint would write
     * it in turns, so that a resume went on from the other run's state, and the first to finish
     * would delete it under the other. Checks {@link #checkNothingOverwritten} again once claimed
     * (a run killed since the first check may have left its checkpoint), and deletes what a run
     * killed while writing the checkpoint left beside it ({@code .FILE.tmp-*}, as large as the
     * checkpoint): no other run writes it while the claim is held.
     *
     * @param option what named the file, named in the errors
     * @return the claim, to close when the run ends (the model written, or training stopped)
     * @throws CheckpointException when another run, in any process, holds the file
     */
    public AtomicDirectory.Claim claim(String option) {
        AtomicDirectory.Claim claim = AtomicDirectory.tryClaim(file);
        if (claim == null) {
            throw inUse(option);
        }
        try {
            checkNothingOverwritten(option);
            AtomicDirectory.deleteTemporaryFiles(file);
            return claim;
        } catch (RuntimeException e) {
            claim.close();
            throw e;
        }
    }

    /**
     * Checks, before anything is trained, that no other run holds the checkpoint ({@link #claim}
     * claims it for the run later) and, when resuming, that the file is intact (its CRC-32), so
     * that neither is found after the data was read and the model built.
     *
     * @param option what named the file, named in the errors
     * @throws CheckpointException naming the file
     */
    public void checkFree(String option) {
        try (AtomicDirectory.Claim claim = AtomicDirectory.tryClaim(file)) {
            if (claim == null) {
                throw inUse(option);
            }
        }
        if (resume && Files.exists(file)) {
            TrainingCheckpoint.checkIntact(file);
        }
    }

    private CheckpointException inUse(String option) {
        return new CheckpointException(option + ": " + file + " is the checkpoint of a training run still going on (it holds "
                + file.resolveSibling("." + file.getFileName() + ".lock") + "): wait for it to end, or name another file");
    }

    /**
     * @return these settings, or when resuming and {@link #file()} does not exist (the run was
     *     stopped before its first checkpoint) the same without resuming, after saying so in
     *     {@code log}: a scheduler reruns one command with {@code --resume} whenever a run stopped
     */
    public Checkpointing orFreshStart(PrintStream log) {
        if (!resume || Files.exists(file)) {
            return this;
        }
        log.println("no checkpoint at " + file + ": starting from epoch 1");
        return new Checkpointing(file, false, maxTime, startNanos);
    }

    /**
     * Checks, before anything is trained (distillation's teachers included), that the checkpoint
     * to resume from was written by this experiment on this data. Does nothing when not resuming
     * or when there is no checkpoint ({@link #orFreshStart}).
     *
     * @throws CheckpointException naming the file when it is damaged, or was written by another
     *     experiment or for other data (and naming {@link #teachers()} with it, when there are
     *     saved teachers to delete too)
     */
    public void checkResumable(Identity identity) {
        requireNonNull(identity, "identity is null");
        if (resume && Files.exists(file)) {
            TrainingCheckpoint.checkIdentity(file, identity);
        }
    }

    /**
     * @return the data fingerprint the checkpoint to resume from records, or null when not
     *     resuming, when there is none, or when it cannot be read ({@link #checkResumable} then
     *     names what is wrong)
     */
    public String recordedData() {
        if (!resume || !Files.exists(file)) {
            return null;
        }
        return TrainingCheckpoint.recordedIdentity(file).map(Identity::data).orElse(null);
    }

    /**
     * Removes the checkpoint once the model is written, with what killed writes of it left beside
     * it ({@code .FILE.tmp-*}).
     *
     * @throws java.io.IOException when the checkpoint cannot be removed
     */
    public void remove() throws java.io.IOException {
        Files.deleteIfExists(file);
        AtomicDirectory.deleteTemporaryFiles(file);
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
