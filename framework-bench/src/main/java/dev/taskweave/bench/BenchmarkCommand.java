package dev.taskweave.bench;

import dev.taskweave.core.Taskweave;
import dev.taskweave.core.cli.TaskweaveCli;
import dev.taskweave.core.config.ConfigLoader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code taskweave benchmark}: runs a suite and writes results.json, report.md and report.html. */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "Train a suite of configurations over several seeds and their single-task counterparts; "
                + "write results.json, report.md and report.html.")
public final class BenchmarkCommand implements Callable<Integer> {
    @ParentCommand
    TaskweaveCli root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--suite", required = true, paramLabel = "FILE", description = "The suite YAML.")
    Path suite;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where results, reports and models go.")
    Path output;

    @Option(names = "--quick", description = "One seed and few epochs (the suite's quick settings), for CI.")
    boolean quick;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintStream log = new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                out.write(b);
            }

            @Override
            public void flush() {
                out.flush();
            }
        }, true, java.nio.charset.StandardCharsets.UTF_8);
        try (Taskweave taskweave = Taskweave.start(root.pluginDirectories())) {
            Suite loaded = Suite.load(suite, taskweave.injector().getInstance(ConfigLoader.class));
            String command = "taskweave benchmark --suite " + suite + " --output " + output + (quick ? " --quick" : "");
            Benchmark.Outcome outcome = new Benchmark(taskweave).run(loaded, quick, output, command, log);
            out.printf("wrote %s, %s and %s%n", outcome.results(), outcome.markdown(), outcome.html());
            out.flush();
        }
        return 0;
    }
}
