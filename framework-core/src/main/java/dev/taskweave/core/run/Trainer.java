package dev.taskweave.core.run;

import static java.util.Objects.requireNonNull;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import com.google.inject.Inject;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.api.metric.Metric;
import dev.taskweave.api.model.GradientCombiner;
import dev.taskweave.api.nn.FastDropout;
import dev.taskweave.api.nn.Scalars;
import dev.taskweave.core.config.EarlyStoppingConfig;
import dev.taskweave.core.config.ExperimentConfig;
import dev.taskweave.core.data.ExampleSet;
import dev.taskweave.core.data.FeatureGatherer;
import dev.taskweave.core.data.NegativeSampler;
import dev.taskweave.core.data.TaskLabels;
import dev.taskweave.core.store.WeightingState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The training loop: Adam over shuffled mini-batches with masked per-task losses combined by the
 * loss weighting, fresh negatives every epoch, validation after every epoch, and early stopping
 * that restores the best epoch's parameters.
 *
 * <p>Meters: {@code taskweave.train.samples} (counter), {@code taskweave.train.samples.per.second}
 * (gauge), {@code taskweave.train.loss} (gauge per task, tag {@code task}) and
 * {@code taskweave.train.epoch} (timer).
 */
public final class Trainer {
    /**
     * The multiply-adds of a training step's forward pass ({@link MultiTaskBlock#multiplyAddsPerRow}
     * times the batch's rows) from which {@code training.threads: 0} trains on the engine's threads,
     * and below which on one. Counted by this rule (the ml100k throughput suite: shared-bottom
     * 31,474 a row, MMoE 113,474, PLE 180,460; the ml100k recipe 348,621) and measured on the
     * 2-core machines (docs/benchmarks/ml100k-mtl/throughput.md):
     * <ul>
     *   <li>below it a second thread made steps slower, as each product and element-wise operation
     *       is too small to share: shared-bottom and MMoE at batch 256 (8 and 29 million), 72.9k
     *       and 42.3k samples/s on two threads against 118.6k and 50.6k on one, and far slower on a
     *       machine whose other cores are busy; shared-bottom at 1024 (32 million) ran as fast on
     *       one; PLE at 256 (46 million) about as fast on either;
     *   <li>above it MMoE at 1024 and 2048 (116 and 232 million) gained from a second thread on a
     *       quiet machine, and the recipe at 1024 (357 million) trained 24-28 % faster on two;
     *       shared-bottom at 2048 (64 million) went either way in different hours, and keeps the
     *       engine's threads as under the batch-size rule before (at most 1,024 rows on one thread).
     * </ul>
     * {@code training.threads} overrides the rule.
     */
    public static final long TWO_THREAD_WORK = 48_000_000L;

    private final MeterRegistry meters;
    private final Counter samples;
    private final Timer epochTimer;
    private final AtomicLong samplesPerSecond = new AtomicLong();
    private final Map<String, AtomicLong> taskLoss = new ConcurrentHashMap<>();

    @Inject
    public Trainer(MeterRegistry meters) {
        this.meters = requireNonNull(meters, "meters is null");
        this.samples = Counter.builder("taskweave.train.samples").description("training rows processed").register(meters);
        this.epochTimer = Timer.builder("taskweave.train.epoch").description("wall time of a training epoch").register(meters);
        meters.gauge("taskweave.train.samples.per.second", samplesPerSecond, AtomicLong::doubleValue);
    }

    /**
     * Trains the model in place.
     *
     * @param model    the initialised model
     * @param dataset  the data
     * @param gatherer features of the model's encoder
     * @param manager  the manager that owns the model's parameters
     * @param log      where to print one line per epoch (and the progress bar, when enabled)
     */
    public TrainingResult train(AssembledModel model, Dataset dataset, FeatureGatherer gatherer, NDManager manager,
            PrintStream log) {
        return train(model, dataset, gatherer, manager, log, null, null);
    }

    /**
     * Trains the model in place, saving a checkpoint after every epoch and, if asked, resuming from
     * one: a resumed run trains exactly as the uninterrupted run would have.
     *
     * @param checkpointing null for none
     * @param identity      what the checkpoint must have been written by to be resumed (the
     *                      experiment and its data)
     * @throws TrainingSuspendedException when {@link Checkpointing#maxTime()}, counted from
     *     {@link Checkpointing#startNanos()} (the run's start, not this call's), ran out before the
     *     last epoch
     * @throws CheckpointException when the checkpoint to resume from is missing, malformed or from
     *     another experiment or data
     */
    public TrainingResult train(AssembledModel model, Dataset dataset, FeatureGatherer gatherer, NDManager manager,
            PrintStream log, Checkpointing checkpointing, Checkpointing.Identity identity) {
        return train(model, dataset, gatherer, manager, log, checkpointing, identity, null);
    }

    /**
     * As {@link #train(AssembledModel, Dataset, FeatureGatherer, NDManager, PrintStream, Checkpointing,
     * Checkpointing.Identity)}, the distilled tasks learning from teachers as well as from their labels.
     *
     * @param distillation null for none
     */
    public TrainingResult train(AssembledModel model, Dataset dataset, FeatureGatherer gatherer, NDManager manager,
            PrintStream log, Checkpointing checkpointing, Checkpointing.Identity identity, Distillation distillation) {
        int engineThreads = JniUtils.getNumThreads();
        ExperimentConfig config = model.plan().config();
        long perRow = model.block().multiplyAddsPerRow();
        int threads = threads(config.training.threads, config.training.batchSize, perRow, engineThreads);
        if (threads == engineThreads) {
            return trainOn(model, dataset, gatherer, manager, log, checkpointing, identity, distillation, engineThreads)
                    .withThreads(threads);
        }
        log.printf(Locale.ROOT, "training steps on %d PyTorch thread%s of %d (training.threads: %s)%n", threads, threads == 1 ? "" : "s",
                engineThreads, config.training.threads == 0 ? String.format(Locale.ROOT, "0 chooses one for steps of fewer than"
                        + " %,d multiply-adds; this one has %,d: %,d a row times %,d rows", TWO_THREAD_WORK,
                        perRow * config.training.batchSize, perRow, config.training.batchSize) : String.valueOf(threads));
        JniUtils.setNumThreads(threads);
        try {
            return trainOn(model, dataset, gatherer, manager, log, checkpointing, identity, distillation, engineThreads)
                    .withThreads(threads);
        } finally {
            JniUtils.setNumThreads(engineThreads);
        }
    }

    /**
     * @param setting            {@code training.threads}: 0 to choose, else the count to use
     * @param batchSize          {@code training.batchSize}
     * @param multiplyAddsPerRow the model's {@link MultiTaskBlock#multiplyAddsPerRow}
     * @param engineThreads      the engine's intra-op threads ({@code TASKWEAVE_THREADS})
     * @return the intra-op threads training runs on: {@code setting} when positive, else one for
     *     steps of fewer than {@link #TWO_THREAD_WORK} multiply-adds and {@code engineThreads} for
     *     larger ones
     */
    static int threads(int setting, int batchSize, long multiplyAddsPerRow, int engineThreads) {
        if (setting > 0) {
            return setting;
        }
        return (long) batchSize * multiplyAddsPerRow < TWO_THREAD_WORK ? 1 : Math.max(1, engineThreads);
    }

