package dev.taskweave.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskweave.api.metric.Metric;
import dev.taskweave.core.Taskweave;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.config.EarlyStoppingConfig;
import dev.taskweave.core.config.ExperimentConfig;
import dev.taskweave.core.config.TaskConfig;
import dev.taskweave.core.metric.MetricRegistry;
import dev.taskweave.core.run.EpochRecord;
import dev.taskweave.core.run.Trainer;
import dev.taskweave.core.run.TrainingResult;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains every configuration of a suite once per seed, and each task's single-task counterpart
 * (the same encoder, sharing strategy and tower with that task alone, fixed weight), then
 * summarises the metrics over seeds and compares multi- with single-task. One suite at a time.
 */
public final class BenchmarkRunner {
    private final Taskweave taskweave;
    private static final ObjectMapper JSON = new ObjectMapper();
    // the trainings of the suite being run
    private ResumableRuns runs;

    public BenchmarkRunner(Taskweave taskweave) {
        this.taskweave = requireNonNull(taskweave, "taskweave is null");
    }

    /**
     * Runs a loaded suite.
     *
     * @param suite   the suite with its configurations resolved
     * @param quick   one seed and few epochs
     * @param output  where the trained models go ({@code runs/<configuration>/...})
     * @param command the command line, recorded in the results
     * @param log     progress
     */
    public BenchmarkResults run(Suite suite, boolean quick, Path output, String command, PrintStream log) {
        return run(suite, quick, output, command, log, false, null);
    }

    /**
     * Runs a loaded suite; every run saves a checkpoint after each epoch beside its model
     * ({@code runs/<configuration>/seed-<n>.checkpoint}, removed when the model is written).
     *
     * @param resume  reuse the runs already finished in {@code output} (trained with the same
     *                settings) and go on with an interrupted one from its checkpoint, so a stopped
     *                benchmark continues where it stopped and ends with the same results
     * @param maxTime null, or stop at the first epoch end after this much time in this call
     * @throws dev.taskweave.core.run.TrainingSuspendedException when {@code maxTime} ran out
     */
    public BenchmarkResults run(Suite suite, boolean quick, Path output, String command, PrintStream log, boolean resume,
            Duration maxTime) {
        this.runs = new ResumableRuns(taskweave, resume, maxTime, log);
        this.runs.checkNoInterruptedRun(output);
        List<Long> seeds = quick ? suite.config().seeds.subList(0, Math.min(suite.config().quick.seeds, suite.config().seeds.size()))
                : suite.config().seeds;
        BenchmarkResults results = new BenchmarkResults();
        results.suite = suite.config().name;
        results.description = suite.config().description;
        results.mode = quick ? "quick" : "full";
        results.command = command;
        results.createdAt = Instant.now().toString();
        results.environment.put("java", System.getProperty("java.version"));
        results.environment.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        results.environment.put("processors", String.valueOf(Runtime.getRuntime().availableProcessors()));
        checkExperiments(suite, seeds, quick);
        for (Suite.Variant variant : suite.variants()) {
            results.configurations.add(runConfiguration(suite, variant, seeds, quick, output, log));
        }
        return results;
    }

    /**
     * Checks every experiment the suite will train (each configuration with each seed, and each
     * single-task counterpart) as {@code train} checks one before reading its data, so that a
     * value the last configuration cannot take is refused before the first one trains, not after.
     *
     * @throws ConfigException naming the suite file and the configuration (and task) whose
     *     experiment is refused, with the experiment's path and reason
     */
    public void checkExperiments(Suite suite, List<Long> seeds, boolean quick) {
        String source = suite.file().toString();
        for (int i = 0; i < suite.variants().size(); i++) {
            Suite.Variant variant = suite.variants().get(i);
            ExperimentConfig base = variant.experiment();
            for (long seed : seeds) {
                checkExperiment(seeded(copy(base), seed, quick, suite), variant, source, "configurations[" + i + "]",
                        "its experiment (seed " + seed + ")");
                for (TaskConfig task : base.tasks) {
                    if (hasCounterparts(variant) && noSingleTask(task) == null) {
                        checkExperiment(counterpart(suite, base, task, seed, quick), variant, source, "configurations[" + i + "]",
                                "the single-task counterpart of " + task.name + " (seed " + seed + ", with singleTask's settings for it)");
                    }
                }
            }
        }
    }

    /** @return {@code config} with {@code seed}, and the quick mode's epochs when {@code quick} */
    private static ExperimentConfig seeded(ExperimentConfig config, long seed, boolean quick, Suite suite) {
        config.seed = seed;
        limit(config, quick, suite);
        return config;
    }

