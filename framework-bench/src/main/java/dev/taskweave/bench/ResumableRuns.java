package dev.taskweave.bench;

import static java.util.Objects.requireNonNull;

import dev.taskweave.core.Taskweave;
import dev.taskweave.core.config.ExperimentConfig;
import dev.taskweave.core.run.Checkpointing;
import dev.taskweave.core.run.TrainingResult;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The trainings of one benchmark or search, each into its own directory with a checkpoint beside
 * it ({@code <directory>.checkpoint}, removed when the model is written). When resuming, a run
 * that finished is read back (its model must have been trained with the same settings, on the
 * same data) and one
 * that was stopped goes on from its checkpoint, so the whole ends as if it had never stopped. A
 * time limit covers every training of the call: the first epoch end past it stops the call with
 * {@link dev.taskweave.core.run.TrainingSuspendedException}.
 */
final class ResumableRuns {
    private final Taskweave taskweave;
    private final boolean resume;
    private final Duration maxTime;
    private final long started = System.nanoTime();
    private final PrintStream log;

    /**
     * @param maxTime null for none
     * @param log     where reading back and going on are reported
     */
    ResumableRuns(Taskweave taskweave, boolean resume, Duration maxTime, PrintStream log) {
        this.taskweave = requireNonNull(taskweave, "taskweave is null");
        this.resume = resume;
        this.maxTime = maxTime;
        this.log = requireNonNull(log, "log is null");
    }

    /**
     * Without {@code resume}, refuses an output that holds the checkpoint of a training an earlier
     * call left unfinished (stopped by its time limit, or killed), before anything trains: found
     * when its run was reached, after every run before it had trained again.
     *
     * @throws dev.taskweave.core.run.CheckpointException naming the checkpoint and {@code --resume}
     */
    void checkNoInterruptedRun(Path output) {
        checkNoInterruptedRun(output, resume);
    }

    /** As {@link #checkNoInterruptedRun(Path)}, for a call that resumes or not. */
    static void checkNoInterruptedRun(Path output, boolean resume) {
        if (resume || !Files.isDirectory(output)) {
            return;
        }
        java.util.List<Path> checkpoints;
        try (java.util.stream.Stream<Path> files = Files.walk(output, 6)) {
            // a run stopped while training its distillation teachers left only them (FILE.checkpoint.teachers)
            checkpoints = files.map(f -> f.getFileName().toString().endsWith(".checkpoint.teachers") && Files.isDirectory(f)
                    ? f.resolveSibling(f.getFileName().toString().replaceFirst("\\.teachers$", "")) : f)
                    .filter(f -> f.getFileName().toString().endsWith(".checkpoint") && !Files.isDirectory(f)).distinct().sorted().toList();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return; // what cannot be read is reported by the run that reaches it
        }
        for (Path checkpoint : checkpoints) {
            new Checkpointing(checkpoint, false, null).checkNothingOverwritten("--output " + output);
        }
    }

    /**
     * A training's result, and whether it was read back from a run that finished before.
     */
    record Run(TrainingResult result, boolean readBack) {}

    /** Trains {@code config} (read from {@code configFile}) into {@code directory}, or reads it back. */
    Run train(ExperimentConfig config, Path configFile, Path directory) {
        Path checkpoint = directory.resolveSibling(directory.getFileName() + ".checkpoint");
        if (resume) {
            // finished, and on the data as it reads now (a suite rerun on changed data trains again)
            Optional<TrainingResult> finished = taskweave.finishedOnThisData(config, configFile, configFile.toAbsolutePath().getParent(),
                    directory, reason -> log.printf(Locale.ROOT, "  finished before, %s: training again%n", reason));
            if (finished.isPresent()) {
                log.printf(Locale.ROOT, "  finished before: read back from %s%n", directory);
                // a run killed after its model was written and before its checkpoint was removed left
                // it: without this, every later benchmark into this output would stop on it
                if (Files.exists(checkpoint) || Files.exists(Taskweave.savedTeachers(checkpoint))) {
                    log.printf(Locale.ROOT, "  removing %s, left from before the model was written%n", checkpoint);
                    Taskweave.removeCheckpoint(new Checkpointing(checkpoint, false, null), log);
                }
                return new Run(finished.get(), true);
            }
        }
        // a run stopped while its distillation teachers were trained has saved them, and no checkpoint yet
        Path teachers = Taskweave.savedTeachers(checkpoint);
        boolean fromCheckpoint = resume && (Files.isRegularFile(checkpoint) || Files.isDirectory(teachers));
        if (fromCheckpoint) {
            log.printf(Locale.ROOT, "  going on from %s%n", Files.isRegularFile(checkpoint) ? checkpoint : teachers);
        }
        // the time limit counts from this call's start, for every training of it
        TrainingResult result = taskweave.train(config, configFile, configFile.toAbsolutePath().getParent(), directory,
                new PrintStream(PrintStream.nullOutputStream()), new Checkpointing(checkpoint, fromCheckpoint, maxTime, started));
        return new Run(result, false);
    }
}