    /**
     * @param engineThreads the engine's threads, given back for the calibration and the metrics
     *     after the last step, which {@code evaluate} then reproduces on the same count
     */
    private TrainingResult trainOn(AssembledModel model, Dataset dataset, FeatureGatherer gatherer, NDManager manager,
            PrintStream log, Checkpointing checkpointing, Checkpointing.Identity identity, Distillation distillation,
            int engineThreads) {
        if (checkpointing != null) {
            requireNonNull(identity, "identity is null");
        }
        ExperimentConfig config = model.plan().config();
        List<TaskLabels> labels = model.taskLabels(dataset);
        List<ResolvedTask> tasks = model.tasks();
        int taskCount = tasks.size();
        // no loss until this run's first epoch ends: NaN, not the 0 of a new gauge or another run's last value
        taskLoss.values().forEach(loss -> loss.set(Double.doubleToLongBits(Double.NaN)));
        for (ResolvedTask t : tasks) {
            taskLoss.computeIfAbsent(t.name(), name -> meters.gauge("taskweave.train.loss",
                    List.of(io.micrometer.core.instrument.Tag.of("task", name)), new AtomicLong(Double.doubleToLongBits(Double.NaN)),
                    a -> Double.longBitsToDouble(a.get())));
        }
        TrainingRows trainingRows = TrainingRows.of(model, dataset, labels);
        boolean[] pairwise = trainingRows.pairwise();
        NegativeSampler trainSampler = trainingRows.sampler();
        Map<String, ExampleSet> evalSets = evaluationSets(dataset, labels, config.seed);
        ExampleSet valid = evalSets.get(Dataset.VALID);
        List<Integer> calibrated = calibratedTasks(model, config);
        for (int t : calibrated) {
            // found before training, not after it
            if (!onTraining(config, t) && (valid == null || valid.labelled(t) == 0)) {
                String kind = config.tasks.get(t).calibrate;
                throw new dev.taskweave.core.config.ConfigException(model.plan().source(), "tasks[" + t + "].calibrate", 0,
                        kind + " is fitted on the task's rows of the validation split, and the data has "
                        + (valid == null ? "no validation split" : "none for task '" + model.tasks().get(t).name() + "'"
                        + (model.tasks().get(t).labelInfo().attribute()
                                ? " (an attribute task needs a dataset that holds out some entities' attributes as validation)" : "")));
            }
            if (!onTraining(config, t)) {
                // the classes a map needs, counted on the labelled validation rows: found before training, not after it
                String kind = config.tasks.get(t).calibrate;
                long[] classes = classCounts(valid, t);
                String missing = "platt".equals(kind) && (classes[0] == 0 || classes[1] == 0) ? "both classes"
                        : "threshold".equals(kind) && classes[1] == 0 ? "at least one set flag" : null;
                if (missing != null) {
                    throw new dev.taskweave.core.config.ConfigException(model.plan().source(), "tasks[" + t + "].calibrate", 0,
                            kind + " needs " + missing + " among the task's validation rows, and they hold " + classes[1] + " positive and "
                            + classes[0] + " negative label values");
                }
            }
        }

        TrainingCheckpoint resumed = checkpointing != null && checkpointing.resume()
                ? TrainingCheckpoint.read(checkpointing.file(), identity) : null;
        if (resumed != null) {
            // before the optimiser lays the parameters out in its buffer
            try {
                // the best epoch's are restored at the end: a layout they do not fit fails now, not after the
                // epochs; the last epoch's, restored after them, are the ones training goes on from
                if (resumed.bestParameters() != null) {
                    restore(model, resumed.bestParameters(), manager);
                }
                restore(model, resumed.parameters(), manager);
            } catch (IllegalStateException | IllegalArgumentException | UncheckedIOException e) {
                throw doesNotFit(checkpointing.file(), "parameters", e);
            }
        }
        float clip = config.optimizer.clipGradient > 0 ? (float) config.optimizer.clipGradient : -1f;
        // the first epoch's examples (sampled negatives included) also give a schedule its steps per epoch
        long firstBuild = System.nanoTime();
        ExampleSet firstEpoch = trainingRows.epoch(dataset, config.seed, 1);
        // counted in epoch 1's time, as every later epoch counts building its examples
        long firstBuildNanos = System.nanoTime() - firstBuild;
        int stepsPerEpoch = Math.max(1, (int) Math.ceil(firstEpoch.size() / (double) config.training.batchSize));
        Tracker rate = learningRate(config.optimizer, stepsPerEpoch, config.training.epochs);
        float decay = (float) config.optimizer.weightDecay;
        FlatAdam optimizer = new FlatAdam(trainable(model), rate, decay, clip, "adamw".equals(config.optimizer.type), manager);
        ParameterStore ps = new ParameterStore(manager, false);
        WeightAverage average = config.training.weightAverage > 0 ? new WeightAverage(List.of(optimizer.weights()), config.training.weightAverage, manager) : null;
        if (average != null && resumed == null) {
            String unreached = WeightAverage.unreached(config.training.weightAverage, (long) stepsPerEpoch * config.training.epochs);
            if (unreached != null) {
                log.println(unreached);
            }
        }
        GradientSurgery surgery = model.weighting() instanceof GradientCombiner combiner
                ? new GradientSurgery(model, combiner) : null;
        Telemetry telemetry = config.training.telemetry ? new Telemetry(model, gatherer) : null;

        EarlyStoppingConfig es = config.training.earlyStopping;
        String[] monitor = es == null ? null : es.metric.split("\\.");
        if (monitor != null && !evalSets.containsKey(monitor[0])) {
            throw new dev.taskweave.core.config.ConfigException(model.plan().source(), "training.earlyStopping.metric", 0,
                    "the data has no split '" + monitor[0] + "'; available: " + evalSets.keySet());
        }
        // check refuses the same: ModelAssembler checks it as it assembles the model
        Metric monitorMetric = ModelAssembler.monitoredMetric(model.plan(), model.tasks());

        List<EpochRecord> history = new ArrayList<>();
        double best = Double.NaN;
        int bestEpoch = 0;
        byte[] bestParameters = null;
        int sinceBest = 0;
        boolean stoppedEarly = false;
        double earlierSeconds = 0;
        if (resumed != null) {
            // the checkpoint's identity pins the experiment, so it has a weight average and a
            // weighting state exactly when this run keeps them
            try {
                optimizer.restore(resumed.updates(), resumed.means(), resumed.variances());
                if (average != null) {
                    average.restore(resumed.averageUpdates(), resumed.average());
                }
            } catch (IllegalStateException | IllegalArgumentException e) {
                throw doesNotFit(checkpointing.file(), "optimiser state", e);
            }
            if (resumed.weightingState() != null) {
                WeightingState.load(resumed.weightingState(), model, checkpointing.file().toString());
            }
            FastDropout.restore(resumed.dropoutState());
            history.addAll(resumed.history());
            best = resumed.best();
            bestEpoch = resumed.bestEpoch();
            bestParameters = resumed.bestParameters();
            sinceBest = resumed.sinceBest();
            stoppedEarly = resumed.finished();
            earlierSeconds = resumed.elapsedSeconds();
            firstEpoch = null;
            log.printf(Locale.ROOT, "resuming from %s after epoch %d of %d%s%n", checkpointing.file(), resumed.epoch(),
                    config.training.epochs, stoppedEarly ? " (early stopping had ended training)" : "");
        }
        long start = System.nanoTime();
        int batchSize = config.training.batchSize;
        // each step's arrays are closed before the next step gathers into the same memory; the batch
        // and each pairwise task have their own, as all their arrays are alive until the backward pass
        FeatureGatherer.Scratch[] scratch = scratch(gatherer, pairwise);
        boolean leakReported = false;
        boolean divergenceReported = false;
        for (int epoch = history.size() + 1; epoch <= config.training.epochs && !stoppedEarly; epoch++) {
            long epochStart = System.nanoTime() - (epoch == 1 ? firstBuildNanos : 0);
            // PyTorch's generator (head-tower dropout, random loss weights) restarts every epoch, so
            // a resumed run draws what the uninterrupted run would have
            Engine.getInstance().setRandomSeed(epochSeed(config.seed, epoch));
            ExampleSet train = epoch == 1 ? firstEpoch : trainingRows.epoch(dataset, config.seed, epoch);
            firstEpoch = null;
            SplittableRandom random = new SplittableRandom(config.seed * 31 + epoch);
            int[] order = permutation(train.size(), random);
            // a task's epoch loss is the mean over its labelled rows: each batch's mean weighed by its rows
            double[] lossSum = new double[taskCount];
            double[] lossRows = new double[taskCount];
            double[] weightSum = new double[taskCount];
            long[] lossBatches = new long[taskCount];
            int batches = (train.size() + batchSize - 1) / batchSize;
            // the epoch's rows with their own per-interaction values
            FeatureGatherer rows = gatherer.forRows(train.features());
            int held = manager.getManagedArrays().size();
            try (ProgressBar bar = progressBar(config, epoch, batches, log)) {
                for (int b = 0; b < batches; b++) {
                    int from = b * batchSize;
                    int to = Math.min(train.size(), from + batchSize);
                    float[][] step = step(model, rows, train, order, from, to, random, manager, optimizer, surgery,
                            pairwise, trainSampler, scratch, distillation, !divergenceReported);
                    if (!divergenceReported) {
                        String diverged = divergenceWarning(model, epoch, b + 1, batches, step[0], step[2], step[4][0],
                                step[4][1], step[4][2]);
                        if (diverged != null) {
                            // the run goes on (benchmark and tune record a diverged run): said once, where it started
                            log.println(diverged);
                            divergenceReported = true;
                        }
                    }
                    if (average != null) {
                        average.update();
                    }
                    for (int t = 0; t < taskCount; t++) {
                        if (step[2][t] > 0) {
                            lossSum[t] += (double) step[0][t] * step[3][t];
                            lossRows[t] += step[3][t];
                            weightSum[t] += step[1][t];
                            lossBatches[t]++;
                        }
                    }
                    if (bar != null) {
                        bar.step();
                        if (b % 20 == 0 || b == batches - 1) {
                            bar.setExtraMessage(lossMessage(tasks, lossSum, lossRows));
                        }
                    }
                }
            }
            if (!leakReported) {
                String leak = leakWarning(epoch, batches, manager.getManagedArrays().size() - held, model);
                if (leak != null) {
                    log.println(leak);
                    leakReported = true;
                }
            }
            double seconds = (System.nanoTime() - epochStart) / 1e9;
            epochTimer.record(System.nanoTime() - epochStart, TimeUnit.NANOSECONDS);
            samples.increment(train.size());
            samplesPerSecond.set(Math.round(train.size() / seconds));
            Map<String, Double> meanLoss = new LinkedHashMap<>();
            Map<String, Double> meanWeight = new LinkedHashMap<>();
            double[] lossVector = new double[taskCount];
            for (int t = 0; t < taskCount; t++) {
                lossVector[t] = lossRows[t] == 0 ? Double.NaN : lossSum[t] / lossRows[t];
                meanLoss.put(tasks.get(t).name(), lossVector[t]);
                meanWeight.put(tasks.get(t).name(), lossBatches[t] == 0 ? Double.NaN : weightSum[t] / lossBatches[t]);
                taskLoss.get(tasks.get(t).name()).set(Double.doubleToLongBits(lossVector[t]));
            }
            Map<String, Map<String, Double>> validation = valid == null ? Map.of()
                    : evaluate(average, () -> Evaluator.evaluate(model, gatherer, valid, config.training.evalBatchSize, manager));
            Telemetry.Gradients gradients = telemetry == null ? Telemetry.Gradients.NONE
                    : telemetry.gradients(train, order, batchSize, manager, ps);
            // the gates of the model validated and saved: with a weight average, the averaged weights
            Map<String, List<Double>> gates = telemetry == null ? Map.of()
                    : evaluate(average, () -> telemetry.gateUsage(valid == null ? train : valid, config.training.evalBatchSize, manager, ps));
            // after the telemetry, which measures the update with the weights this epoch applied (a
            // weighting such as DWA sets the next epoch's here)
            epochEnded(model, epoch, lossVector);
            EpochRecord record = new EpochRecord(epoch, meanLoss, meanWeight, validation, seconds, train.size() / seconds,
                    gradients.cosines(), gates, gradients.alignment());
            history.add(record);
            log.println(describe(record, config.training.epochs));
            if (monitor != null) {
                Map<String, Map<String, Double>> monitored = monitor[0].equals(Dataset.VALID) ? validation
                        : evaluate(average, () -> Evaluator.evaluate(model, gatherer, evalSets.get(monitor[0]),
                                config.training.evalBatchSize, manager));
                Double value = monitored.getOrDefault(monitor[1], Map.of()).get(monitor[2]);
                double v = value == null ? Double.NaN : value;
                boolean improved = !Double.isNaN(v) && (Double.isNaN(best)
                        || (monitorMetric.higherIsBetter() ? v > best + es.minDelta : v < best - es.minDelta));
                if (improved) {
                    best = v;
                    bestEpoch = epoch;
                    bestParameters = evaluate(average, () -> snapshot(model));
                    sinceBest = 0;
                } else {
                    if (Double.isNaN(best)) {
                        // no finite value yet to keep: the weights of the last epoch stand, and are the best epoch's
                        bestEpoch = epoch;
                        if (sinceBest == 0) {
                            log.printf(Locale.ROOT, "warning: %s is not finite after epoch %d (undefined on the validation rows, such"
                                    + " as an AUC over labels of one class, or a diverged run): early stopping cannot compare"
                                    + " epochs by it%n", es.metric, epoch);
                        }
                    }
                    // patience that runs out with the last epoch ends nothing early: the run simply finished
                    if (++sinceBest >= es.patience && epoch < config.training.epochs) {
                        stoppedEarly = true;
                        if (Double.isNaN(best)) {
                            log.printf(Locale.ROOT, "early stopping after epoch %d: %s was not finite for %d epoch%s; the last"
                                    + " epoch's weights are kept%n", epoch, es.metric, es.patience, es.patience == 1 ? "" : "s");
                        } else {
                            log.printf(Locale.ROOT, "early stopping after epoch %d: %s did not improve for %d epoch%s (best %.4f at"
                                    + " epoch %d)%n", epoch, es.metric, es.patience, es.patience == 1 ? "" : "s", best, bestEpoch);
                        }
                    }
                }
            } else {
                bestEpoch = epoch;
            }
            if (checkpointing != null) {
                double elapsed = earlierSeconds + (System.nanoTime() - start) / 1e9;
                new TrainingCheckpoint(identity, epoch, stoppedEarly, elapsed, snapshot(model), optimizer.updates(),
                        optimizer.means(), optimizer.variances(), average == null ? 0 : average.updates(),
                        average == null ? null : average.values(), WeightingState.save(model), FastDropout.state(), best, bestEpoch,
                        sinceBest, bestParameters, history).write(checkpointing.file());
                // the time limit counts from the run's start (Checkpointing.startNanos), as for teachers
                if (!stoppedEarly && epoch < config.training.epochs && checkpointing.outOfTime()) {
                    throw new TrainingSuspendedException(epoch, config.training.epochs, checkpointing.file());
                }
            }
        }
        if (!history.isEmpty()) {
            report(history.get(history.size() - 1), log);
        }
        if (bestParameters != null && (bestEpoch != history.size() || average != null)) {
            restore(model, bestParameters, manager);
        } else if (average != null) {
            average.apply();
        }
        if (average != null) {
            average.close();
        }
        optimizer.close();
        // what follows scores as evaluate does, on the engine's count: a sum shared by two threads adds in
        // another order, and metrics.json would differ from what evaluate reproduces in the last digits
        if (JniUtils.getNumThreads() != engineThreads) {
            JniUtils.setNumThreads(engineThreads);
        }
        if (!calibrated.isEmpty()) {
            calibrate(model, gatherer, valid, calibrationTrainRows(model, config, calibrated, dataset, trainingRows), calibrated, config,
                    log, manager);
        }
        double trainSeconds = earlierSeconds + (System.nanoTime() - start) / 1e9;
        Map<String, Map<String, Map<String, Double>>> metrics = Evaluator.evaluateSplits(model, gatherer, dataset, evalSets, manager);
        return new TrainingResult(history, bestEpoch, stoppedEarly, trainSeconds, metrics);
    }

