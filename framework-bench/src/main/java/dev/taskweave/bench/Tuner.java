package dev.taskweave.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskweave.core.Taskweave;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.config.ExperimentConfig;
import dev.taskweave.core.metric.MetricRegistry;
import dev.taskweave.core.run.TrainingResult;
import dev.taskweave.core.store.ModelStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Runs the trials of a {@link Tuning}: each trial trains the experiment with its settings once
 * per seed, is judged by the mean of the validation objective over those seeds, and keeps its
 * models. With {@code confirm}, the experiment as written and the best trial's settings then train
 * on fresh seeds and their test metrics are compared. Writes {@code tune.json}, {@code report.md}
 * and {@code best.yaml} (the experiment with the best trial's settings) atomically.
 */
public final class Tuner {
    public static final String RESULTS = "tune.json";
    public static final String MARKDOWN = "report.md";
    public static final String BEST = "best.yaml";

    /** The files a search replaces or removes in its output, each as tune writes it (unchanged since the first release). */
    static final List<OutputFiles.Owned> OWN = List.of(OutputFiles.jsonWith(RESULTS, "objective", "trials"),
            OutputFiles.startingWith(MARKDOWN, "# Tuning: "), OutputFiles.startingWith(BEST, "# taskweave tune:"));

    private final Taskweave taskweave;
    // the trainings of the search being run
    private ResumableRuns runs;

    public Tuner(Taskweave taskweave) {
        this.taskweave = requireNonNull(taskweave, "taskweave is null");
    }

    /**
     * The files written.
     *
     * @param results  {@code tune.json}
     * @param markdown {@code report.md}
     * @param best     {@code best.yaml}, or null when no trial measured the objective
     * @param data     what {@code tune.json} holds
     */
    public record Outcome(Path results, Path markdown, Path best, TuneResults data) {}

    /**
     * Runs every trial, then the confirmation if the tuning file asks for one, and writes the outputs.
     *
     * @param output  where the models ({@code trials/trial-NNN/seed-S}, {@code confirm/...}) and the
     *                three files go
     * @param command the command line, recorded
     * @param log     one line per trial
     * @param resume  reuse a trial's model already in {@code output} when it was trained with the
     *                same experiment (settings and seed); a model there of other settings is an
     *                error, so an interrupted search is continued, never mixed with another
     */
    public Outcome run(Tuning tuning, Path output, String command, PrintStream log, boolean resume) {
        return run(tuning, output, command, log, resume, null);
    }

    /**
     * As {@link #run(Tuning, Path, String, PrintStream, boolean)}; every training checkpoints beside
     * its model, so with {@code resume} a stopped trial goes on from its last epoch.
     *
     * @param maxTime null, or stop at the first epoch end after this much time in this call
     * @throws dev.taskweave.core.run.TrainingSuspendedException when {@code maxTime} ran out
     */
    public Outcome run(Tuning tuning, Path output, String command, PrintStream log, boolean resume, java.time.Duration maxTime) {
        runs = new ResumableRuns(taskweave, resume, maxTime, log);
        runs.checkNoInterruptedRun(output);
        if (!resume) {
            clearEarlierSearch(output, tuning.points().size(), log);
        }
        Tuning.Objective objective = tuning.objective();
        boolean maximize = objective.goal() != null ? objective.goal().equals("maximize")
                : BenchmarkRunner.higherIsBetter(taskweave.injector().getInstance(MetricRegistry.class), objective.keys().get(0));
        TuneResults results = new TuneResults();
        results.name = tuning.config().name;
        results.description = tuning.config().description;
        results.command = command;
        results.createdAt = Instant.now().toString();
        results.experiment = tuning.experimentFile().toString();
        results.objective = tuning.config().objective;
        results.goal = maximize ? "maximize" : "minimize";
        results.search = tuning.config().search;
        results.seeds.addAll(tuning.seeds());
        List<Map<String, JsonNode>> points = tuning.points();
        TuneResults.Trial best = null;
        for (int i = 0; i < points.size(); i++) {
            Ran ran = runTrial(tuning, i, output);
            TuneResults.Trial trial = ran.trial();
            results.trials.add(trial);
            if (beats(trial, best, maximize)) {
                best = trial;
            }
            log.printf(Locale.ROOT, "[trial %d/%d] %s: %s %s (best %s, trial %s) %.1f s%s%n", i + 1, points.size(), describe(trial.parameters),
                    tuning.config().objective, describeObjective(trial, tuning.seeds()), best == null ? "-" : format(best.objective),
                    best == null ? "-" : String.valueOf(best.trial), trial.trainSeconds,
                    ran.resumed() == 0 ? "" : ran.resumed() == tuning.seeds().size() ? ", resumed"
                            : ", " + ran.resumed() + " of its seeds resumed");
        }
        if (best != null) {
            results.best = new TuneResults.Best();
            results.best.trial = best.trial;
            results.best.parameters.putAll(best.parameters);
            results.best.objective = best.objective;
            results.best.models.addAll(best.models);
            if (tuning.config().confirm != null) {
                results.confirmation = confirm(tuning, results.best, output, log);
            }
        }
        return write(tuning, results, output);
    }

    /**
     * A trial's outcome.
     *
     * @param resumed how many of its seeds reused a model already in the output
     */
    private record Ran(TuneResults.Trial trial, int resumed) {}

    private Ran runTrial(Tuning tuning, int index, Path output) {
        Map<String, JsonNode> point = tuning.points().get(index);
        Tuning.Objective objective = tuning.objective();
        TuneResults.Trial trial = new TuneResults.Trial();
        trial.trial = index + 1;
        trial.parameters.putAll(point);
        int n = tuning.seeds().size();
        List<Map<String, Double>> validBySeed = new ArrayList<>();
        double seconds = 0;
        double epochs = 0;
        int resumed = 0;
        for (long seed : tuning.seeds()) {
            ExperimentConfig config;
            try {
                config = tuning.experiment(point);
            } catch (ConfigException e) {
                throw new ConfigException(tuning.file().toString(), "parameters", 0, "trial " + trial.trial + " (" + describe(point)
                        + ") does not fit the experiment: " + e.getMessage());
            }
            config.seed = seed;
            config.training.progressBar = false;
            String model = "trials/" + String.format(Locale.ROOT, "trial-%03d", trial.trial) + "/seed-" + seed;
            Trained run = train(tuning, config, output.resolve(model));
            resumed += run.resumed() ? 1 : 0;
            seconds += run.seconds();
            epochs += run.epochs();
            Map<String, Map<String, Double>> metrics = run.metrics().getOrDefault("valid", Map.of());
            trial.models.add(model);
            Map<String, Double> flat = new LinkedHashMap<>();
            metrics.forEach((task, values) -> values.forEach((metric, v) -> flat.put(task + "." + metric, v)));
            for (String key : objective.keys()) {
                if (!flat.containsKey(key)) {
                    throw new ConfigException(tuning.file().toString(), "objective", 0, "the trial's runs do not measure valid." + key
                            + " (does the data have a validation split, and does the task report the metric?); validation gave "
                            + flat.keySet());
                }
            }
            validBySeed.add(flat);
        }
        measure(trial, objective, validBySeed);
        trial.trainSeconds = seconds / n;
        trial.epochs = epochs / n;
        return new Ran(trial, resumed);
    }

    /**
     * Sets a trial's {@code values} (the objective per seed, null where it is not finite),
     * {@code objective} (their mean; null when a seed's value is not finite, so that a diverged
     * seed leaves the trial unmeasured and ranked last instead of averaged away by the others) and
     * {@code valid} (each metric's mean over seeds, null likewise).
     *
     * @param validBySeed per seed, in seed order, its validation metrics by {@code task.metric}
     */
    static void measure(TuneResults.Trial trial, Tuning.Objective objective, List<Map<String, Double>> validBySeed) {
        Map<String, List<Double>> valid = new LinkedHashMap<>();
        for (int s = 0; s < validBySeed.size(); s++) {
            int seed = s;
            validBySeed.get(s).forEach((key, v) -> valid.computeIfAbsent(key,
                    k -> new ArrayList<>(java.util.Collections.nCopies(validBySeed.size(), (Double) null))).set(seed, v));
            double v = objective.value(validBySeed.get(s));
            trial.values.add(Double.isFinite(v) ? v : null);
        }
        valid.forEach((key, values) -> trial.valid.put(key, mean(values)));
        trial.objective = mean(trial.values);
    }

    /**
     * @return whether {@code trial} becomes the best so far: never when its objective is not
     *         measured (a seed's value not finite), else when it beats {@code best} strictly
     */
    static boolean beats(TuneResults.Trial trial, TuneResults.Trial best, boolean maximize) {
        return trial.objective != null && (best == null || best.objective == null || better(trial.objective, best.objective, maximize));
    }

    /**
     * Trains the experiment as written and the best trial's settings on the confirmation seeds
     * ({@code confirm/baseline/seed-S}, {@code confirm/best/seed-S}) and compares their metrics on
     * every split but validation.
     */
    private TuneResults.Confirmation confirm(Tuning tuning, TuneResults.Best best, Path output, PrintStream log) {
        TuneResults.Confirmation c = new TuneResults.Confirmation();
        c.seeds.addAll(tuning.config().confirm.seeds);
        log.printf(Locale.ROOT, "[confirm] the experiment as written against trial %d, seeds %s%n", best.trial, c.seeds);
        // the best trial's settings may be the experiment's own (each searched value the one it has): the
        // same runs twice would only tie
        boolean same = tuning.isExperimentAsWritten(best.parameters);
        if (same) {
            log.printf(Locale.ROOT, "[confirm] trial %d's settings are the experiment as written: trained once per seed,"
                    + " compared with itself%n", best.trial);
        }
        Map<String, List<Double>> baseline = new LinkedHashMap<>();
        Map<String, List<Double>> chosen = new LinkedHashMap<>();
        for (int s = 0; s < c.seeds.size(); s++) {
            long seed = c.seeds.get(s);
            for (boolean isBest : same ? new boolean[] {false} : new boolean[] {false, true}) {
                ExperimentConfig config = tuning.experiment(isBest ? best.parameters : Map.of());
                config.seed = seed;
                config.training.progressBar = false;
                String model = "confirm/" + (isBest ? "best" : "baseline") + "/seed-" + seed;
                BenchmarkRunner.collect(train(tuning, config, output.resolve(model)).metrics(), isBest ? chosen : baseline, null, s,
                        c.seeds.size());
                (isBest ? c.bestModels : c.baselineModels).add(model);
            }
        }
        if (same) {
            baseline.forEach((key, values) -> chosen.put(key, new java.util.ArrayList<>(values)));
            c.bestModels.addAll(c.baselineModels);
        }
        baseline.forEach((key, values) -> c.baseline.put(key, Summary.of(values)));
        chosen.forEach((key, values) -> c.best.put(key, Summary.of(values)));
        MetricRegistry registry = taskweave.injector().getInstance(MetricRegistry.class);
        c.best.forEach((key, summary) -> {
            Summary before = c.baseline.get(key);
            // a value that is not finite makes the comparison "not measured", never a tie or better
            if (before != null) {
                c.comparison.put(key, TuneResults.Comparison.of(before, summary, BenchmarkRunner.higherIsBetter(registry, key)));
            }
        });
        Map<String, Long> verdicts = c.comparison.values().stream()
                .collect(Collectors.groupingBy(TuneResults.Comparison::verdict, Collectors.counting()));
        long notMeasured = verdicts.getOrDefault(Transfer.NOT_MEASURED, 0L);
        long oneSeed = verdicts.getOrDefault(Transfer.ONE_SEED, 0L);
        long ties = verdicts.getOrDefault("tie", 0L);
        log.printf(Locale.ROOT, "[confirm] %d metric%s: %d better, %d tie%s, %d worse%s%s with trial %d's settings%n", c.comparison.size(),
                c.comparison.size() == 1 ? "" : "s", verdicts.getOrDefault("better", 0L), ties, ties == 1 ? "" : "s",
                verdicts.getOrDefault("worse", 0L),
                notMeasured == 0 ? "" : ", " + notMeasured + " not measured (a seed's value is not finite)",
                oneSeed == 0 ? "" : ", " + oneSeed + " with one seed (no standard deviation: no verdict)", best.trial);
        return c;
    }

    /**
     * One training run of the search, or a model a previous run of it left.
     *
     * @param metrics per split, task and metric, as {@code metrics.json} holds them
     * @param seconds its training seconds
     * @param epochs  the epochs it trained
     * @param resumed whether it was read back instead of trained
     */
    private record Trained(Map<String, Map<String, Map<String, Double>>> metrics, double seconds, int epochs, boolean resumed) {}

    /** Trains {@code config} into {@code directory}, or when resuming reads back the model already there. */
    private Trained train(Tuning tuning, ExperimentConfig config, Path directory) {
        ResumableRuns.Run run = runs.train(config, tuning.experimentFile(), directory);
        TrainingResult r = run.result();
        return new Trained(r.metrics(), r.trainSeconds(), r.history().size(), run.readBack());
    }

    /** @return the mean of one value per seed, or null when one is missing or not finite (not measured) */
    private static Double mean(List<Double> values) {
        return values.isEmpty() ? null : Summary.of(values).mean();
    }

    /**
     * @return the trial's objective for the log and report: its mean, or which seeds did not
     *         measure it and that the trial therefore ranks last
     */
    /**
     * Checks the objective against the installed metrics, before anything trains: refuses a metric
     * no plugin provides (a ranking metric aside, which a task reports beside its own), found
     * otherwise only once the first trial trained; and a {@code goal} against the direction of the
     * one metric the objective is: it would choose the worst trial ({@code goal: maximize} on an RMSE).
     *
     * @throws ConfigException naming the tuning file's objective or goal
     */
    static void checkObjective(Tuning tuning, MetricRegistry registry) {
        Tuning.Objective objective = tuning.objective();
        for (String key : objective.keys()) {
            String task = key.substring(0, key.indexOf('.'));
            String metric = key.substring(key.indexOf('.') + 1);
            if (!Tuning.RANKING.matcher(metric).matches() && registry.find(metric) == null) {
                throw new ConfigException(tuning.file().toString(), "objective", 0, "unknown metric '" + metric + "' of task '" + task
                        + "'; available: " + registry.names());
            }
        }
        String written = tuning.config().objective == null ? "" : tuning.config().objective.strip();
        boolean single = objective.formula().tasks().size() == 1 && written.equals(objective.formula().tasks().get(0));
        if (!single || objective.goal() == null) {
            return;
        }
        boolean higher = BenchmarkRunner.higherIsBetter(registry, objective.keys().get(0));
        if (objective.goal().equals("maximize") != higher) {
            throw new ConfigException(tuning.file().toString(), "goal", 0, objective.goal() + " would choose"
                    + " the worst trial: " + written + " is " + (higher ? "higher" : "lower") + "-is-better; remove goal (a single"
                    + " metric follows its own direction) or use " + (higher ? "maximize" : "minimize"));
        }
    }

    static String describeObjective(TuneResults.Trial trial, List<Long> seeds) {
        if (trial.objective != null) {
            return format(trial.objective);
        }
        List<String> missing = Summary.of(trial.values).unmeasured(seeds).stream().map(String::valueOf).toList();
        return "not finite on seed" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing) + " (diverged?), ranked last";
    }

    private static boolean better(double a, double b, boolean maximize) {
        return maximize ? a > b : a < b;
    }

    /** @return {@code path=value, path=value} */
    static String describe(Map<String, JsonNode> point) {
        return point.entrySet().stream().map(e -> e.getKey() + "=" + text(e.getValue())).collect(Collectors.joining(", "));
    }

    /** @return a value as YAML would show it: strings without quotes, anything else as JSON */
    static String text(JsonNode value) {
        return value == null ? "-" : value.isTextual() ? value.asText() : value.toString();
    }

    /** @return a confirmation's {@code mean ± std}, or which seeds did not measure it */
    private static String confirmed(Summary s, List<Long> seeds) {
        return s.measured() ? String.format(Locale.ROOT, "%.4f ± %.4f", s.mean(), s.std()) : MarkdownReport.format(s, seeds);
    }

    private static String format(Double v) {
        return v == null || v.isNaN() ? "not measured" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** A trial's directory under {@code trials/}. */
    private static final java.util.regex.Pattern TRIAL = java.util.regex.Pattern.compile("trial-(\\d+)");

    /**
     * A new search (no {@code --resume}) into an output that holds an earlier one: its results go
     * first, so that a stop before the new ones are written leaves none that name models the new
     * search has trained over; and the trials beyond the new search's last, which it would not
     * replace, go too. The trials it will train again are replaced as each is trained.
     */
    private static void clearEarlierSearch(Path output, int trials, PrintStream log) {
        try {
            boolean earlier = false;
            for (String file : List.of(RESULTS, MARKDOWN, BEST)) {
                earlier |= Files.deleteIfExists(output.resolve(file));
            }
            Path dir = output.resolve("trials");
            if (Files.isDirectory(dir)) {
                try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
                    for (Path trial : entries.toList()) {
                        java.util.regex.Matcher m = TRIAL.matcher(trial.getFileName().toString());
                        if (m.matches() && Integer.parseInt(m.group(1)) > trials) {
                            earlier = true;
                            dev.taskweave.core.store.AtomicDirectory.delete(trial);
                        }
                    }
                }
            }
            if (earlier) {
                log.println("--output " + output + " held an earlier search: its results and the trials beyond this search's "
                        + trials + " are removed (--resume continues a search instead)");
            }
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            throw new dev.taskweave.core.config.ConfigException(output.toString(), "", 0, "cannot remove the earlier search's results: "
                    + e.getMessage());
        }
    }

    private Outcome write(Tuning tuning, TuneResults results, Path output) {
        Path resultsFile = output.resolve(RESULTS);
        Path markdownFile = output.resolve(MARKDOWN);
        String bestYaml = null;
        if (results.best != null) {
            ConfigLoader loader = taskweave.injector().getInstance(ConfigLoader.class);
            ExperimentConfig best = tuning.experiment(results.best.parameters);
            best.seed = tuning.experiment().seed;
            String header = String.format(Locale.ROOT, """
                    # taskweave tune: the experiment with the best of %d trials by %s (%s): %s, trial %d
                    # settings: %s
                    # experiment: %s
                    # The objective is the mean over training seeds %s; this file keeps the experiment's seed, %d.
                    # Relative paths (data.params, training.initFrom, training.distillation.models) are relative to the
                    # experiment's directory: train this file from a copy placed next to the experiment. The trial's models: %s
                    """, results.trials.size(), results.objective, results.goal, format(results.best.objective),
                    results.best.trial, describe(results.best.parameters), tuning.experimentFile(),
                    results.seeds.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")), best.seed,
                    String.join(", ", results.best.models));
            bestYaml = header + loader.toYaml(best);
        }
        // an earlier search's best.yaml and report go first: a stop (a crash, a full disk) between the
        // writes below leaves them missing, never standing beside results that name another best trial
        for (String earlier : List.of(BEST, MARKDOWN)) {
            try {
                Files.deleteIfExists(output.resolve(earlier));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot remove the earlier " + output.resolve(earlier), e);
            }
        }
        Benchmark.writeJson(resultsFile, results);
        Taskweave.writeAtomically(markdownFile, report(tuning, results));
        Path bestFile = null;
        if (bestYaml != null) {
            bestFile = output.resolve(BEST);
            Taskweave.writeAtomically(bestFile, bestYaml);
        }
        return new Outcome(resultsFile, markdownFile, bestFile, results);
    }

    /** @return the trials as a Markdown table, best first */
    static String report(Tuning tuning, TuneResults r) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Tuning: ").append(r.name).append("\n\n");
        if (r.description != null && !r.description.isBlank()) {
            sb.append(r.description.strip()).append("\n\n");
        }
        sb.append(String.format(Locale.ROOT, "Experiment `%s`; objective `%s` (%s), the mean over training seeds %s; %s search, %d trials.%n%n",
                r.experiment, r.objective, r.goal, r.seeds, r.search, r.trials.size()));
        sb.append("Command: `").append(r.command).append("`\n\n");
        if (r.best == null) {
            sb.append("No trial measured the objective: every trial has a seed whose value is not finite (NaN: diverged?).\n\n");
        } else {
            sb.append(String.format(Locale.ROOT, "Best: trial %d (%s), %s = %s. Its models: %s.%n%n", r.best.trial,
                    describe(r.best.parameters), r.objective, format(r.best.objective), String.join(", ", r.best.models)));
        }
        List<String> paths = tuning.space().dimensions().stream().map(SearchSpace.Dimension::path).toList();
        boolean several = r.seeds.size() > 1;
        sb.append("| rank | trial | ").append(String.join(" | ", paths.stream().map(p -> "`" + p + "`").toList()))
                .append(" | ").append(r.objective).append(several ? " | std over seeds" : "").append(" | epochs | seconds |\n");
        sb.append("| --- | --- |").append(" --- |".repeat(paths.size())).append(" --- |").append(several ? " --- |" : "")
                .append(" --- | --- |\n");
        boolean maximize = "maximize".equals(r.goal);
        Comparator<TuneResults.Trial> order = Comparator.comparing(t -> t.objective == null ? Double.NaN
                : (maximize ? -t.objective : t.objective));
        List<TuneResults.Trial> sorted = new ArrayList<>(r.trials);
        sorted.sort(order.thenComparingInt(t -> t.trial));
        for (int i = 0; i < sorted.size(); i++) {
            TuneResults.Trial t = sorted.get(i);
            sb.append("| ").append(i + 1).append(" | ").append(t.trial).append(" | ");
            for (String p : paths) {
                sb.append(text(t.parameters.get(p))).append(" | ");
            }
            sb.append(describeObjective(t, r.seeds)).append(" | ");
            if (several) {
                List<Double> values = t.values.stream().filter(v -> v != null).toList();
                sb.append(values.size() == t.values.size() ? String.format(Locale.ROOT, "%.4f", Summary.of(values).std()) : "-").append(" | ");
            }
            sb.append(String.format(Locale.ROOT, "%.1f | %.1f |%n", t.epochs, t.trainSeconds));
        }
        if (r.confirmation != null) {
            TuneResults.Confirmation c = r.confirmation;
            sb.append(String.format(Locale.ROOT, "%n## Confirmation on fresh seeds%n%nThe experiment as written against trial %d's "
                    + "settings, each trained on seeds %s (not used to choose); test metrics, and `@split` for the other evaluated "
                    + "splits. A verdict is `better` or `worse` when the means differ by more than the larger standard deviation, "
                    + "else `tie`.%n%n", r.best.trial, c.seeds));
            sb.append("| metric | the experiment | trial ").append(r.best.trial).append(" | gain | verdict |\n");
            sb.append("| --- | --- | --- | --- | --- |\n");
            c.comparison.forEach((key, cmp) -> sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", key,
                    confirmed(c.baseline.get(key), c.seeds), confirmed(c.best.get(key), c.seeds),
                    cmp.gain() == null ? "n/a" : String.format(Locale.ROOT, "%+.4f", cmp.gain()), cmp.verdict())));
        }
        return sb.toString();
    }
}
