package dev.taskweave.bench;

import dev.taskweave.core.cli.TaskweaveCli;
import dev.taskweave.core.run.TrainingSuspendedException;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The options of a command that runs many trainings into one output ({@code benchmark},
 * {@code tune}) and can be stopped and continued: {@code --resume} and {@code --max-time}.
 */
final class StopAndGo {
    @Option(names = "--resume", description = "Continue an interrupted run in the same output: read back the trainings that "
            + "finished (trained with the same settings) and go on with the stopped one from its checkpoint.")
    boolean resume;

    @Option(names = "--max-time", paramLabel = "DURATION", converter = TaskweaveCli.DurationConverter.class,
            description = "Stop at the first epoch end after this much time (90m, 2h, 1h30m, 45s), exit code 3; "
                    + "continue with --resume.")
    Duration maxTime;

    /** Reports where a run stopped and how to continue it; @return the exit code */
    static int suspended(PrintWriter out, String command, TrainingSuspendedException e) {
        out.printf("%s stopped: the time limit ran out after %s of the run checkpointed in %s; "
                + "run the same command with --resume to go on%n", command, e.stoppedAfter(), e.checkpoint());
        out.flush();
        return TaskweaveCli.SUSPENDED;
    }
}