    /**
     * What every epoch's training rows are built from (the same for training and for the dry step
     * of {@code check}).
     *
     * @param pairwise      per task, whether its head is pairwise: it samples its negatives per batch,
     *                      paired with its positives, so its rows carry none
     * @param labels        per task, the labels the rows carry (a pairwise task's without negatives)
     * @param sampler       draws the negatives, by popularity; null when no task needs any
     * @param attributeRows per attribute a task predicts, the entities it is trained on
     */
    record TrainingRows(boolean[] pairwise, List<TaskLabels> labels, NegativeSampler sampler, Map<String, int[]> attributeRows) {
        static TrainingRows of(AssembledModel model, Dataset dataset, List<TaskLabels> labels) {
            List<ResolvedTask> tasks = model.tasks();
            boolean[] pairwise = new boolean[tasks.size()];
            List<TaskLabels> trainLabels = new ArrayList<>(labels);
            for (int t = 0; t < tasks.size(); t++) {
                ResolvedTask task = tasks.get(t);
                pairwise[t] = task.plugin().call(model.plan().source(), task.headPath(), "pairwise()", task.head()::pairwise);
                if (pairwise[t]) {
                    trainLabels.set(t, labels.get(t).withNegatives(0));
                }
            }
            boolean needsNegatives = labels.stream().anyMatch(l -> l.negatives() > 0);
            NegativeSampler sampler = needsNegatives || anyTrue(pairwise)
                    ? NegativeSampler.popularity(dataset.items().size(), List.of(dataset.train()), dataset.train(),
                            model.plan().config().training.negativeExponent) : null;
            return new TrainingRows(pairwise, trainLabels, sampler, trainingEntities(dataset, labels));
        }

