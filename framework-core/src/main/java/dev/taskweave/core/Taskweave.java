package dev.taskweave.core;

import static java.util.Objects.requireNonNull;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.taskweave.api.DataException;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.FeatureKind;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.model.LabelStatistics;
import dev.taskweave.api.nn.FastDropout;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.config.ExperimentConfig;
import dev.taskweave.core.data.DataFingerprint;
import dev.taskweave.core.data.EntityRow;
import dev.taskweave.core.data.ExampleSet;
import dev.taskweave.core.data.FeatureGatherer;
import dev.taskweave.core.data.ItemNeighbours;
import dev.taskweave.core.data.InvalidFeatureException;
import dev.taskweave.core.plugin.ExtensionRegistry;
import dev.taskweave.core.plugin.PluginRuntime;
import dev.taskweave.core.run.AssembledModel;
import dev.taskweave.core.run.Checkpointing;
import dev.taskweave.core.run.DataReport;
import dev.taskweave.core.run.DryStep;
import dev.taskweave.core.run.Evaluator;
import dev.taskweave.core.run.LabelInfo;
import dev.taskweave.core.run.ModelAssembler;
import dev.taskweave.core.run.NeighbourScores;
import dev.taskweave.core.run.Plan;
import dev.taskweave.core.run.ResolvedTask;
import dev.taskweave.core.run.TaskScorer;
import dev.taskweave.core.run.Trainer;
import dev.taskweave.core.run.TrainingSuspendedException;
import dev.taskweave.core.run.WarmStart;
import dev.taskweave.core.run.TrainingResult;
import dev.taskweave.core.store.AtomicDirectory;
import dev.taskweave.core.store.ModelStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The runtime's entry point: loads the engine and the plugins once, then trains, evaluates and
 * predicts. One instance serves many runs; close it to unload the plugins.
 */
public final class Taskweave implements AutoCloseable {
    private final Injector injector;
    private final PluginRuntime runtime;

    private Taskweave(Injector injector, PluginRuntime runtime) {
        this.injector = injector;
        this.runtime = runtime;
    }

    /**
     * Loads DJL's engine, then the plugins in {@code pluginDirectories}, and wires the runtime.
     */
    public static Taskweave start(List<Path> pluginDirectories) {
        return start(pluginDirectories, new SimpleMeterRegistry());
    }

    /** As {@link #start(List)}, recording meters in {@code meters}. */
    public static Taskweave start(List<Path> pluginDirectories, MeterRegistry meters) {
        return start(pluginDirectories, meters, false);
    }

    /**
     * As {@link #start(List)}, for listing what the plugins provide ({@code taskweave plugins}): a
     * plugin id, type or metric name provided twice, which stops {@link #start(List)}, is recorded in
     * {@link ExtensionRegistry#clashes()} instead (the first of the two registered).
     */
    public static Taskweave startListing(List<Path> pluginDirectories) {
        return start(pluginDirectories, new SimpleMeterRegistry(), true);
    }

    private static Taskweave start(List<Path> pluginDirectories, MeterRegistry meters, boolean listing) {
        PluginRuntime.loadEngine();
        Injector host = Guice.createInjector(new HostModule(meters));
        PluginRuntime runtime = listing ? PluginRuntime.startListing(pluginDirectories, host) : PluginRuntime.start(pluginDirectories, host);
        Injector injector = host.createChildInjector(new RuntimeModule(runtime));
        return new Taskweave(injector, runtime);
    }

    /** @return the injector of this runtime */
    public Injector injector() {
        return injector;
    }

    /** @return what the plugins provide */
    public ExtensionRegistry registry() {
        return runtime.registry();
    }

    /** @return every metric name, the built-in ones and the plugins', sorted */
    public java.util.List<String> metricNames() {
        return injector.getInstance(dev.taskweave.core.metric.MetricRegistry.class).names();
    }

    /** @return the meters training records */
    public MeterRegistry meters() {
        return injector.getInstance(MeterRegistry.class);
    }

    /**
     * Validates the experiment, loads the data, trains and writes the model with
     * {@code metrics.json} to {@code outputDirectory} (atomically).
     */
    public TrainingResult train(Path configFile, Path outputDirectory, PrintStream log) {
        return train(configFile, outputDirectory, log, null);
    }

    /**
     * As {@link #train(Path, Path, PrintStream)}, saving a checkpoint after every epoch and, if
     * asked, resuming from one (see {@link Checkpointing}); the checkpoint is removed once the
     * model is written.
     *
     * @param checkpointing null for none
     * @throws TrainingSuspendedException when the time limit ran out before the last epoch (no
     *     model is written; the checkpoint holds the run)
     */
    public TrainingResult train(Path configFile, Path outputDirectory, PrintStream log, Checkpointing checkpointing) {
        requireNonNull(configFile, "configFile is null");
        checkTrainingTargets(outputDirectory, checkpointing);
        ExperimentConfig config = injector.getInstance(ConfigLoader.class).load(configFile);
        return train(config, configFile, configFile.toAbsolutePath().getParent(), outputDirectory, log, checkpointing);
    }

    /**
     * Checks, before anything is trained, where {@code train --output DIR --checkpoint FILE} would
     * write, so that a mistake is found in a second and not after hours of training, and nothing
     * that is not Taskweave's is overwritten: the output is missing, empty or a model directory
     * and its parent can be written; the checkpoint is not a directory, its directory can be
     * written, and unless resuming it does not exist (an interrupted run's checkpoint, or a file
     * named by mistake).
     *
     * @param checkpointing null for none
     * @throws ConfigException or {@link dev.taskweave.core.run.CheckpointException} naming the
     *     option, the path and what is wrong
     */
    public static void checkTrainingTargets(Path outputDirectory, Checkpointing checkpointing) {
        requireNonNull(outputDirectory, "outputDirectory is null");
        ModelStore.checkWritable(outputDirectory, "--output");
        if (checkpointing != null) {
            checkpointing.checkWritable("--checkpoint", outputDirectory);
            checkpointing.checkFree("--checkpoint"); // a run still going on is not an interrupted one
            checkpointing.checkNothingOverwritten("--checkpoint");
        }
    }

    /**
     * Trains an experiment built in memory (a benchmark's variant of a file: another seed, one
     * task alone).
     *
     * @param config        the experiment
     * @param configFile    the file it came from, named in errors and recorded in the manifest
     * @param baseDirectory what relative data paths are relative to
     */
    public TrainingResult train(ExperimentConfig config, Path configFile, Path baseDirectory, Path outputDirectory,
            PrintStream log) {
        return train(config, configFile, baseDirectory, outputDirectory, log, null);
    }