    /** @return the single-task counterpart of {@code task} that trains with {@code seed} */
    private static ExperimentConfig counterpart(Suite suite, ExperimentConfig base, TaskConfig task, long seed, boolean quick) {
        return seeded(singleTask(base, task.name, suite.config().singleTask.earlyStopping.get(task.name),
                suite.config().singleTask.overrides.get(task.name)), seed, quick, suite);
    }

    /** @return whether the configuration's tasks get single-task counterparts (those {@link #noSingleTask} allows) */
    private static boolean hasCounterparts(Suite.Variant variant) {
        return variant.singleTask() && variant.experiment().tasks.size() > 1;
    }

    private void checkExperiment(ExperimentConfig config, Suite.Variant variant, String source, String path, String what) {
        try {
            taskweave.checkExperiment(config, variant.file());
        } catch (ConfigException e) {
            throw new ConfigException(source, path, 0, what + ", made of " + variant.file().getFileName()
                    + " with this suite's settings, is refused: " + (e.path().isEmpty() ? "" : e.path() + ": ") + e.reason());
        }
    }

    private BenchmarkResults.ConfigurationResult runConfiguration(Suite suite, Suite.Variant variant, List<Long> seeds,
            boolean quick, Path output, PrintStream log) {
        BenchmarkResults.ConfigurationResult r = new BenchmarkResults.ConfigurationResult();
        ExperimentConfig base = variant.experiment();
        r.name = variant.name();
        r.experiment = variant.file().toString();
        r.sharing = base.sharing == null ? null : base.sharing.type;
        r.weighting = base.weighting == null ? null : base.weighting.type;
        base.tasks.forEach(t -> r.tasks.add(t.name));
        r.seeds.addAll(seeds);
        Map<String, List<Double>> multi = new LinkedHashMap<>();
        double seconds = 0;
        double throughput = 0;
        double steady = 0;
        double epochs = 0;
        int threads = 0;
        for (int s = 0; s < seeds.size(); s++) {
            ExperimentConfig config = seeded(copy(base), seeds.get(s), quick, suite);
            log.printf(Locale.ROOT, "[%s] seed %d: training %d task%s%n", variant.name(), seeds.get(s), config.tasks.size(),
                    config.tasks.size() == 1 ? "" : "s");
            TrainingResult result = train(config, variant, output.resolve("runs").resolve(variant.name()).resolve("seed-" + seeds.get(s)));
            collect(result, multi, null, s, seeds.size());
            logUnmeasured(log, variant.name(), seeds.get(s), multi, s, null);
            seconds += result.trainSeconds();
            // the seeds' counts are the same (the rule reads the model's size, not its values); a run read back knows none
            threads = Math.max(threads, result.threads());
            throughput += result.history().stream().mapToDouble(EpochRecord::samplesPerSecond).average().orElse(0);
            steady += steadyThroughput(result.history());
            epochs += result.history().size();
            if (s == 0) {
                r.curves = curves(result);
            }
        }
        r.trainSeconds = seconds / seeds.size();
        r.samplesPerSecond = throughput / seeds.size();
        r.steadySamplesPerSecond = steady / seeds.size();
        r.threads = threads;
        r.epochs = epochs / seeds.size();
        multi.forEach((key, values) -> r.metrics.put(key, Summary.of(values)));

        if (hasCounterparts(variant)) {
            for (TaskConfig task : base.tasks) {
                String skip = noSingleTask(task);
                if (skip != null) {
                    r.noSingleTask.put(task.name, skip);
                    log.printf(Locale.ROOT, "[%s] %s: no single-task counterpart (%s)%n", variant.name(), task.name, skip);
                    continue;
                }
                Map<String, List<Double>> single = new LinkedHashMap<>();
                for (int s = 0; s < seeds.size(); s++) {
                    long seed = seeds.get(s);
                    ExperimentConfig config = counterpart(suite, base, task, seed, quick);
                    log.printf(Locale.ROOT, "[%s] seed %d: training %s alone%n", variant.name(), seed, task.name);
                    TrainingResult result = train(config, variant,
                            output.resolve("runs").resolve(variant.name()).resolve("single-" + task.name).resolve("seed-" + seed));
                    collect(result, single, task.name, s, seeds.size());
                    logUnmeasured(log, variant.name(), seed, single, s, task.name);
                }
                single.forEach((key, values) -> r.singleTask.put(key, Summary.of(values)));
            }
            MetricRegistry registry = taskweave.injector().getInstance(MetricRegistry.class);
            r.singleTask.forEach((key, summary) -> {
                Summary m = r.metrics.get(key);
                if (m != null) {
                    r.transfer.put(key, Transfer.of(m, summary, higherIsBetter(registry, key)));
                }
            });
        }
        return r;
    }