        /** @return the rows of epoch {@code epoch} (from 1) of an experiment of seed {@code seed}, fresh negatives included */
        ExampleSet epoch(Dataset dataset, long seed, int epoch) {
            return build(dataset.train(), dataset, seed, epoch);
        }

        /** As {@link #epoch}, of the interactions {@code rows} of the training split (all of them, or its first ones) */
        ExampleSet build(Interactions rows, Dataset dataset, long seed, int epoch) {
            return ExampleSet.build(rows, labels, sampler, seed * 1_000_003L + epoch, attributeRows, pairFeatures(dataset));
        }
    }

    /**
     * Tells the loss weighting that epoch {@code epoch} ended ({@code LossWeighting.epochEnded}),
     * guarded as every call into it is: after an epoch of training, and after {@code check}'s dry step.
     *
     * @param losses per task, its mean loss over the epoch's labelled rows, NaN for a task without any
     */
    static void epochEnded(AssembledModel model, int epoch, double[] losses) {
        model.plan().weighting().callRunning(model.plan().source(), "weighting.type", "epochEnded()", () -> {
            model.weighting().epochEnded(epoch, losses);
            return null;
        });
    }

    /** @return the parameters training updates, in the model's order */
    static List<Parameter> trainable(AssembledModel model) {
        List<Parameter> parameters = new ArrayList<>();
        for (Pair<String, Parameter> p : model.block().getParameters()) {
            if (p.getValue().requiresGradient()) {
                parameters.add(p.getValue());
            }
        }
        return parameters;
    }

    /**
     * @return the memory {@link #step} gathers into: the batch's ({@code [0]}) and each pairwise
     *     task's negatives' ({@code [1 + t]}), null for the other tasks
     */
    static FeatureGatherer.Scratch[] scratch(FeatureGatherer gatherer, boolean[] pairwise) {
        FeatureGatherer.Scratch[] scratch = new FeatureGatherer.Scratch[1 + pairwise.length];
        for (int k = 0; k < scratch.length; k++) {
            scratch[k] = k == 0 || pairwise[k - 1] ? gatherer.newScratch() : null;
        }
        return scratch;
    }

