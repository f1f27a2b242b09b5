package dev.taskweave.core.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.taskweave.api.DataException;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.core.Taskweave;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.plugin.ExtensionKind;
import dev.taskweave.core.plugin.PluginConflictException;
import dev.taskweave.core.plugin.PluginFailureException;
import dev.taskweave.core.plugin.PluginInfo;
import dev.taskweave.core.plugin.ExtensionFailure;
import dev.taskweave.core.plugin.ExtensionRegistry;
import dev.taskweave.core.plugin.Registered;
import dev.taskweave.core.run.CheckpointException;
import dev.taskweave.core.run.Checkpointing;
import dev.taskweave.core.run.TrainingResult;
import dev.taskweave.core.run.TrainingSuspendedException;
import dev.taskweave.core.store.ModelStore;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code taskweave}: exit code 0 on success, 2 on bad input or configuration (one line on
 * stderr; a plugin that does not fit the installation, a {@link LinkageError} in it, counts as
 * bad input), 1 on an internal failure or a plugin's own failure (one line naming the plugin), 3 when {@code --max-time} ({@code train}, {@code benchmark},
 * {@code tune}) stopped training before its end (the checkpoint holds the run: run again with {@code --resume}).
 */
@Command(name = "taskweave", mixinStandardHelpOptions = true, versionProvider = TaskweaveCli.Version.class,
        description = "Multi-task learning for recommenders.",
        subcommands = {TaskweaveCli.Plugins.class, TaskweaveCli.Train.class, TaskweaveCli.Check.class, TaskweaveCli.Evaluate.class,
                TaskweaveCli.Predict.class, CommandLine.HelpCommand.class})
public final class TaskweaveCli {
    /** Exit code for bad input or configuration. */
    public static final int BAD_INPUT = 2;
    /** Exit code of {@code train}, {@code benchmark} or {@code tune} stopped by {@code --max-time}, to be resumed. */
    public static final int SUSPENDED = 3;

