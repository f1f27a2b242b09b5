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

    @Option(names = "--suite", paramLabel = "FILE", description = "The suite YAML.")
    Path suite;

    @Option(names = "--results", paramLabel = "FILE",
            description = "Render report.md and report.html again from an existing results.json instead of training.")
    Path results;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where results, reports and models go.")
    Path output;

    @Option(names = "--quick", description = "One seed and few epochs (the suite's quick settings), for CI.")
    boolean quick;

    @CommandLine.Mixin
    StopAndGo stopAndGo = new StopAndGo();

    /** @return a stream that prints to the command's output, for progress lines */
    static PrintStream log(PrintWriter out) {
        return dev.taskweave.core.cli.TaskweaveCli.logTo(out);
    }

    /** @return how {@code --results} reads a results.json: a null curve point as NaN, as it was written from */
    static com.fasterxml.jackson.databind.ObjectMapper reader() {
        // a later release may add fields (docs/benchmark.md: formatVersion changes only when one changes meaning or goes)
        return new com.fasterxml.jackson.databind.ObjectMapper().registerModule(dev.taskweave.core.store.NonFiniteJson.module())
                .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    /**
     * Reads results back from their JSON tree. The fields that make a file a results.json must be
     * there, not defaulted: any JSON object would otherwise read as results of no configuration
     * (a tune.json, a model's metrics.json) and replace the reports with empty ones.
     *
     * @throws dev.taskweave.core.config.ConfigException naming the file and the field when the tree is not
     *     results of this format version, or lacks what the reports are drawn from
     */
    static BenchmarkResults readBack(com.fasterxml.jackson.databind.JsonNode tree, String source) {
        if (tree == null || !tree.isObject()) {
            throw new dev.taskweave.core.config.ConfigException(source, "", 0, "not a results.json: the file holds no JSON object");
        }
        for (String field : BenchmarkResults.IDENTIFYING) {
            if (!tree.has(field)) {
                throw new dev.taskweave.core.config.ConfigException(source, field, 0, "not a results.json: missing");
            }
        }
        BenchmarkResults data;
        try {
            data = reader().treeToValue(tree, BenchmarkResults.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new dev.taskweave.core.config.ConfigException(source, "", 0, "not a results.json: " + dev.taskweave.core.config.ParserMessages.describeWithLocation(e));
        }
        checkReadable(data, source);
        if (data.configurations.isEmpty()) {
            throw new dev.taskweave.core.config.ConfigException(source, "configurations", 0, "not a results.json: the list is empty,"
                    + " there is nothing to report");
        }
        return data;
    }

    /**
     * @throws dev.taskweave.core.config.ConfigException naming the file and the field when results read back
     *     are of another format version or lack what the reports are drawn from
     */
    static void checkReadable(BenchmarkResults data, String source) {
        if (data == null) {
            throw new dev.taskweave.core.config.ConfigException(source, "", 0, "not a results.json: the file holds no JSON object");
        }
        if (data.formatVersion != 1) {
            throw new dev.taskweave.core.config.ConfigException(source, "formatVersion", 0, "this release reads format version 1, got "
                    + data.formatVersion);
        }
        if (data.configurations == null) {
            throw new dev.taskweave.core.config.ConfigException(source, "configurations", 0, "not a results.json: expected a list");
        }
        if (data.environment == null) {
            throw new dev.taskweave.core.config.ConfigException(source, "environment", 0, "not a results.json: expected an object, got null");
        }
        for (int i = 0; i < data.configurations.size(); i++) {
            BenchmarkResults.ConfigurationResult c = data.configurations.get(i);
            String path = "configurations[" + i + "]";
            if (c == null || c.name == null) {
                throw new dev.taskweave.core.config.ConfigException(source, path + ".name", 0, "not a results.json: missing");
            }
            if (c.seeds == null || c.seeds.isEmpty() || c.metrics == null || c.curves == null) {
                throw new dev.taskweave.core.config.ConfigException(source, path, 0, "not a results.json: "
                        + (c.seeds == null || c.seeds.isEmpty() ? "seeds" : c.metrics == null ? "metrics" : "curves") + " missing or empty");
            }
            // the reports read these whole: null (rather than left out, which reads as empty) would fail in them
            String nullField = c.singleTask == null ? "singleTask" : c.transfer == null ? "transfer" : c.noSingleTask == null
                    ? "noSingleTask" : null;
            if (nullField != null) {
                throw new dev.taskweave.core.config.ConfigException(source, path + "." + nullField, 0, "not a results.json: expected an"
                        + " object, got null");
            }
            for (java.util.Map.Entry<String, Transfer> t : c.transfer.entrySet()) {
                if (t.getValue() == null || t.getValue().verdict() == null) {
                    throw new dev.taskweave.core.config.ConfigException(source, path + ".transfer." + t.getKey()
                            + (t.getValue() == null ? "" : ".verdict"), 0, "not a results.json: missing");
                }
            }
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintStream log = log(out);
        if ((suite == null) == (results == null)) {
            throw new dev.taskweave.core.config.ConfigException(null, "--suite", 0, "give either --suite FILE (train and report) "
                    + "or --results FILE (report again)");
        }
        if (results != null) {
            // they steer trainings, and --results trains nothing: accepted, they would be ignored
            String training = quick ? "--quick" : stopAndGo.resume ? "--resume" : stopAndGo.maxTime != null ? "--max-time" : null;
            if (training != null) {
                throw new dev.taskweave.core.config.ConfigException(null, training, 0, "steers trainings, and --results trains nothing;"
                        + " leave it out");
            }
        }
        if (java.nio.file.Files.exists(output) && !java.nio.file.Files.isDirectory(output)) {
            throw new dev.taskweave.core.config.ConfigException(output.toString(), "--output", 0, "is a file; expected a directory for"
                    + " results.json and the reports");
        }
        OutputFiles.requireOwn(output, "taskweave benchmark", Benchmark.OWN);
        try (Taskweave taskweave = Taskweave.start(root.pluginDirectories())) {
            if (results != null) {
                com.fasterxml.jackson.databind.JsonNode tree;
                try {
                    tree = reader().readTree(results.toFile());
                } catch (java.io.IOException e) {
                    throw new dev.taskweave.core.config.ConfigException(results.toString(), "", 0, "not a results.json: " + e.getMessage());
                }
                BenchmarkResults data = readBack(tree, results.toString());
                Benchmark.Outcome outcome = new Benchmark(taskweave).write(data, output);
                out.printf("wrote %s, %s and %s%n", outcome.results(), outcome.markdown(), outcome.html());
                out.flush();
                return 0;
            }
            Suite loaded = Suite.load(suite, taskweave.injector().getInstance(ConfigLoader.class));
            String command = "taskweave benchmark --suite " + suite + " --output " + output + (quick ? " --quick" : "");
            Benchmark.Outcome outcome;
            try {
                outcome = new Benchmark(taskweave).run(loaded, quick, output, command, log, stopAndGo.resume, stopAndGo.maxTime);
            } catch (dev.taskweave.core.run.TrainingSuspendedException e) {
                return StopAndGo.suspended(out, "benchmark", e);
            }
            out.printf("wrote %s, %s and %s%n", outcome.results(), outcome.markdown(), outcome.html());
            out.flush();
        }
        return 0;
    }
}