    /** @return the names of the dataset's pair features ({@link FeatureSpec#pair()}) */
    static java.util.Set<String> pairFeatures(Dataset dataset) {
        return dataset.features().stream().filter(FeatureSpec::pair).map(FeatureSpec::name)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /**
     * Builds the rows of every split but {@code train}, with negatives for implicit tasks drawn
     * once with a fixed seed (avoiding every observed pair), so evaluation is repeatable.
     */
    public static Map<String, ExampleSet> evaluationSets(Dataset dataset, List<TaskLabels> labels, long seed) {
        boolean needsNegatives = labels.stream().anyMatch(l -> l.negatives() > 0);
        NegativeSampler sampler = needsNegatives ? new NegativeSampler(dataset.items().size(), dataset.splits().values()) : null;
        Map<String, Interactions> splits = new LinkedHashMap<>(dataset.splits());
        for (String split : dataset.attributeEvaluation().keySet()) {
            splits.putIfAbsent(split, new Interactions(new int[0], new int[0], Map.of()));
        }
        Map<String, ExampleSet> sets = new LinkedHashMap<>();
        int splitNumber = 0;
        for (Map.Entry<String, Interactions> e : splits.entrySet()) {
            splitNumber++;
            if (!e.getKey().equals(Dataset.TRAIN)) {
                Map<String, int[]> entities = dataset.attributeEvaluation().getOrDefault(e.getKey(), Map.of());
                ExampleSet set = ExampleSet.build(e.getValue(), labels, sampler, seed * 7919 + splitNumber, entities,
                        pairFeatures(dataset));
                if (set.size() > 0) {
                    sets.put(e.getKey(), set);
                }
            }
        }
        return sets;
    }

    /**
     * @return per attribute a task predicts, the entities whose label is known and that no split
     *     evaluates: the attribute rows of the training set
     */
    public static Map<String, int[]> trainingEntities(Dataset dataset, List<TaskLabels> labels) {
        Map<String, int[]> result = new LinkedHashMap<>();
        for (TaskLabels task : labels) {
            if (task.attribute() == null || result.containsKey(task.attribute().name())) {
                continue;
            }
            String name = task.attribute().name();
            boolean[] held = new boolean[task.attribute().known().length];
            for (Map<String, int[]> split : dataset.attributeEvaluation().values()) {
                for (int e : split.getOrDefault(name, new int[0])) {
                    held[e] = true;
                }
            }
            int[] entities = java.util.stream.IntStream.range(0, held.length)
                    .filter(e -> task.attribute().known()[e] && !held[e]).toArray();
            result.put(name, entities);
        }
        return result;
    }

    private static boolean anyTrue(boolean[] values) {
        for (boolean v : values) {
            if (v) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param step      the step within its epoch, from 1
     * @param losses    the step's loss per task
     * @param present   per task, 1 when the batch has rows labelled for it: an absent task's loss
     *                  is not read (a NaN there is the weighting's to keep out of the total)
     * @param total     the weighting's total of them
     * @param auxiliary the sharing strategy's auxiliary loss, 0 without one
     * @param dependency the task graph's AITM calibrator loss, 0 without one
     * @return a warning naming what first turned a step's loss into NaN or an infinity (a task's
     *     loss, else the weighting's total, else the sharing strategy's auxiliary loss, else the
     *     task graph's), with its plugin and the epoch and step; null when every value is finite
     */
    static String divergenceWarning(AssembledModel model, int epoch, int step, int steps, float[] losses, float[] present, float total,
            float auxiliary, float dependency) {
        Diverged d = Diverged.find(model, losses, present, total, auxiliary, dependency);
        if (d == null) {
            return null;
        }
        return String.format(Locale.ROOT, "warning: %s is %s at epoch %d, step %,d of %,d (%s): training diverged there; it goes"
                + " on, but its parameters are probably no longer finite, nor its scores and metrics (a loss that cannot take some"
                + " labels or outputs, or steps too large: lower optimizer.learningRate or set optimizer.clipGradient)", d.what(),
                d.value(), epoch, step, steps, d.where());
    }

    /**
     * What first turned a step's loss into NaN or an infinity.
     *
     * @param what   the loss, for example {@code task rating's loss}
     * @param value  its value
     * @param path   the config path of what computed it
     * @param plugin the plugin that computed it, or null for the runtime's own
     */
    record Diverged(String what, float value, String path, dev.taskweave.core.plugin.Registered<?> plugin) {
        /**
         * @return a task's loss (of a task with labelled rows in the batch), else the weighting's
         *     total, else the sharing strategy's auxiliary loss, else the task graph's, the first of
         *     them that is not finite; null when every one is
         */
        static Diverged find(AssembledModel model, float[] losses, float[] present, float total, float auxiliary, float dependency) {
            for (int t = 0; t < losses.length; t++) {
                if (present[t] > 0 && !Float.isFinite(losses[t])) {
                    ResolvedTask task = model.tasks().get(t);
                    return new Diverged("task " + task.name() + "'s loss", losses[t], task.headPath(), task.plugin());
                }
            }
            if (!Float.isFinite(total)) {
                return new Diverged("the weighted total of the tasks' finite losses", total, "weighting.type", model.plan().weighting());
            }
            if (!Float.isFinite(auxiliary)) {
                return new Diverged("the sharing strategy's auxiliary loss", auxiliary, "sharing.type", model.plan().sharing());
            }
            if (!Float.isFinite(dependency)) {
                return new Diverged("the AITM calibrator's loss of the task graph", dependency, "tasks[i].calibration", null);
            }
            return null;
        }

        /** @return the path, and the plugin when there is one: {@code tasks[0].head: type 'x' of plugin acme 1.0} */
        String where() {
            return path + (plugin == null ? "" : ": " + plugin.describe());
        }
    }

    /**
     * @param left arrays the epoch's training steps added to the manager the model lives in and did
     *     not free (each step's own are freed with it)
     * @return a warning when they are at least one per step, a leak that grows memory until the run
     *     ends; null otherwise (a few arrays created once, on the first steps, are no leak)
     */
    static String leakWarning(int epoch, int steps, int left, AssembledModel model) {
        if (left < steps || steps == 0) {
            return null;
        }
        ExperimentConfig c = model == null ? null : model.plan().config();
        String components = c == null || c.sharing == null || c.weighting == null ? ""
                : " (sharing " + c.sharing.type + ", weighting " + c.weighting.type + ", or a task head)";
        return String.format(Locale.ROOT, "warning: epoch %d's %,d training steps left %,d arrays in the model's memory, %.1f per"
                + " step, which grows until the run ends: a block%s computes from one of its parameters first (an operation's"
                + " result belongs to its first operand's manager, which for a parameter is the model's); see"
                + " Blocks.assertStepLeavesNoArrays in framework-testkit", epoch, steps, left, (double) left / steps, components);
    }

    /**
     * One optimisation step; returns {losses, weights, present, labelled rows} per task, and
     * {@code [4]} the weighting's total, the sharing strategy's auxiliary loss and the task graph's
     * AITM loss (0 without one), or null unless {@code watchFinite}.
     *
     * @param gatherer reads {@code train}'s rows, their per-interaction values included
     *                 ({@link FeatureGatherer#forRows})
     * @param optimizer applies the gradients; null for the dry step of {@code check} ({@link DryStep}),
     *                  which leaves them unapplied
     * @param scratch memory for the batch's dense features ({@code [0]}) and for each pairwise task's
     *                negatives ({@code [1 + t]}: a second task's gathering into the first's memory
     *                would change the arrays the first's loss holds until the backward pass)
     * @param distillation null, or the teachers whose outputs the distilled tasks' labels are mixed with
     */
    static float[][] step(AssembledModel model, FeatureGatherer gatherer, ExampleSet train, int[] order, int from, int to,
            SplittableRandom random, NDManager manager, FlatAdam optimizer,
            GradientSurgery surgery, boolean[] pairwise, NegativeSampler sampler, FeatureGatherer.Scratch[] scratch,
            Distillation distillation, boolean watchFinite) {
        int b = to - from;
        int taskCount = model.tasks().size();
        double idDropout = model.plan().config().features.idDropout;
        float[][] result = new float[5][];
        try (NDManager batch = manager.newSubManager()) {
            // the step's store: a block that computes from a parameter (whose array, and every result whose
            // first operand it is, belongs to the manager kept for the whole run) attaches its results to
            // the store's manager, so they are freed with the step (AuxiliaryLoss)
            ParameterStore ps = new ParameterStore(batch, false);
            NDList inputs = gatherer.gather(batch, train.users(), train.items(), order, from, to, idDropout, random, scratch[0]);
            NDArray[] labelArrays = new NDArray[taskCount];
            NDArray[] maskArrays = new NDArray[taskCount];
            float[] present = new float[taskCount];
            float[] counts = new float[taskCount];
            for (int t = 0; t < taskCount; t++) {
                labelArrays[t] = batchLabels(batch, train, t, order, from, to);
                float[] m = new float[b];
                float[] mask = train.mask(t);
                // a pairwise loss is a mean over the batch's labelled positives: they weigh its batch in the epoch's loss
                float[] positives = pairwise[t] ? train.labels(t) : null;
                for (int i = 0; i < b; i++) {
                    m[i] = mask[order[from + i]];
                    if (m[i] > 0) {
                        present[t] = 1f;
                        if (positives == null || positives[order[from + i]] > 0) {
                            counts[t] += m[i];
                        }
                    }
                }
                maskArrays[t] = batch.create(m);
            }
            if (distillation != null) {
                // the teachers score the same inputs, outside the collector: nothing of theirs is trained
                labelArrays = distillation.targets(inputs, labelArrays, maskArrays, ps);
            }
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDList outputs = model.block().forward(ps, inputs, true);
                boolean[] pairwiseHere = new boolean[taskCount];
                for (int t = 0; t < taskCount; t++) {
                    pairwiseHere[t] = pairwise[t] && present[t] > 0;
                }
                NDList losses = taskLosses(model, outputs, labelArrays, maskArrays, pairwiseHere);
                for (int t = 0; t < taskCount; t++) {
                    if (pairwiseHere[t]) {
                        losses.set(t, pairwiseLoss(model, t, gatherer, train, order, from, to, outputs.get(t), sampler, random,
                                batch, ps, idDropout, scratch[1 + t]));
                    }
                }
                NDArray lossVector = NDArrays.stack(losses);
                NDList combined = model.block().combineLosses(ps, lossVector, batch.create(present), true);
                NDArray sharingLoss = model.block().auxiliaryLoss(ps, true);
                NDArray dependencyLoss = model.block().dependencyLoss(outputs, maskArrays);
                NDArray auxiliary = add(sharingLoss, dependencyLoss);
                result[0] = lossVector.toFloatArray();
                result[2] = present;
                result[3] = counts;
                // read for the divergence check, as the task losses are, until it has warned once
                result[4] = watchFinite ? new float[] {combined.get(0).getFloat(), sharingLoss == null ? 0f : sharingLoss.getFloat(),
                        dependencyLoss == null ? 0f : dependencyLoss.getFloat()} : null;
                if (surgery == null) {
                    NDArray total = auxiliary == null ? combined.get(0) : combined.get(0).add(auxiliary);
                    collector.backward(total);
                    result[1] = combined.get(1).toFloatArray();
                } else {
                    result[1] = surgery.backward(losses, result[0], present, auxiliary);
                }
            }
            if (optimizer != null) {
                optimizer.step();
            }
        }
        return result;
    }

    /** @return the indices of the tasks with a {@code calibrate} other than {@code none} */
    private static List<Integer> calibratedTasks(AssembledModel model, ExperimentConfig config) {
        List<Integer> wanted = new ArrayList<>();
        for (ResolvedTask t : model.tasks()) {
            if (!"none".equals(config.tasks.get(t.index()).calibrate)) {
                wanted.add(t.index());
            }
        }
        return wanted;
    }

    /** @return whether task {@code t} is calibrated on its training rows ({@code calibrateOn: train}) */
    private static boolean onTraining(ExperimentConfig config, int t) {
        return "train".equals(config.tasks.get(t).calibrateOn);
    }

    /**
     * The training rows the {@code calibrateOn: train} tasks are fitted on: the first epoch's rows
     * (the same sampled negatives) when one of them is an interaction task; only the attribute
     * rows when all are attribute tasks (their rows do not depend on the interactions, and scoring
     * every interaction row would be wasted); null when none is.
     */
    private static ExampleSet calibrationTrainRows(AssembledModel model, ExperimentConfig config, List<Integer> calibrated,
            Dataset dataset, TrainingRows trainingRows) {
        List<Integer> onTraining = calibrated.stream().filter(t -> onTraining(config, t)).toList();
        if (onTraining.isEmpty()) {
            return null;
        }
        boolean interactions = onTraining.stream().anyMatch(t -> !model.tasks().get(t).labelInfo().attribute());
        return interactions
                ? trainingRows.epoch(dataset, config.seed, 1)
                : ExampleSet.build(new Interactions(new int[0], new int[0], Map.of()), trainingRows.labels(), trainingRows.sampler(), 0,
                        trainingRows.attributeRows());
    }

    /**
     * Fits the calibration of the tasks that ask for it ({@code wanted}) on their labelled
     * validation rows, or training rows with {@code calibrateOn: train}, with the final weights:
     * Platt scaling ({@code platt}) or the logit shift that puts the F1-optimal decision at
     * probability 0.5 ({@code threshold}).
     */
    private static void calibrate(AssembledModel model, FeatureGatherer gatherer, ExampleSet valid, ExampleSet trainRows,
            List<Integer> wanted, ExperimentConfig config, PrintStream log, NDManager manager) {
        // each set of rows is scored once; a task's own outputs are scored before its calibration is set
        Map<ExampleSet, float[][]> scored = new java.util.IdentityHashMap<>();
        Map<ExampleSet, float[][]> scoredCold = new java.util.IdentityHashMap<>();
        Map<ExampleSet, float[][]> scoredColdItems = new java.util.IdentityHashMap<>();
        for (int t : wanted) {
            boolean onTraining = onTraining(config, t);
            ExampleSet rows = onTraining ? trainRows : valid;
            float[][] outputs = scored.computeIfAbsent(rows,
                    r -> Evaluator.outputs(model, gatherer, r, config.training.evalBatchSize, manager));
            // the same rows with every user read as new (side features only, no id, no history),
            // scored before this task's calibration is set, as its outputs above were
            float[][] coldOutputs = !config.tasks.get(t).calibrateColdUsers ? null : scoredCold.computeIfAbsent(rows,
                    r -> Evaluator.outputs(model, gatherer.asUnknownUsers(), r, config.training.evalBatchSize, manager));
            float[][] coldItemOutputs = !config.tasks.get(t).calibrateColdItems ? null : scoredColdItems.computeIfAbsent(rows,
                    r -> Evaluator.outputs(model, gatherer.asUnknownItems(), r, config.training.evalBatchSize, manager));
            String source = onTraining ? "training" : "validation";
            int width = rows.width(t);
            float[] mask = rows.mask(t);
            float[] labels = rows.labels(t);
            int n = rows.labelled(t);
            float[] x = labelledValues(outputs[t], mask, width, n);
            float[] y = labelledValues(labels, mask, width, n);
            String kind = config.tasks.get(t).calibrate;
            String name = model.tasks().get(t).name();
            int notFinite = notFinite(x);
            if (notFinite > 0) {
                // a diverged run: no map fits NaN outputs, and its metrics say NaN; the run ends and is
                // recorded as diverged (benchmark, tune) instead of failing after its training
                log.printf(Locale.ROOT, "warning: %s not calibrated: %,d of its %,d outputs on the %s rows are not finite numbers"
                        + " (training diverged?)%n", name, notFinite, n, source);
                continue;
            }
            double[] ab;
            try {
                if (!"threshold".equals(kind)) {
                    ab = fitMap(kind, x, y);
                    String reorders = reorders(ab);
                    if (reorders != null) {
                        // a map with a <= 0 would tie or reverse the order of the scores, which a calibration never changes
                        log.printf(Locale.ROOT, "warning: %s not calibrated: the %s map fitted on %,d %s rows, %s, would %s the order of"
                                + " its scores (its outputs do not rank the labels there)%n", name, kind, n, source, describeMap(kind, ab),
                                reorders);
                        continue;
                    }
                    log.printf(Locale.ROOT, "calibrated %s on %,d %s rows: %s%n", name, n, source, describeMap(kind, ab));
                } else {
                    double threshold = F1Threshold.fit(x, y);
                    ab = new double[] {1, -threshold};
                    log.printf(Locale.ROOT, "calibrated %s on %,d %s rows: decision at logit %.4f (probability %.4f),"
                            + " F1 %.4f there against %.4f at probability 0.5%n", name, n, source, threshold,
                            1 / (1 + Math.exp(-threshold)), F1Threshold.f1(x, y, threshold), F1Threshold.f1(x, y, 0));
                }
            } catch (IllegalArgumentException e) {
                throw new dev.taskweave.core.config.ConfigException(model.plan().source(), "tasks[" + t + "].calibrate", 0,
                        "cannot fit " + kind + " on the " + source + " rows: " + e.getMessage());
            }
            model.block().setCalibration(t, ab);
            if (config.tasks.get(t).calibrateColdUsers) {
                double[] cold = fitColdMap(model, t, "users", kind, labelledValues(coldOutputs[t], mask, width, n), y, source, log);
                model.block().setColdCalibration(t, cold);
            }
            if (config.tasks.get(t).calibrateColdItems) {
                double[] cold = fitColdMap(model, t, "items", kind, labelledValues(coldItemOutputs[t], mask, width, n), y, source, log);
                model.block().setColdItemCalibration(t, cold);
            }
        }
    }

    /**
     * @return what an affine map {@code a·x + b} would do to the order of the scores it is applied
     *     to, "flatten" ({@code a = 0}) or "reverse" ({@code a < 0}), or null when it keeps it
     */
    static String reorders(double[] ab) {
        return ab[0] > 0 ? null : ab[0] == 0 ? "flatten" : "reverse";
    }

    /** @return the task's labelled values on {@code set} that are 0 and that are 1 */
    private static long[] classCounts(ExampleSet set, int t) {
        long[] counts = new long[2];
        float[] mask = set.mask(t);
        float[] labels = set.labels(t);
        int width = set.width(t);
        for (int i = 0; i < set.size(); i++) {
            if (mask[i] > 0) {
                for (int k = 0; k < width; k++) {
                    float y = labels[i * width + k];
                    if (y == 0f) {
                        counts[0]++;
                    } else if (y == 1f) {
                        counts[1]++;
                    }
                }
            }
        }
        return counts;
    }

    /** @return how many of {@code values} are NaN or infinite */
    static int notFinite(float[] values) {
        int count = 0;
        for (float v : values) {
            if (!Float.isFinite(v)) {
                count++;
            }
        }
        return count;
    }

    /**
     * @param entities "users" or "items": whose ids the outputs {@code x} were scored without
     * @return the map for {@code entities} the model does not know, fitted and logged, or null
     *     (with a warning) when it would not keep the order of the scores ({@link #reorders})
     */
    private static double[] fitColdMap(AssembledModel model, int t, String entities, String kind, float[] x, float[] y,
            String source, PrintStream log) {
        double[] cold;
        try {
            cold = fitMap(kind, x, y);
        } catch (IllegalArgumentException e) {
            throw new dev.taskweave.core.config.ConfigException(model.plan().source(), "tasks[" + t + "].calibrateCold"
                    + Character.toUpperCase(entities.charAt(0)) + entities.substring(1), 0,
                    "cannot fit " + kind + " on the " + source + " rows: " + e.getMessage());
        }
        String reorders = reorders(cold);
        if (reorders != null) {
            // as for the task's own map: a reversed or flattened order is no calibration; the known entities' map serves them
            log.printf(Locale.ROOT, "warning: %s has no map of its own for %s the model does not know: the one fitted on the rows read"
                    + " as new %s, %s, would %s the order of its scores; they take the map of known %s%n", model.tasks().get(t).name(),
                    entities, entities, describeMap(kind, cold), reorders, entities);
            return null;
        }
        log.printf(Locale.ROOT, "calibrated %s for %s the model does not know, on the same rows read as new %s: %s%n",
                model.tasks().get(t).name(), entities, entities, describeMap(kind, cold));
        return cold;
    }

    /** @return the affine map {@code {a, b}} of {@code calibrate: platt} or {@code linear} fitted on outputs {@code x} and labels {@code y} */
    private static double[] fitMap(String kind, float[] x, float[] y) {
        return "linear".equals(kind) ? LinearCalibration.fit(x, y) : PlattScaling.fit(x, y);
    }

    /** @return how the log states a map of {@link #fitMap} */
    private static String describeMap(String kind, double[] ab) {
        return String.format(Locale.ROOT, "linear".equals(kind) ? "%.4f * output %+.4f" : "p = sigmoid(%.4f * logit %+.4f)", ab[0], ab[1]);
    }

    /** @return the {@code width} values of each of the {@code n} rows whose mask is set, in row order */
    private static float[] labelledValues(float[] perRow, float[] mask, int width, int n) {
        float[] values = new float[n * width];
        int k = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] > 0) {
                System.arraycopy(perRow, i * width, values, k, width);
                k += width;
            }
        }
        return values;
    }