    /**
     * What {@code train} with {@code --resume} reads back instead of training: the model
     * {@code outputDirectory} holds when it is this experiment's, finished, and trained on the data
     * as it reads now, reading its features as the data declares them now (the data is read to
     * compare its fingerprint and features, only when the rest matches).
     *
     * @param trainedAgain given, when the directory holds this experiment's finished model that has
     *                     to be trained again, the reason: {@code "trained on other data"} or
     *                     {@code "reading its histories otherwise (a model of an earlier release)"}
     * @return the finished run's result, or empty when it has to be trained (again)
     * @throws ConfigException when the directory holds a model of other settings, or a damaged one
     *     ({@link ModelStore#finished}): a suite or search resumed into the wrong output
     */
    public java.util.Optional<TrainingResult> finishedOnThisData(ExperimentConfig config, Path configFile, Path baseDirectory,
            Path outputDirectory, java.util.function.Consumer<String> trainedAgain) {
        requireNonNull(trainedAgain, "trainedAgain is null");
        java.util.Optional<ModelStore.Finished> done = injector.getInstance(ModelStore.class).finishedRun(outputDirectory, config);
        if (done.isEmpty()) {
            return java.util.Optional.empty();
        }
        // the fingerprint is of the data as read, before anything is derived from it: loading it is enough
        ModelAssembler assembler = injector.getInstance(ModelAssembler.class);
        Dataset loaded = assembler.loadData(assembler.plan(config, configFile.toString()), baseDirectory);
        String reason = notReadBack(DataFingerprint.of(loaded).matches(done.get().dataFingerprint()), done.get(), loaded.features());
        if (reason != null) {
            trainedAgain.accept(reason);
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(done.get().result());
    }

    /** @return why a finished model is trained again on the data as it reads now, or null when it is not */
    private static String notReadBack(boolean sameData, ModelStore.Finished done, java.util.List<FeatureSpec> features) {
        return !sameData ? "trained on other data"
                : done.readsAs(features) ? null : "reading its histories otherwise (a model of an earlier release)";
    }

    private java.util.Optional<ModelStore.Finished> finishedRun(Path dir, ExperimentConfig config) {
        try {
            return injector.getInstance(ModelStore.class).finishedRun(dir, config);
        } catch (ConfigException e) {
            return java.util.Optional.empty(); // another model, a damaged one, or none: training replaces it
        }
    }

    /**
     * As {@link #train(ExperimentConfig, Path, Path, Path, PrintStream)}, with a checkpoint after
     * every epoch (see {@link #train(Path, Path, PrintStream, Checkpointing)}).
     *
     * @param checkpointing null for none
     */
    public TrainingResult train(ExperimentConfig config, Path configFile, Path baseDirectory, Path outputDirectory,
            PrintStream log, Checkpointing checkpointing) {
        if (checkpointing == null) {
            return trainClaimed(config, configFile, baseDirectory, outputDirectory, log, null);
        }
        // one run per checkpoint file, for the whole run
        try (AtomicDirectory.Claim claim = checkpointing.claim("checkpoint")) {
            return trainClaimed(config, configFile, baseDirectory, outputDirectory, log, checkpointing);
        }
    }

    private TrainingResult trainClaimed(ExperimentConfig config, Path configFile, Path baseDirectory, Path outputDirectory,
            PrintStream log, Checkpointing checkpointing) {
        requireNonNull(config, "config is null");
        requireNonNull(configFile, "configFile is null");
        requireNonNull(baseDirectory, "baseDirectory is null");
        requireNonNull(outputDirectory, "outputDirectory is null");
        // before the data is read: a model that cannot be written is found before training, not after it
        ModelStore.checkWritable(outputDirectory, "output");
        // teachers saved by an interrupted run are read back when resuming, checkpoint or none
        boolean resuming = checkpointing != null && checkpointing.resume();
        // the checkpoint is deleted once the model is written: the same command run again after the
        // run finished may find its model, which is decided once the data is read
        boolean mayHaveFinished = false;
        if (checkpointing != null) {
            checkpointing.checkWritable("checkpoint", outputDirectory);
            mayHaveFinished = checkpointing.resume() && !Files.exists(checkpointing.file());
        }
        // before the data is read, as the output: a teacher or a warm start that is not a model is
        // found at once (a resumed run takes its parameters from the checkpoint, not from initFrom)
        teacherModels(config, configFile, baseDirectory);
        if (config.training.initFrom != null && !resuming) {
            initFrom(config, configFile, baseDirectory);
        }
        ModelAssembler assembler = injector.getInstance(ModelAssembler.class);
        checkTeacherExperiment(assembler, config, configFile);
        Prepared prepared = prepare(assembler, config, configFile, baseDirectory, log);
        if (mayHaveFinished) {
            java.util.Optional<ModelStore.Finished> done = finishedRun(outputDirectory, config);
            if (done.isPresent()) {
                // this experiment's model is finished only when it was trained on the data just read: a
                // scheduler reruns the same command every day, on the day's data
                String reason = notReadBack(prepared.fingerprint().matches(done.get().dataFingerprint()), done.get(),
                        prepared.features());
                if (reason == null) {
                    log.println("nothing to resume: " + outputDirectory + " holds this experiment's finished model");
                    if (checkpointing != null) {
                        // what the finished run would have removed, had it not been stopped first
                        removeCheckpoint(checkpointing, log);
                    }
                    return done.get().result().asReadBack();
                }
                log.println(outputDirectory + " holds this experiment's model, " + reason + ": training");
            }
        }
        // a checkpoint goes on only with the same teachers: their model files are part of its identity
        Checkpointing.Identity identity = checkpointing == null ? null
                : Checkpointing.Identity.of(injector.getInstance(ConfigLoader.class).canonicalYaml(config)
                + teacherManifests(config, configFile, baseDirectory),
                // a checkpoint of this data recorded in the form before goes on in that form
                prepared.fingerprint().recordedOrCurrent(checkpointing.recordedData()));
        if (checkpointing != null) {
            // a run killed before its first epoch ended left no checkpoint: the same command with --resume starts it
            checkpointing = checkpointing.orFreshStart(log);
            // another experiment's checkpoint, or other data's, is refused now, not after the teachers trained
            checkpointing.checkResumable(identity);
        }
        Plan plan = prepared.plan();
        Dataset dataset = prepared.dataset();
        List<FeatureSpec> features = prepared.features();
        Map<String, LabelStatistics> stats = assembler.labelStatistics(plan, dataset);
        Map<String, LabelInfo> labelInfo = assembler.labelInfo(plan, dataset);
        String fingerprint = prepared.fingerprint().value();
        log.printf(Locale.ROOT, "data: %s, %d users, %d items, splits %s%n", dataset.name(), dataset.users().size(),
                dataset.items().size(), sizes(dataset));
        // what check lists under "warnings", so that a run not checked first still says it
        DataReport.warnings(plan, dataset, features, stats, negatives(assembler, plan, dataset))
                .forEach(w -> log.println("warning: " + w));
        try (NDManager manager = NDManager.newBaseManager()) {
            seed(config.seed);
            AssembledModel model = assembler.assemble(plan, features, stats, labelInfo, manager);
            // the heads' own, which check lists with the data's
            model.warnings().forEach(w -> log.println("warning: " + w));
            log.print(DataReport.parameters(model));
            if (config.training.initFrom != null && (checkpointing == null || !checkpointing.resume())) {
                // a resumed run takes its parameters from the checkpoint
                warmStart(config, configFile, baseDirectory, model, dataset, manager, log);
            }
            // the time limit covers the whole run from its start (Checkpointing.startNanos): the data's
            // reading, the teachers and the model alike
            Teachers teachers = config.training.distillation == null ? Teachers.NONE
                    : teachers(config, configFile, baseDirectory, prepared, stats, labelInfo, assembler, manager, log,
                    checkpointing, resuming);
            if (!teachers.models().isEmpty()) {
                // training teachers drew dropout masks: the model draws its own as it would without them
                seed(config.seed);
            }
            FeatureGatherer gatherer = gatherer(config, prepared);
            dev.taskweave.core.run.Distillation distillation = teachers.models().isEmpty() ? null
                    : dev.taskweave.core.run.Distillation.of(model, teachers.models(), teacherNames(config));
            TrainingResult result = injector.getInstance(Trainer.class).train(model, dataset, gatherer, manager, log,
                    checkpointing, identity, distillation);
            if (distillation != null) {
                // the teachers are part of what training this model cost
                result = result.withTrainSeconds(result.trainSeconds() + teachers.seconds());
            }
            injector.getInstance(ModelStore.class).save(outputDirectory, model, dataset, prepared.neighbours(), fingerprint, configFile,
                    baseDirectory, result);
            if (checkpointing != null) {
                removeCheckpoint(checkpointing, log);
            }
            return result;
        }
    }

    /** Seeds PyTorch's generator and the dropout masks' for an experiment of seed {@code seed}. */
    private static void seed(long seed) {
        Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
        FastDropout.seed(dropoutSeed(seed));
    }

    /**
     * @return the dropout masks' generator seed for an experiment of seed {@code seed}: the seed
     *     mixed (SplitMix64's first output), so that neighbouring seeds draw unrelated streams. The
     *     generator adds the golden-ratio constant G to its state at every draw; seeded with
     *     {@code seed * G + 17}, as before this, seed s's stream after one draw was seed s + 1's,
     *     and seeds 1, 2, 3 of a benchmark (or a model's teachers, 100·seed + 1, 2, 3) drew the same
     *     masks one draw apart.
     */
    static long dropoutSeed(long seed) {
        return new java.util.SplittableRandom(seed).nextLong();
    }

    /** @return the feature gatherer training reads an experiment's batches with */
    private static FeatureGatherer gatherer(ExperimentConfig config, Prepared prepared) {
        return new FeatureGatherer(prepared.features(), prepared.dataset().users(), prepared.dataset().items(),
                ModelAssembler.attributeLabelFeatures(config, prepared.features())).withDropout(config.features.dropout)
                .withHistoryDropout(config.features.historyDropout).withNeighbours(prepared.neighbours());
    }

    /**
     * The teachers of a run and what training them cost (or cost the run that saved them).
     */
    private record Teachers(List<AssembledModel> models, double seconds) {
        static final Teachers NONE = new Teachers(List.of(), 0);
    }

    /**
     * With a checkpoint, each teacher of {@code teachers: n} is saved once trained, as a model in
     * {@code <checkpoint>.teachers/teacher-<k>}, so that a run stopped while training teachers or
     * the model goes on without training them again; the directory is removed with the
     * checkpoint once the model is written.
     *
     * @return the directory the teachers of a checkpointed run are saved in
     */
    public static Path savedTeachers(Path checkpoint) {
        return Checkpointing.teachers(checkpoint);
    }

    /**
     * Removes a checkpoint and the teachers saved beside it once their model is written: what a run
     * does after saving, and what a resumed benchmark does for a run killed between the two.
     * Failures are logged as warnings: the model is written either way.
     */
    public static void removeCheckpoint(Checkpointing checkpointing, PrintStream log) {
        try {
            checkpointing.remove();
        } catch (java.io.IOException e) {
            log.println("warning: the model is written, but its checkpoint " + checkpointing.file()
                    + " could not be removed: " + e.getMessage());
        }
        removeSavedTeachers(checkpointing, log);
    }

    private static void removeSavedTeachers(Checkpointing checkpointing, PrintStream log) {
        Path dir = savedTeachers(checkpointing.file());
        try {
            // renamed to trash first: a kill while the files are deleted never leaves a teacher directory half
            // gone that a later run would take for a saved teacher
            dev.taskweave.core.store.AtomicDirectory.delete(dir);
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            log.println("warning: the model is written, but the teachers saved for resuming in " + dir
                    + " could not be removed: " + e.getMessage());
        }
    }

    /**
     * The teachers of {@code training.distillation}: with {@code teachers: n}, this experiment
     * without distillation trained {@code n} times on the same data (teacher k with seed
     * {@code 100·seed + k}); with {@code models}, the model directories read and checked to read the
     * same inputs (same data, same features).
     *
     * @param checkpointing null, or where trained teachers are saved ({@link #savedTeachers}) and
     *                      what time limit the run has: past it, the run stops after a teacher
     * @param resuming      whether teachers saved by an interrupted run are read back
     */
    private Teachers teachers(ExperimentConfig config, Path configFile, Path baseDirectory, Prepared prepared,
            Map<String, LabelStatistics> stats, Map<String, LabelInfo> labelInfo, ModelAssembler assembler, NDManager manager,
            PrintStream log, Checkpointing checkpointing, boolean resuming) {
        dev.taskweave.core.config.DistillationConfig d = config.training.distillation;
        List<AssembledModel> teachers = new ArrayList<>();
        if (d.teachers == null) {
            List<Path> dirs = teacherModels(config, configFile, baseDirectory);
            for (int i = 0; i < dirs.size(); i++) {
                teachers.add(teacherModel(config, configFile, prepared, dirs.get(i), "training.distillation.models[" + i + "]", manager));
                log.println("distillation: teacher " + (i + 1) + " of " + dirs.size() + " is " + dirs.get(i));
            }
            return new Teachers(teachers, 0);
        }
        ConfigLoader loader = injector.getInstance(ConfigLoader.class);
        ModelStore store = injector.getInstance(ModelStore.class);
        double seconds = 0;
        for (int k = 1; k <= d.teachers; k++) {
            ExperimentConfig teacher = ModelAssembler.teacherConfig(loader, config, k, configFile.toString());
            String path = "training.distillation.teachers (teacher " + k + ")";
            Path saved = checkpointing == null ? null : savedTeachers(checkpointing.file()).resolve("teacher-" + k);
            try {
                if (saved != null && Files.isDirectory(saved) && dev.taskweave.core.store.AtomicDirectory.isEmpty(saved)) {
                    // what a removal stopped halfway (by a release before it renamed first) left: no teacher
                    Files.delete(saved);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot remove the empty " + saved, e);
            }
            if (saved != null && resuming) {
                // a directory of other settings is refused, naming it: the run was changed since it stopped
                java.util.Optional<ModelStore.Finished> finished = store.finishedRun(saved, teacher);
                // a teacher saved on other data (the run rerun on the next day's) is trained again
                // (one saved by an earlier release that reads its features otherwise is refused below:
                // retraining it would change the teachers of a student resumed from its checkpoint)
                java.util.Optional<TrainingResult> before = finished.filter(f -> prepared.fingerprint().matches(f.dataFingerprint()))
                        .map(ModelStore.Finished::result);
                if (finished.isPresent() && before.isEmpty()) {
                    log.printf(Locale.ROOT, "distillation: teacher %d of %d saved in %s was trained on other data: training it"
                            + " again%n", k, d.teachers, saved);
                }
                if (before.isPresent()) {
                    teachers.add(teacherModel(config, configFile, prepared, saved, path, manager));
                    seconds += before.get().trainSeconds();
                    log.printf(Locale.ROOT, "distillation: teacher %d of %d (seed %d) read back from %s%n", k, d.teachers,
                            teacher.seed, saved);
                    continue;
                }
            }
            log.printf(Locale.ROOT, "distillation: training teacher %d of %d (seed %d)%n", k, d.teachers, teacher.seed);
            long start = System.nanoTime();
            Plan plan = assembler.plan(teacher, configFile.toString());
            seed(teacher.seed);
            AssembledModel model = assembler.assemble(plan, prepared.features(), stats, labelInfo, manager);
            if (teacher.training.initFrom != null) {
                warmStart(teacher, configFile, baseDirectory, model, prepared.dataset(), manager, log);
            }
            TrainingResult result = injector.getInstance(Trainer.class).train(model, prepared.dataset(), gatherer(teacher, prepared),
                    manager, log);
            double took = (System.nanoTime() - start) / 1e9;
            seconds += took;
            log.printf(Locale.ROOT, "distillation: teacher %d of %d trained in %.1f s (best epoch %d)%n", k, d.teachers,
                    result.trainSeconds(), result.bestEpoch());
            teachers.add(model);
            if (saved != null) {
                try {
                    Files.createDirectories(saved.getParent());
                } catch (java.io.IOException e) {
                    throw new ConfigException(null, "--checkpoint", 0, "cannot create " + saved.getParent()
                            + " to save the teachers in: " + e.getMessage());
                }
                store.save(saved, model, prepared.dataset(), prepared.neighbours(), prepared.fingerprint().value(), configFile, baseDirectory,
                        result.withTrainSeconds(took));
                if (checkpointing.outOfTime()) {
                    throw TrainingSuspendedException.afterTeacher(k, d.teachers, checkpointing.file(), savedTeachers(checkpointing.file()));
                }
            }
        }
        return new Teachers(teachers, seconds);
    }

    /**
     * Checks an experiment as {@code train} does before it reads the data (its plugins, their
     * params, the ranges and the settings at odds; the teachers' experiment of
     * {@code training.distillation.teacher}), without reading the data or training: a suite or a
     * search checks every experiment it will train before the first one trains.
     *
     * @param source the file named in errors
     * @throws ConfigException naming what is wrong
     */
    public void checkExperiment(ExperimentConfig config, Path source) {
        requireNonNull(config, "config is null");
        requireNonNull(source, "source is null");
        ModelAssembler assembler = injector.getInstance(ModelAssembler.class);
        assembler.plan(config, source.toString());
        checkTeacherExperiment(assembler, config, source);
    }

    /**
     * Checks, before the data is read, the experiment that {@code training.distillation.teacher}
     * makes of this one for its teachers, as an experiment is checked: a sharing strategy's params
     * that do not fit, say, are found now and not after the data was read.
     *
     * @throws ConfigException at {@code training.distillation.teacher}, naming what is wrong in the
     *     teachers' experiment
     */
    private void checkTeacherExperiment(ModelAssembler assembler, ExperimentConfig config, Path configFile) {
        dev.taskweave.core.config.DistillationConfig d = config.training.distillation;
        if (d == null || d.teachers == null || d.teacher == null || d.teacher.isEmpty()) {
            return;
        }
        String source = configFile.toString();
        ExperimentConfig teacher = ModelAssembler.teacherConfig(injector.getInstance(ConfigLoader.class), config, 1, source);
        try {
            assembler.plan(teacher, source);
        } catch (ConfigException e) {
            throw new ConfigException(source, "training.distillation.teacher", 0, "the teachers' experiment it makes is refused: "
                    + (e.path().isEmpty() ? "" : e.path() + ": ") + e.reason());
        }
    }

    /**
     * @return for {@code models:} teachers, each one's {@code model.json} (its files' checksums
     *     and when it was written), so that a checkpoint taken with one set of teachers does not go
     *     on with another; empty otherwise
     */
    private static String teacherManifests(ExperimentConfig config, Path configFile, Path baseDirectory) {
        StringBuilder manifests = new StringBuilder();
        for (Path dir : teacherModels(config, configFile, baseDirectory)) {
            try {
                manifests.append("\n# teacher ").append(dir).append('\n').append(Files.readString(dir.resolve(ModelStore.MANIFEST)));
            } catch (java.io.IOException e) {
                throw new ConfigException(configFile.toString(), "training.distillation.models", 0, "cannot read "
                        + dir.resolve(ModelStore.MANIFEST) + ": " + e.getMessage());
            }
        }
        return manifests.toString();
    }

    /** @return how errors name each teacher of {@code training.distillation} */
    private static List<String> teacherNames(ExperimentConfig config) {
        dev.taskweave.core.config.DistillationConfig d = config.training.distillation;
        List<String> names = new ArrayList<>();
        int n = d.teachers != null ? d.teachers : d.models.size();
        for (int i = 0; i < n; i++) {
            names.add(d.teachers != null ? "training.distillation.teachers (teacher " + (i + 1) + ")"
                    : "training.distillation.models[" + i + "]");
        }
        return names;
    }

    /**
     * @return the model directories of {@code training.distillation.models}, resolved against the
     *     experiment file's directory
     * @throws ConfigException naming the entry that is not a model directory
     */
    private static List<Path> teacherModels(ExperimentConfig config, Path configFile, Path baseDirectory) {
        dev.taskweave.core.config.DistillationConfig d = config.training.distillation;
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; d != null && d.teachers == null && d.models != null && i < d.models.size(); i++) {
            dirs.add(modelDirectory(baseDirectory, d.models.get(i), configFile, "training.distillation.models[" + i + "]"));
        }
        return dirs;
    }

    /**
     * Reads a teacher model and checks that it reads what this experiment's model reads: trained on
     * the same data (its fingerprint), with the same features and neighbourhood scores.
     */
    private AssembledModel teacherModel(ExperimentConfig config, Path configFile, Prepared prepared, Path dir, String path,
            NDManager manager) {
        ModelStore.LoadedModel loaded = injector.getInstance(ModelStore.class).load(dir, manager);
        String source = configFile.toString();
        if (!prepared.fingerprint().matches(loaded.manifest().dataFingerprint)) {
            throw new ConfigException(source, path, 0, dir + " was trained on other data (data fingerprint "
                    + DataFingerprint.abbreviated(loaded.manifest().dataFingerprint) + ", this experiment's "
                    + DataFingerprint.abbreviated(prepared.fingerprint().inFormOf(loaded.manifest().dataFingerprint))
                    + "): a teacher must have been trained on the same data (a source that draws its split or holdouts with"
                    + " the experiment's seed gives other data for another seed)");
        }
        if (!loaded.manifest().features.equals(prepared.features())) {
            throw new ConfigException(source, path, 0, dir + " reads other features: " + featureDifference(
                    loaded.manifest().features, prepared.features()) + "; a teacher reads the inputs of this experiment's model,"
                    + " so its features must be the same (a model saved by an earlier release may read a history otherwise:"
                    + " train the teacher again; for a run's own saved teachers, run it afresh without --resume)");
        }
        ConfigLoader loader = injector.getInstance(ConfigLoader.class);
        if (!loader.mapper().valueToTree(loaded.model().plan().config().features.neighbours)
                .equals(loader.mapper().valueToTree(config.features.neighbours))) {
            throw new ConfigException(source, path, 0, dir + " scores neighbourhoods with other settings (features.neighbours):"
                    + " a teacher reads the neighbourhood scores of this experiment, so its settings must be the same");
        }
        return loaded.model();
    }

    /**
     * @return how a saved model's features differ from this experiment's: the names when they are
     *     other features, else the first feature that differs, as each side declares it
     */
    static String featureDifference(List<FeatureSpec> saved, List<FeatureSpec> here) {
        List<String> names = saved.stream().map(FeatureSpec::name).toList();
        List<String> hereNames = here.stream().map(FeatureSpec::name).toList();
        if (!names.equals(hereNames)) {
            return names + ", where this experiment reads " + hereNames;
        }
        for (int f = 0; f < saved.size(); f++) {
            FeatureSpec a = saved.get(f);
            FeatureSpec b = here.get(f);
            if (!a.equals(b)) {
                // the first record component that differs, each side's value; labels last and by their
                // number (there may be thousands)
                for (java.lang.reflect.RecordComponent c : FeatureSpec.class.getRecordComponents()) {
                    Object there = component(c, a);
                    Object now = component(c, b);
                    if (!c.getName().equals("labels") && !java.util.Objects.equals(there, now)) {
                        return "feature " + names.get(f) + ": " + c.getName() + " " + there + " there, " + now + " here";
                    }
                }
                return "feature " + names.get(f) + ": other labels (" + a.labels().size() + " there, " + b.labels().size() + " here)";
            }
        }
        return "none"; // not reached: the lists differ
    }

    private static Object component(java.lang.reflect.RecordComponent c, FeatureSpec feature) {
        try {
            return c.getAccessor().invoke(feature);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of a feature", e);
        }
    }

    /** Carries a trained model's parameters into {@code model} ({@code training.initFrom}). */
    private void warmStart(ExperimentConfig config, Path configFile, Path baseDirectory, AssembledModel model, Dataset dataset,
            NDManager manager, PrintStream log) {
        Path from = initFrom(config, configFile, baseDirectory);
        try (NDManager old = manager.newSubManager()) {
            ModelStore.LoadedModel loaded = injector.getInstance(ModelStore.class).load(from, old);
            WarmStart.Report report = WarmStart.apply(loaded.model(), loaded.users(), loaded.items(), model, dataset.users(),
                    dataset.items(), manager);
            log.println(report.describe(from.toString()));
        }
    }

    /**
     * @return the model directory {@code training.initFrom} names
     * @throws ConfigException naming the setting when it is not a model directory
     */
    private static Path initFrom(ExperimentConfig config, Path configFile, Path baseDirectory) {
        return modelDirectory(baseDirectory, config.training.initFrom, configFile, "training.initFrom");
    }

    /**
     * @return the model directory a setting names, resolved against {@code baseDirectory}
     * @throws ConfigException at {@code path} when it holds no model
     */
    private static Path modelDirectory(Path baseDirectory, String named, Path configFile, String path) {
        Path dir = baseDirectory.resolve(named).normalize();
        Path previous = dev.taskweave.core.store.AtomicDirectory.previous(dir);
        if (previous != null) {
            // not "the next train --output DIR does": that would replace the model this experiment reads
            throw new ConfigException(configFile.toString(), path, 0, dir + " does not exist: "
                    + ModelStore.interruptedReplacement(dir, previous));
        }
        if (!Files.isRegularFile(dir.resolve(ModelStore.MANIFEST))) {
            throw new ConfigException(configFile.toString(), path, 0, dir + " is not a model directory ("
                    + ModelStore.MANIFEST + " is missing); name a directory written by train");
        }
        return dir;
    }

    /**
     * Validates an experiment, reads its data and builds its graph without training: the report
     * of {@code taskweave check} ({@link DataReport}), without its dry step.
     */
    public String check(Path configFile, PrintStream log) {
        return check(configFile, null, log);
    }

    /**
     * As {@link #check(Path, PrintStream)}, and with {@code against} (a model directory) what
     * the data holds that the model has not seen ({@link DataReport#compare}).
     *
     * @param against null for none
     */
    public String check(Path configFile, Path against, PrintStream log) {
        return check(configFile, against, log, false);
    }

    /**
     * As {@link #check(Path, Path, PrintStream)}, and with {@code dryStep} one training step on the
     * first batch of the training rows, gradients computed and not applied, then on that batch what
     * the end of an epoch calls (scores and metrics, the gates' usage, the weighting's
     * {@code epochEnded}) ({@link DryStep}): what {@code taskweave check} runs, so that a plugin
     * that fails in its step or its first epoch's end does so here, as it would in {@code train}. The step draws from
     * PyTorch's generator: only for a process that trains nothing after it (the command), never
     * for the checks of {@code benchmark} and {@code tune}.
     *
     * @param against null for none
     * @param dryStep whether to run the step
     */
    public String check(Path configFile, Path against, PrintStream log, boolean dryStep) {
        requireNonNull(configFile, "configFile is null");
        ExperimentConfig config = injector.getInstance(ConfigLoader.class).load(configFile);
        ModelAssembler assembler = injector.getInstance(ModelAssembler.class);
        checkTeacherExperiment(assembler, config, configFile);
        // model directories the experiment names, before the data is read
        if (config.training.initFrom != null) {
            initFrom(config, configFile, configFile.toAbsolutePath().getParent());
        }
        teacherModels(config, configFile, configFile.toAbsolutePath().getParent());
        Prepared p = prepare(assembler, config, configFile, configFile.toAbsolutePath().getParent(), log);
        Map<String, LabelStatistics> stats = assembler.labelStatistics(p.plan(), p.dataset());
        // the graph too, as train builds it before training: what only the assembled model can
        // check (heads' parameters, calibration, task graph, wide parts) fails here as it would there
        String report;
        try (NDManager manager = NDManager.newBaseManager()) {
            if (dryStep) {
                // the parameters train starts from (without initFrom), so that the step's losses are the same at every check
                seed(config.seed);
            }
            Map<String, LabelInfo> labelInfo = assembler.labelInfo(p.plan(), p.dataset());
            AssembledModel model = assembler.assemble(p.plan(), p.features(), stats, labelInfo, manager);
            // teacher models are read and checked as train reads them (same data, features, tasks)
            List<Path> dirs = teacherModels(config, configFile, configFile.toAbsolutePath().getParent());
            List<AssembledModel> teachers = new ArrayList<>();
            for (int i = 0; i < dirs.size(); i++) {
                teachers.add(teacherModel(config, configFile, p, dirs.get(i), "training.distillation.models[" + i + "]", manager));
            }
            dev.taskweave.core.run.Distillation distillation = teachers.isEmpty() ? null
                    : dev.taskweave.core.run.Distillation.of(model, teachers, teacherNames(config));
            DryStep step = null;
            if (dryStep) {
                if (distillation == null && config.training.distillation != null) {
                    // teachers: n are trained by train, not here: the first one's experiment, untrained, gives
                    // the distilled tasks' targets, so that the heads' distillation methods run too
                    ExperimentConfig teacher = ModelAssembler.teacherConfig(injector.getInstance(ConfigLoader.class), config, 1,
                            configFile.toString());
                    AssembledModel standIn = assembler.assemble(assembler.plan(teacher, configFile.toString()), p.features(), stats,
                            labelInfo, manager);
                    distillation = dev.taskweave.core.run.Distillation.of(model, List.of(standIn), teacherNames(config).subList(0, 1));
                }
                step = DryStep.run(model, p.dataset(), gatherer(config, p), manager, distillation);
            }
            report = DataReport.render(p.plan(), p.dataset(), p.features(), stats, model, negatives(assembler, p.plan(), p.dataset()),
                    step);
        }
        if (against == null) {
            return report;
        }
        ModelStore.Description model = injector.getInstance(ModelStore.class).describe(against);
        // label means of the tasks whose labels are values (not implicit feedback, not an attribute's classes)
        Map<String, Double> means = new LinkedHashMap<>();
        for (dev.taskweave.core.config.TaskConfig t : config.tasks) {
            if (!dev.taskweave.api.model.TaskContext.OBSERVED.equals(t.label) && !p.dataset().attributes().containsKey(t.label)) {
                model.manifest().tasks.stream().filter(e -> e.name.equals(t.name)).findFirst()
                        .ifPresent(e -> means.put(t.name, e.labelMean));
            }
        }
        Map<String, String> modelTasks = new LinkedHashMap<>();
        model.manifest().tasks.forEach(e -> modelTasks.put(e.name, e.label));
        return report + DataReport.compare(against + " (" + model.manifest().name + ", trained " + model.manifest().createdAt + ")",
                p.dataset(), p.features(), stats, model.users(), model.items(), model.manifest().features, means, modelTasks);
    }

    /**
     * A validated experiment, its data (with the pair feature of {@code features.neighbours}), the
     * features its encoder reads, the neighbourhood scores by feature name and the fingerprint
     * of the data as the source gave it (what the experiment derives from it follows from the config).
     */
    private record Prepared(Plan plan, Dataset dataset, List<FeatureSpec> features, Map<String, ItemNeighbours> neighbours,
            DataFingerprint fingerprint) {}

    /** What {@code train} and {@code check} do before training: validate, load the data, check labels, choose features. */
    private static Prepared prepare(ModelAssembler assembler, ExperimentConfig config, Path configFile, Path baseDirectory,
            PrintStream log) {
        String source = configFile.toString();
        Plan plan = assembler.plan(config, source);
        Dataset loaded = assembler.loadData(plan, baseDirectory);
        assembler.checkLabels(plan, loaded);
        NeighbourScores.Derived derived = NeighbourScores.derive(config, loaded, source);
        Dataset dataset = derived.dataset();
        List<FeatureSpec> features = assembler.selectFeatures(config, dataset, source, log);
        ModelAssembler.checkBatchSizes(config, features, source, true);
        return new Prepared(plan, dataset, features, derived.neighbours(), DataFingerprint.of(loaded));
    }

    /** Per task, the negatives its head draws per training row, for the data report's warnings. */
    private static Map<String, Integer> negatives(ModelAssembler assembler, Plan plan, Dataset dataset) {
        Map<String, Integer> negatives = new LinkedHashMap<>();
        assembler.taskLabels(plan, dataset).forEach(labels -> negatives.put(labels.name(), labels.negatives()));
        return negatives;
    }

    private static Map<String, Integer> sizes(Dataset dataset) {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        dataset.splits().forEach((name, split) -> sizes.put(name, split.size()));
        return sizes;
    }

    /**
     * Loads a model, re-reads its data (which must be unchanged) and evaluates every split as
     * training did.
     *
     * @return split, then task, then metric
     */
    public Map<String, Map<String, Map<String, Double>>> evaluate(Path modelDirectory) {
        ModelStore store = injector.getInstance(ModelStore.class);
        ModelAssembler assembler = injector.getInstance(ModelAssembler.class);
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelStore.LoadedModel loaded = store.load(modelDirectory, manager);
            AssembledModel model = loaded.model();
            ModelAssembler.checkBatchSizes(model.plan().config(), model.features(), model.plan().source(), false);
            ModelAssembler.checkEvaluationHeap(model.features(), loaded.users(), loaded.items(), modelDirectory.toString());
            // the data as the source gives it: only training reads what features.neighbours derives from it
            Dataset dataset = assembler.loadData(model.plan(), Path.of(loaded.manifest().baseDirectory));
            DataFingerprint fingerprint = DataFingerprint.of(dataset);
            if (!fingerprint.matches(loaded.manifest().dataFingerprint)) {
                throw new DataException(model.plan().config().data.type, 0, "the data differs from what the model in "
                        + modelDirectory + " was trained on (fingerprint "
                        + DataFingerprint.abbreviated(fingerprint.inFormOf(loaded.manifest().dataFingerprint)) + " instead of "
                        + DataFingerprint.abbreviated(loaded.manifest().dataFingerprint) + ")");
            }
            FeatureGatherer gatherer = new FeatureGatherer(model.features(), loaded.users(), loaded.items(),
                    ModelAssembler.attributeLabelFeatures(model.plan().config(), model.features())).withNeighbours(loaded.neighbours());
            Map<String, ExampleSet> sets = Trainer.evaluationSets(dataset, model.taskLabels(dataset), model.plan().config().seed);
            return Evaluator.evaluateSplits(model, gatherer, dataset, sets, manager);
        }
    }

