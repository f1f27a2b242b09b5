package dev.taskweave.bench;

import dev.taskweave.core.Taskweave;
import dev.taskweave.core.cli.TaskweaveCli;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.run.ModelAssembler;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code taskweave tune}: searches an experiment's settings by a validation metric. */
@Command(name = "tune", mixinStandardHelpOptions = true,
        description = "Search an experiment's settings (task weights, learning rate, layer widths, ...) by a validation "
                + "metric, over a grid or random draws; write tune.json, report.md and best.yaml.")
public final class TuneCommand implements Callable<Integer> {
    @ParentCommand
    TaskweaveCli root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The tuning YAML.")
    Path config;

    @Option(names = "--output", paramLabel = "DIR", description = "Where results, reports and models go (required unless --dry-run).")
    Path output;

    @CommandLine.Mixin
    StopAndGo stopAndGo = new StopAndGo();

    @Option(names = "--dry-run", description = "Check the tuning file and print the trials' settings without training.")
    boolean dryRun;

    @Override
    public Integer call() {
        if (output == null && !dryRun) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--output=DIR' (only --dry-run runs without it)");
        }
        if (!dryRun) {
            OutputFiles.requireOwn(output, "taskweave tune", Tuner.OWN);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintStream log = BenchmarkCommand.log(out);
        try (Taskweave taskweave = Taskweave.start(root.pluginDirectories())) {
            ModelAssembler assembler = taskweave.injector().getInstance(ModelAssembler.class);
            Tuning tuning = Tuning.load(config, taskweave.injector().getInstance(ConfigLoader.class),
                    experiment -> assembler.plan(experiment, null));
            Tuner.checkObjective(tuning, taskweave.injector().getInstance(dev.taskweave.core.metric.MetricRegistry.class));
            out.printf("%d trial%s of %s by %s over seeds %s%n", tuning.points().size(), tuning.points().size() == 1 ? "" : "s",
                    tuning.experimentFile(),
                    tuning.config().objective, tuning.seeds());
            out.flush();
            if (dryRun) {
                for (int i = 0; i < tuning.points().size(); i++) {
                    out.printf("[trial %d/%d] %s%n", i + 1, tuning.points().size(), Tuner.describe(tuning.points().get(i)));
                }
                if (tuning.config().confirm != null) {
                    out.printf("[confirm] the experiment as written against the best trial, seeds %s%n", tuning.config().confirm.seeds);
                }
                out.flush();
                return 0;
            }
            String command = "taskweave tune --config " + config + " --output " + output + (stopAndGo.resume ? " --resume" : "");
            Tuner.Outcome outcome;
            try {
                outcome = new Tuner(taskweave).run(tuning, output, command, log, stopAndGo.resume, stopAndGo.maxTime);
            } catch (dev.taskweave.core.run.TrainingSuspendedException e) {
                return StopAndGo.suspended(out, "tune", e);
            }
            out.printf("wrote %s and %s%s%n", outcome.results(), outcome.markdown(),
                    outcome.best() == null ? " (no trial measured the objective: no best.yaml)" : " and " + outcome.best());
            out.flush();
        }
        return 0;
    }
}