    /** Runs {@code action} on the averaged weights when training averages them, else on the weights as they are. */
    private static <T> T evaluate(WeightAverage average, java.util.function.Supplier<T> action) {
        return average == null ? action.get() : average.withAverage(action);
    }

    private static NDArray add(NDArray a, NDArray b) {
        return a == null ? b : b == null ? a : a.add(b);
    }

    /**
     * @param columns   the training rows' per-interaction feature columns
     * @param positives per negative drawn for a pairwise task, the row of its positive
     * @param features  the features the model reads
     * @return the negatives' columns: each reads the moment of its positive (the same user at the
     *     same time), except a pair feature's value, which belongs to the positive's pair: without
     *     a column the gatherer scores the negative's own pair
     */
    static Map<String, float[]> negativeMoments(Map<String, float[]> columns, int[] positives, List<FeatureSpec> features) {
        java.util.Set<String> pairs = features.stream().filter(FeatureSpec::pair).map(FeatureSpec::name)
                .collect(java.util.stream.Collectors.toSet());
        Map<String, float[]> moments = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, float[]> column : columns.entrySet()) {
            if (pairs.contains(column.getKey())) {
                continue;
            }
            float[] values = new float[positives.length];
            for (int k = 0; k < positives.length; k++) {
                values[k] = column.getValue()[positives[k]];
            }
            moments.put(column.getKey(), values);
        }
        return moments;
    }

    /**
     * A pairwise task's loss: every positive row of the batch is paired with an item the same user
     * has not interacted with in training, scored by a second forward pass.
     */
    private static NDArray pairwiseLoss(AssembledModel model, int task, FeatureGatherer gatherer, ExampleSet train, int[] order,
            int from, int to, NDArray output, NegativeSampler sampler, SplittableRandom random, NDManager batch, ParameterStore ps,
            double idDropout, FeatureGatherer.Scratch scratch) {
        float[] mask = train.mask(task);
        float[] labels = train.labels(task);
        int[] rows = java.util.stream.IntStream.range(from, to)
                .filter(i -> mask[order[i]] > 0 && labels[order[i]] > 0).toArray();
        ResolvedTask t = model.tasks().get(task);
        if (rows.length == 0) {
            return Scalars.mul(output.sum(), 0);
        }
        int[] users = new int[rows.length];
        int[] items = new int[rows.length];
        int[] identity = new int[rows.length];
        long[] positions = new long[rows.length];
        for (int k = 0; k < rows.length; k++) {
            users[k] = train.users()[order[rows[k]]];
            items[k] = sampler.sample(users[k], random);
            identity[k] = k;
            positions[k] = rows[k] - from;
        }
        int[] positives = new int[rows.length];
        for (int k = 0; k < rows.length; k++) {
            positives[k] = order[rows[k]];
        }
        Map<String, float[]> moments = negativeMoments(train.features(), positives, gatherer.features());
        NDList inputs = gatherer.forRows(moments).gather(batch, users, items, identity, 0, rows.length, idDropout, random, scratch);
        NDArray negative = model.block().forward(ps, inputs, true).get(task);
        NDArray positive = output.get(new ai.djl.ndarray.index.NDIndex("{}", batch.create(positions)));
        return HeadCalls.pairwiseLoss(model.plan().source(), t, positive, negative);
    }

    /** @return a task's labels for rows {@code order[from..to)}: {@code [b]}, or {@code [b, width]} */
    static NDArray batchLabels(NDManager manager, ExampleSet set, int task, int[] order, int from, int to) {
        int width = set.width(task);
        int b = to - from;
        float[] labels = set.labels(task);
        float[] y = new float[b * width];
        for (int i = 0; i < b; i++) {
            System.arraycopy(labels, order[from + i] * width, y, i * width, width);
        }
        return width == 1 ? manager.create(y) : manager.create(y, new ai.djl.ndarray.types.Shape(b, width));
    }

    static NDList taskLosses(AssembledModel model, NDList outputs, NDArray[] labels, NDArray[] masks) {
        return taskLosses(model, outputs, labels, masks, new boolean[labels.length]);
    }

    /**
     * @param skip per task, true to leave its entry null (a pairwise task whose loss the caller
     *             computes from paired rows instead)
     * @return per task, the head's masked loss as a scalar
     */
    static NDList taskLosses(AssembledModel model, NDList outputs, NDArray[] labels, NDArray[] masks, boolean[] skip) {
        NDList losses = new NDList(labels.length);
        String source = model.plan().source();
        for (int t = 0; t < labels.length; t++) {
            if (skip[t]) {
                losses.add(null);
                continue;
            }
            ResolvedTask task = model.tasks().get(t);
            NDArray out = outputs.get(t);
            NDArray y = labels[t];
            NDArray m = masks[t];
            losses.add(HeadCalls.loss(source, task, out, y, m));
        }
        return losses;
    }

    private static int[] permutation(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }

    private static ProgressBar progressBar(ExperimentConfig config, int epoch, int batches, PrintStream log) {
        if (!config.training.progressBar || System.console() == null) {
            return null;
        }
        return new ProgressBarBuilder()
                .setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, config.training.epochs))
                .setInitialMax(batches)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .continuousUpdate()
                .clearDisplayOnFinish()
                .build();
    }

    private static String lossMessage(List<ResolvedTask> tasks, double[] sums, double[] counts) {
        StringBuilder sb = new StringBuilder();
        for (int t = 0; t < tasks.size(); t++) {
            if (t > 0) {
                sb.append(' ');
            }
            sb.append(tasks.get(t).name()).append('=')
                    .append(counts[t] == 0 ? "-" : String.format(Locale.ROOT, "%.4f", sums[t] / counts[t]));
        }
        return sb.toString();
    }

    private static String describe(EpochRecord r, int epochs) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d  %.1fs  %,.0f samples/s  loss:", r.epoch(), epochs,
                r.seconds(), r.samplesPerSecond()));
        r.trainLoss().forEach((task, loss) -> sb.append(String.format(Locale.ROOT, " %s=%.4f", task, loss)));
        if (!r.validation().isEmpty()) {
            sb.append("  valid:");
            r.validation().forEach((task, values) -> values.forEach((metric, v) ->
                    sb.append(String.format(Locale.ROOT, " %s.%s=%.4f", task, metric, v))));
        }
        return sb.toString();
    }

    /** Prints the last epoch's task-relationship telemetry and warns about collapsed gates. */
    private static void report(EpochRecord last, PrintStream log) {
        if (!last.gradientCosine().isEmpty()) {
            StringBuilder sb = new StringBuilder("task gradient cosine (shared parameters):");
            last.gradientCosine().forEach((pair, c) -> sb.append(String.format(Locale.ROOT, " %s=%+.3f", pair.replace('|', '/'), c)));
            log.println(sb);
        }
        Telemetry.reportAlignment(last, log);
        last.gateUsage().forEach((task, usage) -> {
            StringBuilder sb = new StringBuilder("gate usage " + task + ":");
            int top = 0;
            for (int e = 0; e < usage.size(); e++) {
                sb.append(String.format(Locale.ROOT, " %.3f", usage.get(e)));
                if (usage.get(e) > usage.get(top)) {
                    top = e;
                }
            }
            log.println(sb);
            if (usage.size() > 1 && usage.get(top) > Telemetry.COLLAPSE) {
                log.printf(Locale.ROOT, "warning: the gate of task %s collapsed onto expert %d (mean weight %.3f)%n", task, top, usage.get(top));
            }
        });
    }

    /** @return PyTorch's seed for one epoch of an experiment */
    static int epochSeed(long seed, int epoch) {
        long z = seed * 0x9E37_79B9_7F4A_7C15L + epoch * 0xBF58_476D_1CE4_E5B9L;
        return (int) (z ^ (z >>> 32));
    }

    private static byte[] snapshot(AssembledModel model) {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(); DataOutputStream out = new DataOutputStream(bytes)) {
            model.block().saveParameters(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return the error of a checkpoint whose identity matches this experiment (the same YAML and
     *     teachers) but whose saved state does not fit the model built now: a plugin that lays out
     *     its parameters otherwise since the checkpoint was written
     */
    private static CheckpointException doesNotFit(java.nio.file.Path file, String what, RuntimeException e) {
        String cause = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
        return new CheckpointException(file + " does not fit the model this experiment builds now: its " + what + " (" + cause
                + ") were laid out by another (was a plugin upgraded since it was written?); delete it to train from the start");
    }

    private static void restore(AssembledModel model, byte[] parameters, NDManager manager) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(parameters))) {
            model.block().loadParameters(manager, in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ai.djl.MalformedModelException e) {
            throw new IllegalStateException("cannot restore the model's parameters: " + e.getMessage(), e);
        }
    }

    /**
     * The learning rate per update (the optimiser counts its updates from 1, one per step).
     *
     * @param stepsPerEpoch training steps in one epoch
     * @param epochs        the most epochs training runs
     */
    static Tracker learningRate(dev.taskweave.core.config.OptimizerConfig o, int stepsPerEpoch, int epochs) {
        float lr = (float) o.learningRate;
        float finalRate = o.finalLearningRate() > 0 ? (float) o.finalLearningRate() : lr / 100f;
        Tracker main = switch (o.schedule) {
            // a final rate equal to the rate (in single precision) is a constant one: DJL's cosine refuses it
            case "cosine" -> finalRate >= lr ? Tracker.fixed(lr) : Tracker.cosine().setBaseValue(lr)
                    .optFinalValue(finalRate)
                    .setMaxUpdates(Math.max(1, stepsPerEpoch * epochs - o.warmupSteps)).build();
            case "step" -> {
                // the warm-up tracker hands its main tracker the update count minus the warm-up:
                // decay points are shifted back by it so they stay at epoch boundaries (a point at 0,
                // the warm-up's last update, decays from the next one on); a point inside the warm-up
                // lowers the rate the warm-up rises to
                int periods = Math.max(1, epochs / o.decayEpochs());
                int[] steps = new int[periods];
                int kept = 0;
                float base = lr;
                for (int i = 0; i < periods; i++) {
                    int point = (i + 1) * o.decayEpochs() * stepsPerEpoch - o.warmupSteps;
                    if (point >= 0) {
                        steps[kept++] = point;
                    } else {
                        base *= (float) o.decay();
                    }
                }
                yield new StepDecay(base, Arrays.copyOf(steps, kept), (float) o.decay());
            }
            default -> Tracker.fixed(lr);
        };
        return o.warmupSteps > 0 ? Tracker.warmUp().setMainTracker(main).optWarmUpSteps(o.warmupSteps).build() : main;
    }

    /**
     * A rate multiplied by {@code factor} once past each point, as DJL's multi-factor tracker does
     * (the same products, in the same order), for any number of points, one or none included,
     * and a point at 0: DJL's tracker refuses fewer than two points and a point below 1.
     */
    static final class StepDecay implements Tracker {
        private final float base;
        private final int[] points;
        private final float factor;

        StepDecay(float base, int[] points, float factor) {
            this.base = base;
            this.points = points.clone();
            this.factor = factor;
        }

        @Override
        public float getNewValue(int numUpdate) {
            float value = base;
            for (int point : points) {
                if (numUpdate <= point) {
                    break;
                }
                value *= factor;
            }
            return value;
        }
    }
}