    /**
     * @throws DataException when {@code input}, the pairs file {@code predict} reads, is a directory
     *     or does not exist
     */
    public static void requirePairsFile(Path input) {
        if (Files.isDirectory(input)) {
            throw new DataException(input.toString(), 0, "is a directory; expected a TSV file of user and item ids");
        }
        if (!Files.exists(input)) {
            throw new DataException(input.toString(), 0, "file not found");
        }
    }

    /**
     * Scores (user, item) pairs read from a TSV file ({@code user<TAB>item} per line, an optional
     * header whose first field is {@code user} on the first line that is not blank, a UTF-8 byte
     * order mark ignored; a header may name more columns after {@code item},
     * per-interaction features of the model, whose cells give each pair's moment, an empty cell
     * the user's current value) and writes {@code user item <task>...} rows, or with context
     * columns {@code user item <task>... <context>...} rows, each context cell as the input gives
     * it (surrounding whitespace removed, as from the ids), so that every output row names the
     * input row it scores without relying on the order of the rows; a task with
     * several outputs (a multi-label or multi-class attribute) writes them comma-separated. An
     * entity-attribute task is scored on rows with its entity alone, as in training and evaluation,
     * so an item's attribute scores do not depend on the user of the pair.
     *
     * @param tasks the tasks to output, each once however often it is named; all when empty
     * @return the number of rows scored
     * @throws DataException naming {@code input} when it is missing, a directory, unreadable or malformed
     */
    public int predict(Path modelDirectory, Path input, Writer output, List<String> tasks) throws IOException {
        ModelStore store = injector.getInstance(ModelStore.class);
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelStore.LoadedModel loaded = store.load(modelDirectory, manager);
            AssembledModel model = loaded.model();
            ModelAssembler.checkBatchSizes(model.plan().config(), model.features(), model.plan().source(), false);
            List<ResolvedTask> selected = new ArrayList<>();
            for (String name : tasks) {
                ResolvedTask t = model.task(name);
                if (t == null) {
                    List<String> names = model.tasks().stream().map(ResolvedTask::name).toList();
                    throw new ConfigException(null, "--tasks", 0, "the model has no task '" + name + "'; it has " + names);
                }
                if (!selected.contains(t)) {
                    // a task named twice is written once: one column per task
                    selected.add(t);
                }
            }
            if (selected.isEmpty()) {
                selected.addAll(model.tasks());
            }
            List<String> rawUsers = new ArrayList<>();
            List<String> rawItems = new ArrayList<>();
            List<Integer> users = new ArrayList<>();
            List<Integer> items = new ArrayList<>();
            // per-interaction features named by the header after user and item: each row's moment
            List<String> contextNames = new ArrayList<>();
            List<List<Float>> contextValues = new ArrayList<>();
            // each row's context cells as read (stripped, as parsed), written back beside its scores
            List<String[]> contextCells = new ArrayList<>();
            String source = input.toString();
            requirePairsFile(input);
            try (BufferedReader reader = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
                String line;
                int number = 0;
                boolean first = true;
                while ((line = reader.readLine()) != null) {
                    number++;
                    if (number == 1 && line.startsWith("\uFEFF")) {
                        // a byte order mark (spreadsheets write one) is not part of the first field
                        line = line.substring(1);
                    }
                    String[] fields = line.split("\t", -1);
                    // a line of spaces is blank; one with a tab has fields, empty ones (an error below, not skipped)
                    if (line.isBlank() && line.indexOf('\t') < 0) {
                        continue;
                    }
                    // a header names its first column user (a first id that merely starts with "user" is a
                    // row), unless the model has that user and the second field's item: then it is a pair
                    boolean header = first && fields[0].strip().equalsIgnoreCase("user")
                            && !(loaded.users().indexOf(fields[0].trim()) >= 0 && fields.length > 1 && loaded.items().indexOf(fields[1].trim()) >= 0);
                    first = false;
                    if (header) {
                        contextNames.addAll(contextColumns(model.features(), fields, source, number));
                        contextNames.forEach(name -> contextValues.add(new ArrayList<>()));
                        continue;
                    }
                    if (fields.length != 2 + contextNames.size()) {
                        throw new DataException(source, number, "expected " + (2 + contextNames.size()) + " tab-separated fields (user, item"
                                + contextNames.stream().map(n -> ", " + n).collect(java.util.stream.Collectors.joining()) + "), found "
                                + fields.length);
                    }
                    String[] cells = new String[contextNames.size()];
                    for (int c = 0; c < contextNames.size(); c++) {
                        cells[c] = fields[2 + c].strip();
                        contextValues.get(c).add(contextValue(model.features(), contextNames.get(c), cells[c], source, number));
                    }
                    int u = loaded.users().indexOf(fields[0].trim());
                    if (u < 0) {
                        throw new DataException(source, number, "unknown user '" + fields[0].trim() + "'; the model knows "
                                + loaded.users().size() + " users");
                    }
                    int i = loaded.items().indexOf(fields[1].trim());
                    if (i < 0) {
                        throw new DataException(source, number, "unknown item '" + fields[1].trim() + "'; the model knows "
                                + loaded.items().size() + " items");
                    }
                    rawUsers.add(fields[0].trim());
                    rawItems.add(fields[1].trim());
                    contextCells.add(cells);
                    users.add(u);
                    items.add(i);
                }
            } catch (NoSuchFileException e) {
                throw new DataException(source, 0, "file not found");
            } catch (java.nio.file.AccessDeniedException e) {
                throw new DataException(source, 0, "permission denied");
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new DataException(source, dev.taskweave.api.data.TextFiles.firstUndecodableLine(input, StandardCharsets.UTF_8),
                        "not UTF-8 text");
            }
            // hides the attribute tasks' labels and hideFeatures on attribute rows only
            FeatureGatherer gatherer = new FeatureGatherer(model.features(), loaded.users(), loaded.items(),
                    ModelAssembler.attributeLabelFeatures(model.plan().config(), model.features())).withNeighbours(loaded.neighbours());
            int[] userIndex = users.stream().mapToInt(Integer::intValue).toArray();
            int[] itemIndex = items.stream().mapToInt(Integer::intValue).toArray();
            int[] taskIndex = selected.stream().mapToInt(ResolvedTask::index).toArray();
            int batch = model.plan().config().training.evalBatchSize;
            // per selected task, pairs x outputs; attribute tasks on rows with their entity alone
            float[][] scores = new float[taskIndex.length][];
            for (int from = 0; from < userIndex.length; from += batch) {
                int to = Math.min(userIndex.length, from + batch);
                Map<String, float[]> moments = new java.util.LinkedHashMap<>();
                for (int c = 0; c < contextNames.size(); c++) {
                    float[] column = new float[to - from];
                    for (int r = from; r < to; r++) {
                        column[r - from] = contextValues.get(c).get(r);
                    }
                    moments.put(contextNames.get(c), column);
                }
                float[][] part = TaskScorer.scorePairs(model, gatherer.forRows(moments), java.util.Arrays.copyOfRange(userIndex, from, to),
                        java.util.Arrays.copyOfRange(itemIndex, from, to), taskIndex, manager);
                for (int t = 0; t < taskIndex.length; t++) {
                    int width = part[t].length / (to - from);
                    if (scores[t] == null) {
                        scores[t] = new float[userIndex.length * width];
                    }
                    System.arraycopy(part[t], 0, scores[t], from * width, part[t].length);
                }
            }
            // the context columns, named as the input's header names them, after the scores: a row
            // joins back to its input row by its user, item and moment, not its position, and the
            // scores keep their columns (3 on) with context or without. A cell holds neither a tab
            // nor a line break (the input is split on them), so it is written as it was read, as
            // the ids are
            StringBuilder header = new StringBuilder("user\titem");
            java.util.Set<String> taken = new java.util.HashSet<>(List.of("user", "item"));
            for (ResolvedTask t : selected) {
                header.append('\t').append(t.name());
                taken.add(t.name());
            }
            for (String name : contextNames) {
                // a context column named as a selected task (a task may be called user_device) is
                // written as context.NAME, so that no two columns of the header share a name
                String column = name;
                while (taken.contains(column)) {
                    column = "context." + column;
                }
                taken.add(column);
                header.append('\t').append(column);
            }
            output.write(header.append('\n').toString());
            for (int r = 0; r < users.size(); r++) {
                StringBuilder row = new StringBuilder(rawUsers.get(r)).append('\t').append(rawItems.get(r));
                for (int t = 0; t < selected.size(); t++) {
                    float[] s = scores[t];
                    int width = s.length / users.size();
                    row.append('\t');
                    for (int j = 0; j < width; j++) {
                        row.append(j == 0 ? "" : ",").append(s[r * width + j]);
                    }
                }
                for (String cell : contextCells.get(r)) {
                    row.append('\t').append(cell);
                }
                output.write(row.append('\n').toString());
            }
            output.flush();
            return users.size();
        }
    }

    /**
     * @return the header's columns after the user's and the item's (whatever the header calls
     *     them, as before there were more): per-interaction features of the model
     * @throws DataException naming the column, if it is not one
     */
    private static List<String> contextColumns(List<FeatureSpec> features, String[] header, String source, int line) {
        List<String> names = new ArrayList<>();
        for (int c = 2; c < header.length; c++) {
            String name = header[c].strip();
            if (features.stream().noneMatch(f -> f.name().equals(name) && f.contextual())) {
                throw new DataException(source, line, "column " + (c + 1) + " '" + name + "' is not a per-interaction feature of the model"
                        + (features.stream().anyMatch(f -> f.name().equals(name) && f.pair())
                        ? " that a row can give (the model computes it for each pair)" : "") + "; it has "
                        + features.stream().filter(FeatureSpec::contextual).map(FeatureSpec::name).toList());
            }
            if (names.contains(name)) {
                throw new DataException(source, line, "column " + (c + 1) + " '" + name + "' is named twice");
            }
            names.add(name);
        }
        return names;
    }

    /**
     * @return a per-interaction feature's encoded value read from a cell (a categorical value by
     *     its name or code, a number in decimal: not the other forms Java reads, {@code 0x1p0} or
     *     {@code 1.5f}), or NaN for an empty cell (the user's current value)
     */
    static float contextValue(List<FeatureSpec> features, String name, String cell, String source, int line) {
        if (cell.isEmpty()) {
            return Float.NaN;
        }
        FeatureSpec f = features.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        Object value;
        if (f.kind() == FeatureKind.CATEGORICAL) {
            value = f.codeOf(cell) < 0 && cell.matches("[0-9]{1,9}") ? (Object) Long.parseLong(cell) : cell;
        } else {
            if (!dev.taskweave.api.data.TextFiles.isDecimal(cell)) {
                throw new DataException(source, line, "column '" + name + "': expected a number, found '" + cell + "'");
            }
            value = Double.parseDouble(cell);
        }
        try {
            return EntityRow.context(features, Map.of(name, value)).get(name);
        } catch (InvalidFeatureException e) {
            throw new DataException(source, line, "column '" + name + "': " + e.reason());
        }
    }

    /** Writes text to a file atomically. */
    public static void writeAtomically(Path file, String content) {
        AtomicDirectory.writeFile(file, content.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        runtime.close();
    }
}