    /**
     * @return why {@code task} gets no single-task counterpart, or null when it gets one: an ESMM
     *     task is scored as the joint event with its parent (labelled 0 wherever the parent is,
     *     sampled negatives included), a model of the task alone on its own labelled rows, so the
     *     two sets of figures are not of the same rows
     */
    static String noSingleTask(TaskConfig task) {
        if (task.dependsOn != null && "esmm".equals(task.transfer)) {
            return "transfer: esmm scores it as the joint event with " + task.dependsOn
                    + ", over rows a model of the task alone is not scored on";
        }
        return null;
    }

    /** Says which metrics a seed's run did not measure (not finite: the run diverged, or the metric is undefined there). */
    private static void logUnmeasured(PrintStream log, String variant, long seed, Map<String, List<Double>> values, int s, String alone) {
        List<String> keys = values.entrySet().stream().filter(e -> e.getValue().get(s) == null).map(Map.Entry::getKey).toList();
        if (!keys.isEmpty()) {
            log.printf(Locale.ROOT, "[%s] seed %d%s: not finite (NaN: a diverged run, or a metric undefined on its split): %s%n", variant, seed,
                    alone == null ? "" : ", " + alone + " alone", String.join(", ", keys));
        }
    }

    private TrainingResult train(ExperimentConfig config, Suite.Variant variant, Path directory) {
        return runs.train(config, variant.file(), directory).result();
    }

    private static void limit(ExperimentConfig config, boolean quick, Suite suite) {
        if (quick) {
            config.training.epochs = Math.min(config.training.epochs, suite.config().quick.epochs);
        }
        config.training.progressBar = false;
    }

    /** @return whether a larger value of the metric in {@code key} is better */
    static boolean higherIsBetter(MetricRegistry registry, String key) {
        String metric = key.substring(key.indexOf('.') + 1);
        // a metric's own name first (a plugin's may hold an '@'), then without the split or cutoff after '@'
        Metric m = registry.find(metric);
        int at = metric.indexOf('@');
        if (m == null && at >= 0) {
            m = registry.find(metric.substring(0, at));
        }
        // ranking metrics (hr@K, ndcg@K, auc_per_user) are not registered and are all higher-is-better
        return m == null || m.higherIsBetter();
    }

    /**
     * Sets one seed's values in the per-key value lists: every metric of every split but
     * {@code valid}, keyed {@code task.metric} on {@code test} and {@code task.metric@split}
     * elsewhere. A list holds one entry per seed, in seed order: a value that is not finite (NaN
     * from a diverged model) is kept as null, as is a seed that did not report the key, so that
     * the summary says which seed did not measure it instead of averaging the others.
     *
     * @param onlyTask keep this task's metrics only, or null for all
     * @param seed     the seed's index in the suite's seeds
     * @param seeds    how many seeds there are
     */
    static void collect(TrainingResult result, Map<String, List<Double>> into, String onlyTask, int seed, int seeds) {
        collect(result.metrics(), into, onlyTask, seed, seeds);
    }

    /** {@link #collect(TrainingResult, Map, String, int, int)} from a run's metrics, as {@code metrics.json} holds them. */
    static void collect(Map<String, Map<String, Map<String, Double>>> run, Map<String, List<Double>> into, String onlyTask,
            int seed, int seeds) {
        run.forEach((split, tasks) -> {
            if (split.equals("valid")) {
                return;
            }
            tasks.forEach((task, metrics) -> {
                if (onlyTask != null && !onlyTask.equals(task)) {
                    return;
                }
                metrics.forEach((metric, value) -> {
                    String key = task + "." + metric + (split.equals("test") ? "" : "@" + split);
                    into.computeIfAbsent(key, k -> new ArrayList<>(Collections.nCopies(seeds, (Double) null)))
                            .set(seed, value == null || !Double.isFinite(value) ? null : value);
                });
            });
        });
    }

    private static List<Double> slot(Map<String, List<Double>> curves, String key, int epochs) {
        return curves.computeIfAbsent(key, k -> new ArrayList<>(Collections.nCopies(epochs, (Double) null)));
    }