    // inherited, as --verbose: before the command or after it (taskweave check --plugins DIR ...); the
    // directories given in both places are all read (pluginDirectories()), where the field keeps only
    // the last place's
    @Option(names = "--plugins", paramLabel = "DIR", scope = CommandLine.ScopeType.INHERIT,
            description = "Plugin directory (repeatable). Default: $TASKWEAVE_PLUGINS, else the taskweave.plugins property "
                    + "(bin/taskweave: the distribution's plugins/). Replaces the default: to add a directory, give both.")
    List<Path> pluginDirectories = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    // inherited: "run with --verbose" works before the command and after it (taskweave check ... --verbose)
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of failures.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line and returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            // a JVM setting (JAVA_OPTS) read wherever batches are gathered: refused before any command runs
            dev.taskweave.core.data.FeatureGatherer.sparseHistoryWidth();
        } catch (IllegalArgumentException e) {
            err.println("taskweave: " + e.getMessage());
            return BAD_INPUT;
        }
        CommandLine cli = new CommandLine(new TaskweaveCli());
        for (CliExtension extension : ServiceLoader.load(CliExtension.class, TaskweaveCli.class.getClassLoader())) {
            if (!cli.getSubcommands().containsKey(extension.name())) {
                cli.addSubcommand(extension.name(), extension.command());
            }
        }
        // an empty path ("$DIR" of an unset variable) would read as the current directory: said at once, naming the option
        // (registered after the extensions' commands are added, so that it reaches them too)
        cli.registerConverter(Path.class, value -> {
            if (value.isEmpty()) {
                throw new CommandLine.TypeConversionException("expected a path, got an empty string");
            }
            return Path.of(value);
        });
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setParameterExceptionHandler((e, a) -> {
            // picocli checks required options before it reports what it did not match: a mistyped
            // --output would otherwise read as a missing one
            String unknown = e instanceof CommandLine.MissingParameterException ? unknownOption(e.getCommandLine(), a) : null;
            err.println("taskweave: " + (unknown != null ? "Unknown option: '" + unknown + "'" : e.getMessage()) + " (see --help)");
            return BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            TaskweaveCli root = commandLine.getCommandSpec().root().userObject() instanceof TaskweaveCli t ? t : null;
            if (isBadInput(e)) {
                err.println("taskweave: " + oneLine(withLine(e).getMessage()));
                if (root != null && root.verbose) {
                    e.printStackTrace(err);
                }
                return BAD_INPUT;
            }
            if (e instanceof PluginFailureException) {
                // a plugin's own bug: not Taskweave's, and the message names the plugin
                err.println("taskweave: " + oneLine(withLine(e).getMessage()));
                if (root != null && root.verbose) {
                    e.printStackTrace(err);
                } else {
                    err.println("taskweave: run with --verbose for the plugin's stack trace");
                }
                return 1;
            }
            err.println("taskweave: internal error: " + e);
            if (root != null && root.verbose) {
                e.printStackTrace(err);
            } else {
                err.println("taskweave: run with --verbose for the stack trace");
            }
            return 1;
        });
        try {
            return cli.execute(args);
        } catch (Error e) {
            // picocli hands the handler above exceptions only and rethrows an Error: one that a plugin's
            // code raised is a PluginFailureException already (PluginFailureException.guard), so this is
            // the JVM's (an OutOfMemoryError) or one outside any plugin. Said in a line, as other internal
            // errors are, not as the JVM's "Exception in thread main" with its trace.
            TaskweaveCli root = cli.getCommand();
            err.println("taskweave: internal error: " + oneLine(e.toString()));
            if (root.verbose) {
                e.printStackTrace(err);
            } else {
                err.println("taskweave: run with --verbose for the stack trace");
            }
            return 1;
        }
    }

    /**
     * @param command the command whose options were being read
     * @param args    the whole command line
     * @return the first {@code --name} on the command line that is neither an option of {@code command}
     *     nor of a command above it, or null
     */
    static String unknownOption(CommandLine command, String[] args) {
        java.util.Set<String> known = new java.util.HashSet<>();
        for (CommandLine c = command; c != null; c = c.getParent()) {
            known.addAll(c.getCommandSpec().optionsMap().keySet());
        }
        for (String arg : args) {
            if (arg.equals("--")) {
                return null; // what follows is positional
            }
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (name.startsWith("--") && name.length() > 2 && !known.contains(name)) {
                return name;
            }
        }
        return null;
    }

    /**
     * Bad input, exit 2: the configuration, the data, the checkpoint, or the installation (plugins
     * that clash, or a plugin that does not fit this Taskweave: a {@link LinkageError} in it). A
     * {@link DataException} a plugin throws is bad data too, also when it comes from a call made
     * while the model trains (a head's {@code loss()}: its message then names the plugin and the
     * path, {@link PluginFailureException#named(DataException)}). A plugin's other exceptions are
     * its own failure (exit 1, the message naming the plugin).
     */
    static boolean isBadInput(Throwable e) {
        return e instanceof ConfigException || e instanceof DataException || e instanceof InvalidConfigException
                || e instanceof PluginConflictException || e instanceof CheckpointException
                || e instanceof PluginFailureException p && p.incompatible();
    }

    /**
     * @return a configuration error found after its file was read (line unknown) at the line where
     *     its path is written, when its source is a YAML file that has it (a plugin's failure, or a
     *     data error of a plugin named as one, likewise: what to print); {@code e} otherwise
     */
    static Throwable withLine(Throwable e) {
        if (e instanceof ConfigException c && c.line() == 0 && c.source() != null && !c.path().isEmpty()) {
            int line = lineOf(c.source(), c.path());
            return line > 0 ? c.atLine(line) : e;
        }
        if (e instanceof PluginFailureException p && p.source() != null && p.path() != null && !p.path().isEmpty()) {
            // a plugin's failure names the file and path that chose it, and the line too, as a configuration error does
            return p.atLine(lineOf(p.source(), p.path()));
        }
        PluginFailureException named = e instanceof DataException d ? PluginFailureException.named(d) : null;
        if (named != null && named.source() != null && named.path() != null && !named.path().isEmpty()) {
            // the same message, the line added after the file
            return named.atLine(lineOf(named.source(), named.path()));
        }
        return e;
    }

    /** @return the line of {@code path} in {@code source} when it is a YAML file, else 0 */
    private static int lineOf(String source, String path) {
        if (!source.endsWith(".yaml") && !source.endsWith(".yml")) {
            return 0;
        }
        try {
            Path file = Path.of(source);
            return Files.isRegularFile(file) ? dev.taskweave.core.config.ConfigLines.lineOf(file, path) : 0;
        } catch (java.nio.file.InvalidPathException ignored) {
            return 0;
        }
    }

    private static String oneLine(String message) {
        return message == null ? "failed" : message.replace('\n', ' ');
    }

    /**
     * @return the plugin directories: {@code --plugins} (before the command and after it), else
     *         {@code $TASKWEAVE_PLUGINS}, else the {@code taskweave.plugins} system property
     * @throws ConfigException naming where a directory came from when it does not exist or is no directory
     */
    public List<Path> pluginDirectories() {
        return pluginDirectories(given(), System.getenv("TASKWEAVE_PLUGINS"), System.getProperty("taskweave.plugins"));
    }

    /** @return the directories of every {@code --plugins} on the command line, before the command and after it, in order */
    private List<Path> given() {
        CommandLine.ParseResult result = spec == null ? null : spec.commandLine().getParseResult();
        if (result == null) {
            return pluginDirectories;
        }
        List<Path> given = new ArrayList<>();
        // the option inherited by a command is another option of picocli's, which sets the same field anew
        for (CommandLine.ParseResult r = result; r != null; r = r.subcommand()) {
            CommandLine.Model.OptionSpec option = r.matchedOption("--plugins");
            if (option != null) {
                for (String value : option.stringValues()) {
                    given.add(Path.of(value));
                }
            }
        }
        return given;
    }

    /**
     * @param given    the {@code --plugins} directories
     * @param env      {@code $TASKWEAVE_PLUGINS}, or null
     * @param property the {@code taskweave.plugins} system property, or null
     * @return the plugin directories: {@code given}, else those of {@code env}, else those of {@code property}
     * @throws ConfigException naming where a directory came from when it does not exist or is no directory
     */
    static List<Path> pluginDirectories(List<Path> given, String env, String property) {
        List<Path> dirs = new ArrayList<>();
        String from;
        String note;
        if (!given.isEmpty()) {
            dirs.addAll(given);
            from = "--plugins";
            note = "";
        } else {
            boolean fromEnv = env != null && !env.isBlank();
            String value = fromEnv ? env : property;
            if (value == null || value.isBlank()) {
                throw new ConfigException(null, "--plugins", 0, "no plugin directory: pass --plugins DIR or set TASKWEAVE_PLUGINS");
            }
            for (String part : value.split(java.io.File.pathSeparator)) {
                if (!part.isBlank()) {
                    dirs.add(Path.of(part));
                }
            }
            from = fromEnv ? "TASKWEAVE_PLUGINS" : "taskweave.plugins";
            note = fromEnv ? " (TASKWEAVE_PLUGINS is '" + env + "': directories separated by '" + java.io.File.pathSeparator + "')"
                    : " (the taskweave.plugins property, which bin/taskweave sets to $TASKWEAVE_PLUGINS, else to the distribution's"
                            + " plugins directory)";
        }
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                throw new ConfigException(null, from, 0, "plugins directory " + dir
                        + (Files.exists(dir) ? " is not a directory" : " does not exist") + note);
            }
        }
        return dirs;
    }

    static ObjectMapper json() {
        return new ObjectMapper().registerModule(dev.taskweave.core.store.NonFiniteJson.module()).enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** Lists the loaded plugins and the types each provides. */
    @Command(name = "plugins", mixinStandardHelpOptions = true, description = {"List the discovered plugins and the type names each provides.",
            "Exits with 2 when an extension failed to load (listed as FAILED) or a name is provided twice (listed as clash)."})
    static final class Plugins implements Callable<Integer> {
        @ParentCommand
        TaskweaveCli root;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            // a name provided twice stops every other command: listed here with what loaded, not refused
            try (Taskweave tw = Taskweave.startListing(root.pluginDirectories())) {
                PrintWriter out = spec.commandLine().getOut();
                ExtensionRegistry registry = tw.registry();
                for (PluginInfo p : registry.plugins().values()) {
                    out.printf("%s %s  %s%n", p.id(), p.version(), p.description() == null ? "" : p.description());
                    out.printf("  from %s%n", p.location());
                    for (Map.Entry<String, List<String>> e : p.types().entrySet()) {
                        out.printf("  %-17s %s%n", e.getKey() + ":", String.join(", ", e.getValue()));
                    }
                    for (ExtensionKind kind : ExtensionKind.values()) {
                        for (String type : p.types().getOrDefault(kind.label(), List.of())) {
                            String description = description(registry.find(kind, type));
                            if (!description.isEmpty()) {
                                out.printf("    %s %s: %s%n", kind.label(), type, description);
                            }
                        }
                    }
                    for (ExtensionFailure f : registry.failures()) {
                        if (f.pluginId().equals(p.id())) {
                            out.printf("  FAILED %s: %s%n", f.className(), f.reason());
                        }
                    }
                }
                out.println();
                for (ExtensionKind kind : ExtensionKind.values()) {
                    out.printf("%-17s %s%n", kind.label() + ":", String.join(", ", registry.types(kind)));
                }
                out.printf("%-17s %s%n", "metric:", String.join(", ", tw.metricNames()));
                // the failed extensions are listed as FAILED above: the other warnings only
                java.util.Set<String> listed = registry.failures().stream().map(ExtensionFailure::toString)
                        .collect(java.util.stream.Collectors.toSet());
                List<String> warnings = registry.warnings().stream().filter(w -> !listed.contains(w)).toList();
                if (!warnings.isEmpty()) {
                    out.println();
                    for (String warning : warnings) {
                        out.println("warning: " + warning);
                    }
                }
                if (!registry.clashes().isEmpty()) {
                    out.println();
                    for (String clash : registry.clashes()) {
                        out.println("clash: " + clash);
                    }
                }
                out.flush();
                // a broken installation: a plugin's CI (or a deployment check) should stop here, not read the listing
                PrintWriter err = spec.commandLine().getErr();
                if (!registry.unloaded().isEmpty()) {
                    // a broken or truncated jar: the plugin it should have been is missing altogether
                    err.printf("%d file%s in the plugins directories could not be loaded as plugins (warnings above)%n",
                            registry.unloaded().size(), registry.unloaded().size() == 1 ? "" : "s");
                }
                int failed = registry.failures().size();
                if (failed > 0) {
                    err.printf("%d extension%s failed to load (FAILED above): %s%n", failed, failed == 1 ? "" : "s",
                            String.join("; ", registry.failures().stream().map(f -> f.className() + " of plugin " + f.pluginId()).toList()));
                }
                int clashes = registry.clashes().size();
                if (clashes > 0) {
                    err.printf("%d name%s provided twice (clash above): every other command refuses to start until %s resolved%n",
                            clashes, clashes == 1 ? "" : "s", clashes == 1 ? "it is" : "they are");
                }
                err.flush();
                if (failed > 0 || !registry.unloaded().isEmpty() || clashes > 0) {
                    return 2;
                }
            }
            return 0;
        }
    }

    /** @return a factory's one-line description, or an empty string when it has none or fails to give one */
    @SuppressWarnings("rawtypes")
    private static String description(Registered<?> registered) {
        if (registered == null) {
            return "";
        }
        try {
            String d = registered.call(null, null, "description()", () -> ((dev.taskweave.api.ExtensionFactory) registered.factory()).description());
            return d == null ? "" : d.strip().replace('\n', ' ');
        } catch (PluginFailureException e) {
            return "(description() failed: " + e.getCause() + ")";
        }
    }

    /** Trains from an experiment file. */
    @Command(name = "train", mixinStandardHelpOptions = true, description = "Train a multi-task model from an experiment YAML file.")
    static final class Train implements Callable<Integer> {
        @ParentCommand
        TaskweaveCli root;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--config", required = true, paramLabel = "FILE", description = "The experiment YAML file.")
        Path config;

        @Option(names = "--output", required = true, paramLabel = "DIR",
                description = "Where to write the model and metrics.json (replaced atomically): a new or empty directory, "
                        + "or a model directory.")
        Path output;

        @Option(names = "--checkpoint", paramLabel = "FILE",
                description = "Save training's state here after every epoch (atomically); removed once the model is written. "
                        + "An existing file is refused unless resuming.")
        Path checkpoint;

        @Option(names = "--resume", description = "Go on from the --checkpoint file (same experiment and data) as if training "
                + "had not stopped; without the file (stopped before its first epoch ended), start from epoch 1.")
        boolean resume;

        @Option(names = "--max-time", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "With --checkpoint: stop once an epoch (or a distillation teacher) ends this long after the "
                        + "command started, reading the data included (90m, 2h, 1h30m, 45s), exit code 3; resume with --resume.")
        Duration maxTime;

        @Override
        public Integer call() throws IOException {
            requireFile(config);
            if ((resume || maxTime != null) && checkpoint == null) {
                throw new ConfigException(null, resume ? "--resume" : "--max-time", 0, "needs --checkpoint FILE");
            }
            Checkpointing checkpointing = checkpoint == null ? null : new Checkpointing(checkpoint, resume, maxTime);
            // before the plugins load and the data is read: a bad --output or --checkpoint costs a second, not a training
            Taskweave.checkTrainingTargets(output, checkpointing);
            try (Taskweave tw = Taskweave.start(root.pluginDirectories())) {
                PrintWriter out = spec.commandLine().getOut();
                TrainingResult result;
                try {
                    result = tw.train(config, output, logTo(out), checkpointing);
                } catch (TrainingSuspendedException e) {
                    out.println(e.getMessage());
                    out.flush();
                    return SUSPENDED;
                }
                int epochs = result.history().size();
                if (result.readBack()) {
                    // nothing to resume: the finished run's model stays, and nothing was trained now
                    out.printf(Locale.ROOT, "model and metrics in %s unchanged (trained before: %d epoch%s, best %d)%n",
                            output, epochs, epochs == 1 ? "" : "s", result.bestEpoch());
                } else {
                    out.printf(Locale.ROOT, "trained %d epoch%s (best %d) in %.1f s; model and metrics in %s%n",
                            epochs, epochs == 1 ? "" : "s", result.bestEpoch(), result.trainSeconds(), output);
                }
                out.println(json().writeValueAsString(result.metrics()));
                out.flush();
            }
            return 0;
        }
    }

    /** Validates an experiment, reads its data, builds its graph and runs one training step that updates nothing. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate an experiment and read its data without training: entities, splits, features and each task's labels;"
                    + " build the model and run one dry training step on the first batch (forward, losses, backward, then the"
                    + " scores, metrics, gradient telemetry, gate usage and the weighting's epoch end and state that follow an"
                    + " epoch; nothing updated or written),"
                    + " so that a plugin's failure shows here rather than during train's first epoch.")
    static final class Check implements Callable<Integer> {
        @ParentCommand
        TaskweaveCli root;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--config", required = true, paramLabel = "FILE", description = "The experiment YAML file.")
        Path config;

        @Option(names = "--against", paramLabel = "DIR", description = "A trained model: also report what the data holds "
                + "that it has not seen (users, items, category values, moved scales, label means).")
        Path against;

        @Override
        public Integer call() {
            requireFile(config);
            if (against != null) {
                // before the data is read and the graph built
                dev.taskweave.core.store.ModelStore.requireModelDirectory(against);
            }
            try (Taskweave tw = Taskweave.start(root.pluginDirectories())) {
                PrintWriter out = spec.commandLine().getOut();
                String report = tw.check(config, against, logTo(out), true);
                out.print(report);
                out.flush();
            }
            return 0;
        }
    }

    /** Evaluates a saved model. */
    @Command(name = "evaluate", mixinStandardHelpOptions = true,
            description = "Evaluate a trained model on its data's splits; prints the metrics as JSON.")
    static final class Evaluate implements Callable<Integer> {
        @ParentCommand
        TaskweaveCli root;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model directory written by train.")
        Path model;

        @Option(names = "--output", paramLabel = "FILE", description = "Also write the metrics JSON to this file (atomically).")
        Path output;

        @Override
        public Integer call() throws IOException {
            dev.taskweave.core.store.ModelStore.requireModelDirectory(model);
            if (output != null) {
                // before the data is read and the model evaluated (a directory was found after); a link is written through
                output = dev.taskweave.core.store.AtomicDirectory.outputFile(output, "--output");
            }
            try (Taskweave tw = Taskweave.start(root.pluginDirectories())) {
                String metrics = json().writeValueAsString(tw.evaluate(model));
                spec.commandLine().getOut().println(metrics);
                spec.commandLine().getOut().flush();
                if (output != null) {
                    Taskweave.writeAtomically(output, metrics + "\n");
                }
            }
            return 0;
        }
    }

    /** Scores (user, item) pairs. */
    @Command(name = "predict", mixinStandardHelpOptions = true,
            description = "Score (user, item) pairs from a TSV file (user<TAB>item per line) for every task.")
    static final class Predict implements Callable<Integer> {
        @ParentCommand
        TaskweaveCli root;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model directory written by train.")
        Path model;

        @Option(names = "--input", required = true, paramLabel = "FILE", description = "TSV of user and item ids, optional header; "
                + "a header may name context columns after item, which the output repeats, as given, after the scores.")
        Path input;

        @Option(names = "--output", paramLabel = "FILE", description = "Write the scores here (atomically) instead of standard output.")
        Path output;

        @Option(names = "--tasks", split = ",", paramLabel = "TASK", description = "Tasks to output (default: all).")
        List<String> tasks = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            // before the plugins start, the model loads and every pair is scored
            dev.taskweave.core.store.ModelStore.requireModelDirectory(model);
            Taskweave.requirePairsFile(input);
            Path given = output; // messages name the file as it was given
            if (output != null) {
                // a link is written through
                output = dev.taskweave.core.store.AtomicDirectory.outputFile(output, "--output");
            }
            try (Taskweave tw = Taskweave.start(root.pluginDirectories())) {
                if (output == null) {
                    // picocli's writer (and System.out under it) swallow write errors: a full disk or a
                    // closed pipe would end with exit 0 and the scores cut off
                    Writer out = new BufferedWriter(new CheckedWriter(spec.commandLine().getOut()));
                    try {
                        tw.predict(model, input, out, tasks);
                        out.flush();
                    } catch (CheckedWriter.Failed e) {
                        spec.commandLine().getErr().println("taskweave: " + e.getMessage());
                        return 1;
                    }
                } else {
                    // streamed into the output's temporary sibling, renamed into place once every row is written
                    int[] rows = {0};
                    dev.taskweave.core.store.AtomicDirectory.writeFile(output, temp -> {
                        try (Writer out = java.nio.file.Files.newBufferedWriter(temp, java.nio.charset.StandardCharsets.UTF_8)) {
                            rows[0] = tw.predict(model, input, out, tasks);
                        }
                    });
                    spec.commandLine().getErr().printf("scored %d pair%s into %s%n", rows[0], rows[0] == 1 ? "" : "s", given);
                }
            }
            return 0;
        }
    }

    /**
     * Reads a duration as hours, minutes and seconds ({@code 2h}, {@code 90m}, {@code 1h30m},
     * {@code 45s}) or ISO-8601 ({@code PT2H}).
     */
    public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        private static final java.util.regex.Pattern PARTS = java.util.regex.Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

        /** The longest duration taken: beyond it a time limit means nothing (and elapsed nanoseconds overflow). */
        public static final Duration MAX = Duration.ofDays(10_000);

        @Override
        public Duration convert(String value) {
            java.util.regex.Matcher m = PARTS.matcher(value.strip());
            Duration parsed;
            if (!value.isBlank() && m.matches()) {
                try {
                    parsed = Duration.ofHours(part(m.group(1))).plusMinutes(part(m.group(2))).plusSeconds(part(m.group(3)));
                } catch (ArithmeticException | NumberFormatException e) {
                    throw tooLong(value);
                }
            } else {
                try {
                    parsed = Duration.parse(value.strip());
                } catch (java.time.format.DateTimeParseException e) {
                    throw new CommandLine.TypeConversionException("expected a duration such as 90m, 2h, 1h30m or 45s, got '" + value + "'");
                }
            }
            if (parsed.isNegative()) {
                throw new CommandLine.TypeConversionException("expected a duration that is not negative, got '" + value + "'");
            }
            if (parsed.compareTo(MAX) > 0) {
                throw tooLong(value);
            }
            return parsed;
        }

        private static CommandLine.TypeConversionException tooLong(String value) {
            return new CommandLine.TypeConversionException("expected a duration of at most " + MAX.toDays() + " days, got '" + value + "'");
        }

        private static long part(String digits) {
            return digits == null ? 0 : Long.parseLong(digits);
        }
    }

    /** @throws ConfigException naming the file when the experiment file does not exist or is a directory */
    private static void requireFile(Path config) {
        if (Files.isDirectory(config)) {
            throw new ConfigException(config.toString(), "", 0, "is a directory; expected the experiment YAML file");
        }
        if (!Files.isRegularFile(config)) {
            throw new ConfigException(config.toString(), "", 0, Files.exists(config)
                    ? "is not a regular file; expected the experiment YAML file" : "file not found");
        }
    }

    /**
     * @return a stream for log lines that writes where a command's output goes, decoding its UTF-8
     *     a line at a time (a byte at a time, a name like 'café' would print as 'cafÃ©')
     */
    public static PrintStream logTo(PrintWriter out) {
        return new PrintStream(new WriterOutputStream(out), true, StandardCharsets.UTF_8);
    }

    /** Reports the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"taskweave " + ModelStore.version()};
        }
    }

    /** Writes to a {@link PrintWriter} and fails, instead of going on silently, once the writer has met an error. */
    static final class CheckedWriter extends Writer {
        /** The output could not be written. */
        static final class Failed extends java.io.IOException {
            Failed() {
                super("writing to standard output failed (a full disk, or a pipe closed by its reader); the output is incomplete");
            }
        }

        private final PrintWriter out;

        CheckedWriter(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void write(char[] chars, int offset, int length) throws java.io.IOException {
            out.write(chars, offset, length);
            if (out.checkError()) { // flushes: called once per buffer of the BufferedWriter around it
                throw new Failed();
            }
        }

        @Override
        public void flush() throws java.io.IOException {
            if (out.checkError()) {
                throw new Failed();
            }
        }

        @Override
        public void close() throws java.io.IOException {
            flush();
        }
    }

    /** Adapts the picocli writer so training logs go where the command's output goes. */
    private static final class WriterOutputStream extends java.io.OutputStream {
        private final PrintWriter writer;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        WriterOutputStream(PrintWriter writer) {
            this.writer = writer;
        }

        @Override
        public void write(int b) {
            line.write(b);
            if (b == '\n') {
                flush();
            }
        }

        @Override
        public void flush() {
            writer.print(line.toString(StandardCharsets.UTF_8));
            writer.flush();
            line.reset();
        }
    }
}
