package dev.taskweave.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.taskweave.core.run.CheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A benchmark or search without {@code --resume} into an output where an earlier call was stopped
 * is refused before anything trains, also when the stopped run had only saved distillation teachers.
 */
class InterruptedRunTest {
    @TempDir
    Path tmp;

    @Test
    void teachersSavedByAStoppedRunAreFoundWithoutItsCheckpoint() throws Exception {
        Path output = tmp.resolve("bench");
        Path runs = Files.createDirectories(output.resolve("runs/mmoe"));
        ResumableRuns.checkNoInterruptedRun(output, false);
        // an empty teachers directory (a removal stopped halfway) is no interrupted run
        Path teachers = Files.createDirectories(runs.resolve("seed-1.checkpoint.teachers"));
        ResumableRuns.checkNoInterruptedRun(output, false);
        Files.createDirectories(teachers.resolve("teacher-1"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> ResumableRuns.checkNoInterruptedRun(output, false));
        assertEquals("--output " + output + ": " + teachers + " holds the distillation teachers of an interrupted run: pass --resume"
                + " to continue it (they are read back, not trained again), or delete it", e.getMessage());
        ResumableRuns.checkNoInterruptedRun(output, true);
    }
}