    static BenchmarkResults.Curves curves(TrainingResult result) {
        BenchmarkResults.Curves c = new BenchmarkResults.Curves();
        // every list holds one value per epoch, null where an epoch has none (a task pair without rows
        // in that epoch's telemetry batches, a task without labelled validation rows): aligned with epochs
        int epochs = result.history().size();
        for (int i = 0; i < epochs; i++) {
            EpochRecord e = result.history().get(i);
            c.epochs.add(e.epoch());
            int at = i;
            e.trainLoss().forEach((task, loss) -> slot(c.trainLoss, task, epochs).set(at, loss));
            e.validation().forEach((task, metrics) -> metrics.forEach((metric, v) ->
                    slot(c.validation, task + "." + metric, epochs).set(at, v)));
            e.gradientCosine().forEach((pair, v) -> slot(c.gradientCosine, pair, epochs).set(at, v));
        }
        if (!result.history().isEmpty()) {
            c.gateUsage.putAll(result.history().get(result.history().size() - 1).gateUsage());
        }
        return c;
    }

    /** @return a deep copy of an experiment */
    static ExperimentConfig copy(ExperimentConfig config) {
        return JSON.convertValue(JSON.valueToTree(config), ExperimentConfig.class);
    }

    /**
     * The single-task counterpart: the same data, features, sharing strategy, optimizer and
     * training settings, with only {@code task} (its head and tower unchanged, no dependency) and a
     * fixed weight of 1.
     */
    static ExperimentConfig singleTask(ExperimentConfig base, String task, String earlyStopping) {
        return singleTask(base, task, earlyStopping, null);
    }

    /**
     * The single-task counterpart with experiment fields of its own (the suite's
     * {@code singleTask.overrides.<task>}, checked when the suite was loaded), merged last.
     */
    static ExperimentConfig singleTask(ExperimentConfig base, String task, String earlyStopping, Map<String, Object> overrides) {
        ExperimentConfig config = copy(base);
        TaskConfig t = config.task(task);
        // with no task to depend on, the dependency's settings go too (the defaults say "none set")
        TaskConfig defaults = new TaskConfig();
        t.dependsOn = null;
        t.transfer = defaults.transfer;
        t.calibration = defaults.calibration;
        t.weight = 1.0;
        config.tasks = new ArrayList<>(List.of(t));
        // a ranking formula over several tasks names tasks that are not here; the counterpart is not served
        config.serving = new dev.taskweave.core.config.ServingConfig();
        // distillation of the other tasks goes with them; this task keeps its own (its teachers are single-task too)
        dev.taskweave.core.config.DistillationConfig distillation = config.training.distillation;
        if (distillation != null && distillation.tasks != null && !distillation.tasks.isEmpty()) {
            if (distillation.tasks.contains(task)) {
                distillation.tasks = new ArrayList<>(List.of(task));
            } else {
                config.training.distillation = null;
            }
        }
        // a feature left to the wide parts of tasks that are not here: the encoder did not read it
        // in the multi-task model either, so the counterpart leaves it out
        List<String> unread = config.features.wideOnly.stream().filter(f -> !t.wideFeatures.contains(f)).toList();
        config.features.wideOnly = config.features.wideOnly.stream().filter(t.wideFeatures::contains).toList();
        List<String> exclude = new ArrayList<>(config.features.exclude);
        unread.stream().filter(f -> !exclude.contains(f)).forEach(exclude::add);
        config.features.exclude = exclude;
        // a rate for a feature left out is refused ("nothing to drop"): it goes with the feature
        config.features.dropout = new java.util.LinkedHashMap<>(config.features.dropout);
        config.features.historyDropout = new java.util.LinkedHashMap<>(config.features.historyDropout);
        unread.forEach(f -> {
            config.features.dropout.remove(f);
            config.features.historyDropout.remove(f);
        });
        config.weighting = new dev.taskweave.core.config.ComponentConfig("fixed", Map.of());
        EarlyStoppingConfig es = config.training.earlyStopping;
        if (earlyStopping != null) {
            EarlyStoppingConfig replaced = es == null ? new EarlyStoppingConfig() : es;
            replaced.metric = earlyStopping;
            config.training.earlyStopping = replaced;
        } else if (es != null && !task.equals(es.metric.split("\\.")[1])) {
            config.training.earlyStopping = null;
        }
        return overrides == null ? config : Suite.withOverrides(JSON, config, overrides, null, null, null);
    }

    /** @return rows per second over epochs 2..n (all epochs when there is one) */
    static double steadyThroughput(List<EpochRecord> history) {
        List<EpochRecord> epochs = history.size() > 1 ? history.subList(1, history.size()) : history;
        double rows = 0;
        double seconds = 0;
        for (EpochRecord e : epochs) {
            rows += e.samplesPerSecond() * e.seconds();
            seconds += e.seconds();
        }
        return seconds > 0 ? rows / seconds : 0;
    }
}
