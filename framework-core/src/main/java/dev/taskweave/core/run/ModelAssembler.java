package dev.taskweave.core.run;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.google.inject.Inject;
import dev.taskweave.api.DataException;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.ValidatedConfig;
import dev.taskweave.api.data.DataContext;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.DatasetSource;
import dev.taskweave.api.data.DatasetSourceFactory;
import dev.taskweave.api.data.EntityAttribute;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.api.metric.Metric;
import dev.taskweave.api.model.LabelStatistics;
import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.LossWeightingFactory;
import dev.taskweave.api.model.SharingContext;
import dev.taskweave.api.model.SharingStrategy;
import dev.taskweave.api.model.SharingStrategyFactory;
import dev.taskweave.api.model.TaskContext;
import dev.taskweave.api.model.TaskHead;
import dev.taskweave.api.model.TaskHeadFactory;
import dev.taskweave.api.model.WeightingContext;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.config.EarlyStoppingConfig;
import dev.taskweave.core.config.ExperimentConfig;
import dev.taskweave.core.config.OptimizerConfig;
import dev.taskweave.core.config.TaskConfig;
import dev.taskweave.core.data.FeatureGatherer;
import dev.taskweave.core.data.TaskLabels;
import dev.taskweave.core.formula.Formula;
import dev.taskweave.core.formula.FormulaException;
import dev.taskweave.core.metric.MetricRegistry;
import dev.taskweave.core.model.InputEncoder;
import dev.taskweave.core.model.MultiTaskBlock;
import dev.taskweave.core.model.TaskDependency;
import dev.taskweave.core.plugin.ContextClassLoader;
import dev.taskweave.core.plugin.ExtensionKind;
import dev.taskweave.core.plugin.ExtensionRegistry;
import dev.taskweave.core.plugin.Registered;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates an experiment against the loaded plugins, loads its data and assembles the model.
 * Nothing trains before {@link #plan} has accepted the whole file.
 */
public final class ModelAssembler {
    private final ExtensionRegistry registry;
    private final MetricRegistry metrics;
    private final ConfigLoader loader;

    /** @return the ids of the plugins loaded here */
    public java.util.Set<String> installedPlugins() {
        return registry.plugins().keySet();
    }

    @Inject
    public ModelAssembler(ExtensionRegistry registry, MetricRegistry metrics, ConfigLoader loader) {
        this.registry = requireNonNull(registry, "registry is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.loader = requireNonNull(loader, "loader is null");
    }

    /** Checks every field that can be checked without data and binds every plugin's params. */
    public Plan plan(ExperimentConfig config, String source) {
        return plan(config, source, true);
    }

    /**
     * Plans the stored experiment of a trained model: as {@link #plan}, without the checks of
     * what only training and evaluation read (see {@link Plan#experiment()}), so that models an
     * earlier release wrote keep loading.
     */
    public Plan planStored(ExperimentConfig config, String source) {
        return plan(config, source, false);
    }

    private Plan plan(ExperimentConfig config, String source, boolean experiment) {
        if (config.name == null && experiment) {
            // YAML's null (name: ~, or ${RUN} set to null) is no name; a model an earlier release trained with one keeps loading
            throw new ConfigException(source, "name", 0, "expected a string, got nothing (null); omit the key for the default name, '"
                    + new ExperimentConfig().name + "'");
        }
        if (config.data == null) {
            throw new ConfigException(source, "data", 0, "missing; expected {type: ..., params: {...}} with type one of "
                    + registry.types(ExtensionKind.DATASET));
        }
        Registered<?> data = registry.require(ExtensionKind.DATASET, config.data.type, "data.type", source);
        Object dataConfig = bind(data, config.data.params, "data.params", "data.type", source, config);

        if (config.tasks == null || config.tasks.isEmpty()) {
            throw new ConfigException(source, "tasks", 0, "missing; expected a list of at least one task");
        }
        Set<String> names = new HashSet<>();
        List<Registered<?>> heads = new ArrayList<>();
        List<Object> headConfigs = new ArrayList<>();
        for (int i = 0; i < config.tasks.size(); i++) {
            TaskConfig t = config.tasks.get(i);
            String path = "tasks[" + i + "]";
            if (t == null) {
                throw new ConfigException(source, path, 0, "empty; expected a task with name, head and label");
            }
            if (t.name == null || t.name.isBlank()) {
                throw new ConfigException(source, path + ".name", 0, "missing; expected a task name");
            }
            if (!t.name.matches("[A-Za-z0-9_-]+")) {
                throw new ConfigException(source, path + ".name", 0, "'" + t.name + "' may contain only letters, digits, '_' and '-'");
            }
            if (!names.add(t.name)) {
                throw new ConfigException(source, path + ".name", 0, "task name '" + t.name + "' is used twice");
            }
            Registered<?> head = registry.require(ExtensionKind.TASK_HEAD, t.head, path + ".head", source);
            if (t.label == null || t.label.isBlank()) {
                throw new ConfigException(source, path + ".label", 0, "missing; expected a label column of the data, or '"
                        + TaskContext.OBSERVED + "' for implicit feedback");
            }
            if (!(t.weight > 0) || Double.isInfinite(t.weight)) {
                throw new ConfigException(source, path + ".weight", 0, "must be a positive number, got " + t.weight);
            }
            for (int m = 0; m < t.metrics.size(); m++) {
                if (metrics.find(t.metrics.get(m)) == null) {
                    throw new ConfigException(source, path + ".metrics[" + m + "]", 0, "unknown metric '" + t.metrics.get(m) + "'"
                            + (experiment ? "" : " (the model was trained with it: install the plugin that provides it)")
                            + "; available: " + metrics.names());
                }
                int first = t.metrics.indexOf(t.metrics.get(m));
                if (first < m && experiment) {
                    // (for new experiments: a model stored with one listed twice keeps loading)
                    throw new ConfigException(source, path + ".metrics[" + m + "]", 0, "metric '" + t.metrics.get(m)
                            + "' is listed twice (also " + path + ".metrics[" + first + "]): each is reported once");
                }
            }
            heads.add(head);
            headConfigs.add(bind(head, t.params, path + ".params", path + ".head", source, config));
            checkDependency(config, i, source, experiment);
            if (experiment) {
                checkCalibrationSettings(t, path, source);
            }
        }
        if (config.sharing == null) {
            throw new ConfigException(source, "sharing", 0, "missing; expected {type: ..., params: {...}} with type one of "
                    + registry.types(ExtensionKind.SHARING));
        }
        Registered<?> sharing = registry.require(ExtensionKind.SHARING, config.sharing.type, "sharing.type", source);
        Object sharingConfig = bind(sharing, config.sharing.params, "sharing.params", "sharing.type", source, config);
        if (config.weighting == null) {
            throw new ConfigException(source, "weighting", 0, "must not be null; omit it for fixed weights");
        }
        Registered<?> weighting = registry.require(ExtensionKind.WEIGHTING, config.weighting.type, "weighting.type", source);
        Object weightingConfig = bind(weighting, config.weighting.params, "weighting.params", "weighting.type", source, config);

        checkTraining(config, source, experiment);
        if (experiment) {
            checkFormula(config, source);
        }
        return new Plan(config, source, data, dataConfig, heads, headConfigs, sharing, sharingConfig, weighting, weightingConfig,
                experiment);
    }

    private static void checkDependency(ExperimentConfig config, int i, String source, boolean experiment) {
        TaskConfig t = config.tasks.get(i);
        String path = "tasks[" + i + "]";
        TaskConfig defaults = new TaskConfig();
        if (t.transfer == null) {
            throw new ConfigException(source, path + ".transfer", 0, "expected esmm or aitm, got nothing (null)");
        }
        if (t.dependsOn == null) {
            if (!experiment) {
                return;
            }
            // a model's stored experiment writes the defaults out for every task: only a value of
            // one's own says the writer expected it to do something
            if (!defaults.transfer.equals(t.transfer)) {
                throw new ConfigException(source, path + ".transfer", 0, "set without dependsOn: it says how a task uses the task it"
                        + " depends on, and this one depends on none");
            }
            if (t.calibration != defaults.calibration) {
                throw new ConfigException(source, path + ".calibration", 0, "set without dependsOn: it weighs the AITM calibrator"
                        + " of a task that depends on another, and this one depends on none");
            }
            return;
        }
        int parent = -1;
        for (int j = 0; j < i; j++) {
            if (t.dependsOn.equals(config.tasks.get(j).name)) {
                parent = j;
            }
        }
        if (parent < 0) {
            String reason = t.dependsOn.equals(t.name) ? "a task cannot depend on itself"
                    : config.task(t.dependsOn) != null ? "task '" + t.dependsOn + "' must be declared before '" + t.name + "'"
                    : "no task named '" + t.dependsOn + "'";
            throw new ConfigException(source, path + ".dependsOn", 0, reason);
        }
        if (TaskDependency.Mode.parse(t.transfer) == null) {
            throw new ConfigException(source, path + ".transfer", 0, "unknown transfer '" + t.transfer + "'; expected esmm or aitm");
        }
        if (!(t.calibration >= 0) || Double.isInfinite(t.calibration)) {
            throw new ConfigException(source, path + ".calibration", 0, "must be a number >= 0, got " + t.calibration);
        }
        if (t.calibration != defaults.calibration && TaskDependency.Mode.parse(t.transfer) != TaskDependency.Mode.AITM && experiment) {
            // (for new experiments: a model stored with one, which esmm ignored, keeps loading)
            throw new ConfigException(source, path + ".calibration", 0, "set with transfer " + t.transfer
                    + ": only aitm has a calibrator to weigh");
        }
    }

    /** @return the task graph's edges declared by {@code dependsOn} */
    public static List<TaskDependency> dependencies(ExperimentConfig config) {
        List<TaskDependency> edges = new ArrayList<>();
        for (int i = 0; i < config.tasks.size(); i++) {
            TaskConfig t = config.tasks.get(i);
            if (t.dependsOn != null) {
                int parent = config.tasks.indexOf(config.task(t.dependsOn));
                edges.add(new TaskDependency(i, parent, TaskDependency.Mode.parse(t.transfer), (float) t.calibration));
            }
        }
        return edges;
    }

    private static List<TaskLabels> withJointParents(ExperimentConfig config, List<TaskLabels> labels) {
        List<TaskLabels> result = new ArrayList<>(labels);
        for (TaskDependency d : dependencies(config)) {
            if (d.mode() == TaskDependency.Mode.ESMM) {
                result.set(d.child(), result.get(d.child()).withJointParent(d.parent()));
            }
        }
        return result;
    }

    /** Requires every value of a per-feature map of rates to be in [0, 1); errors name {@code path.<feature>}. */
    private static void rates(java.util.Map<String, Double> rates, String path, String source) {
        for (java.util.Map.Entry<String, Double> d : rates.entrySet()) {
            if (d.getValue() == null || !(d.getValue() >= 0 && d.getValue() < 1)) {
                throw new ConfigException(source, path + "." + d.getKey(), 0, "must be in [0, 1), got " + d.getValue());
            }
            if (!((float) d.getValue().doubleValue() < 1f)) {
                // the encoder holds its dropout rates in single precision, where this is 1 (the first step
                // failed); history rates are held to the same bound
                throw new ConfigException(source, path + "." + d.getKey(), 0, "must be in [0, 1), got " + d.getValue()
                        + ", which is 1 in single precision (at most " + Math.nextDown(1f) + ")");
            }
        }
    }

    private void checkTraining(ExperimentConfig c, String source, boolean experiment) {
        if (c.features == null || c.optimizer == null || c.training == null) {
            throw new ConfigException(source, c.features == null ? "features" : c.optimizer == null ? "optimizer" : "training",
                    0, "must not be null; omit it for the defaults");
        }
        positive(c.features.embeddingDim, "features.embeddingDim", source);
        rates(c.features.dropout, "features.dropout", source);
        rates(c.features.historyDropout, "features.historyDropout", source);
        NeighbourScores.checkConfig(c.features.neighbours, source);
        if (!(c.features.idDropout >= 0 && c.features.idDropout < 1)) {
            throw new ConfigException(source, "features.idDropout", 0, "must be in [0, 1), got " + c.features.idDropout);
        }
        if (!(c.optimizer.learningRate > 0) || !Double.isFinite(c.optimizer.learningRate)) {
            throw new ConfigException(source, "optimizer.learningRate", 0, "must be > 0, got " + c.optimizer.learningRate);
        }
        if (!(c.optimizer.weightDecay >= 0) || !Double.isFinite(c.optimizer.weightDecay)) {
            throw new ConfigException(source, "optimizer.weightDecay", 0, "must be >= 0, got " + c.optimizer.weightDecay);
        }
        if (c.optimizer.schedule == null || !List.of("constant", "cosine", "step").contains(c.optimizer.schedule)) {
            throw new ConfigException(source, "optimizer.schedule", 0, "expected constant, cosine or step, got "
                    + (c.optimizer.schedule == null ? "nothing (null)" : "'" + c.optimizer.schedule + "'"));
        }
        if (experiment) {
            // a value other than the default, which would change nothing: the default itself is what
            // releases before wrote into every experiment.yaml and best.yaml, which train again as they are
            OptimizerConfig defaults = new OptimizerConfig();
            scheduleSetting(c.optimizer.finalLearningRate, defaults.finalLearningRate(), "finalLearningRate", c.optimizer.schedule, source);
            scheduleSetting(c.optimizer.decay, defaults.decay(), "decay", c.optimizer.schedule, source);
            scheduleSetting(c.optimizer.decayEpochs, defaults.decayEpochs(), "decayEpochs", c.optimizer.schedule, source);
        }
        if (!(c.optimizer.finalLearningRate() >= 0 && c.optimizer.finalLearningRate() <= c.optimizer.learningRate)) {
            throw new ConfigException(source, "optimizer.finalLearningRate", 0, "must be in [0, learningRate = " + c.optimizer.learningRate
                    + "], got " + c.optimizer.finalLearningRate());
        }
        if (!(c.optimizer.decay() > 0 && c.optimizer.decay() <= 1)) {
            throw new ConfigException(source, "optimizer.decay", 0, "must be in (0, 1], got " + c.optimizer.decay());
        }
        if (c.optimizer.decayEpochs() < 1) {
            throw new ConfigException(source, "optimizer.decayEpochs", 0, "must be >= 1, got " + c.optimizer.decayEpochs());
        }
        if (!"adam".equals(c.optimizer.type) && !"adamw".equals(c.optimizer.type)) {
            throw new ConfigException(source, "optimizer.type", 0, "expected adam or adamw, got " + given(c.optimizer.type));
        }
        if (c.optimizer.warmupSteps < 0) {
            throw new ConfigException(source, "optimizer.warmupSteps", 0, "must be >= 0, got " + c.optimizer.warmupSteps);
        }
        if (!(c.optimizer.clipGradient >= 0) || !Double.isFinite(c.optimizer.clipGradient)) {
            throw new ConfigException(source, "optimizer.clipGradient", 0, "must be >= 0, got " + c.optimizer.clipGradient);
        }
        positive(c.training.batchSize, "training.batchSize", source);
        positive(c.training.epochs, "training.epochs", source);
        positive(c.training.evalBatchSize, "training.evalBatchSize", source);
        positive(c.training.rankingCutoff, "training.rankingCutoff", source);
        if (c.training.threads < 0) {
            throw new ConfigException(source, "training.threads", 0, "must be >= 0 (0 chooses: one thread for steps of fewer than "
                    + String.format(java.util.Locale.ROOT, "%,d", Trainer.TWO_THREAD_WORK) + " multiply-adds, else TASKWEAVE_THREADS), got "
                    + c.training.threads);
        }
        if (!(c.training.negativeExponent >= 0) || !Double.isFinite(c.training.negativeExponent)) {
            throw new ConfigException(source, "training.negativeExponent", 0,
                    "must be a number >= 0 (0 = uniform negatives, 0.75 = word2vec's, 1 = by popularity), got "
                    + c.training.negativeExponent);
        }
        if (!(c.training.weightAverage >= 0 && c.training.weightAverage < 1)) {
            throw new ConfigException(source, "training.weightAverage", 0,
                    "must be in [0, 1) (0 = off; typical 0.99 to 0.999), got " + c.training.weightAverage);
        }
        if (c.training.distillation != null) {
            checkDistillation(c, c.training.distillation, source);
        }
        EarlyStoppingConfig es = c.training.earlyStopping;
        if (es != null) {
            if (es.metric == null) {
                throw new ConfigException(source, "training.earlyStopping.metric", 0, "missing; expected split.task.metric, for example valid."
                        + c.tasks.get(0).name + ".rmse");
            }
            String[] parts = es.metric.split("\\.");
            if (parts.length != 3) {
                throw new ConfigException(source, "training.earlyStopping.metric", 0, "'" + es.metric
                        + "' is not split.task.metric (for example valid." + c.tasks.get(0).name + ".rmse)");
            }
            if (experiment && !parts[0].equals(Dataset.VALID)) {
                // a test split would choose the epoch by the score it then reports
                throw new ConfigException(source, "training.earlyStopping.metric", 0, "monitors split '" + parts[0] + "'; early "
                        + "stopping monitors the validation split, " + Dataset.VALID + " (for example " + Dataset.VALID + "."
                        + parts[1] + "." + parts[2] + ")");
            }
            if (c.task(parts[1]) == null) {
                throw new ConfigException(source, "training.earlyStopping.metric", 0, "no task named '" + parts[1] + "'");
            }
            if (RANKING_METRIC.matcher(parts[2]).matches()) {
                // measured on the ranking candidate lists when training ends (scoring every list after every epoch would
                // cost as much again as evaluating); a per-epoch value exists only for the metrics of the task's rows
                List<String> listed = c.task(parts[1]).metrics;
                throw new ConfigException(source, "training.earlyStopping.metric", 0, "'" + parts[2] + "' is a ranking metric"
                        + " (hr@K, ndcg@K, auc_per_user), measured on the data's ranking candidate lists once training has ended,"
                        + " not after every epoch, so it cannot drive early stopping; monitor a metric task '" + parts[1]
                        + "' reports on its validation rows (" + (listed.isEmpty() ? "its head's defaults" : String.join(", ", listed))
                        + ")");
            }
            if (metrics.find(parts[2]) == null) {
                throw new ConfigException(source, "training.earlyStopping.metric", 0, "unknown metric '" + parts[2] + "'; available: " + metrics.names());
            }
            positive(es.patience, "training.earlyStopping.patience", source);
            if (experiment && (!(es.minDelta >= 0) || !Double.isFinite(es.minDelta))) {
                throw new ConfigException(source, "training.earlyStopping.minDelta", 0, "must be a number >= 0 (the smallest change"
                        + " that counts as an improvement, in the metric's units), got " + es.minDelta);
            }
        }
    }

    /**
     * Refuses a setting one schedule alone reads ({@link OptimizerConfig#SCHEDULE_SETTINGS}) set with
     * another schedule to a value other than its default ({@code unset}).
     */
    private static void scheduleSetting(Number value, Number unset, String setting, String schedule, String source) {
        String reader = OptimizerConfig.SCHEDULE_SETTINGS.get(setting);
        if (value != null && value.doubleValue() != unset.doubleValue() && !reader.equals(schedule)) {
            throw new ConfigException(source, "optimizer." + setting, 0, "set, but schedule '" + schedule + "' does not use it (only"
                    + " schedule '" + reader + "' reads it); remove it, or set optimizer.schedule: " + reader);
        }
    }

    /** {@code serving.formula} is read by serve only, so a formula that does not parse would otherwise be found there. */
    private static void checkFormula(ExperimentConfig c, String source) {
        String text = c.serving == null ? null : c.serving.formula;
        if (text == null) {
            return;
        }
        Formula formula;
        try {
            formula = Formula.parse(text);
        } catch (FormulaException e) {
            throw new ConfigException(source, "serving.formula", 0, e.getMessage());
        }
        if (formula.tasks().isEmpty()) {
            throw new ConfigException(source, "serving.formula", 0, "names no task; it must use at least one of "
                    + c.tasks.stream().map(t -> t.name).toList());
        }
        for (String name : formula.tasks()) {
            if (c.task(name) == null) {
                throw new ConfigException(source, "serving.formula", 0, "unknown task '" + name + "'; the tasks are "
                        + c.tasks.stream().map(t -> t.name).toList());
            }
        }
    }

    /** {@code training.distillation}: teachers or models, a weight in (0, 1], tasks of the experiment named once. */
    private static void checkDistillation(ExperimentConfig c, dev.taskweave.core.config.DistillationConfig d, String source) {
        String path = "training.distillation";
        boolean models = d.models != null && !d.models.isEmpty();
        if (d.teachers == null && !models) {
            throw new ConfigException(source, path, 0, "give teachers (how many copies of this experiment to train first and learn"
                    + " from) or models (trained model directories to learn from)");
        }
        if (d.teachers != null && models) {
            throw new ConfigException(source, path, 0, "give teachers or models, not both");
        }
        if (d.teachers != null && (d.teachers < 1 || d.teachers > MAX_TEACHERS)) {
            throw new ConfigException(source, path + ".teachers", 0, "must be between 1 and " + MAX_TEACHERS + ", got " + d.teachers);
        }
        if (d.teachers != null && Math.abs(c.seed) > Long.MAX_VALUE / 100 - MAX_TEACHERS) {
            throw new ConfigException(source, "seed", 0, "is too large for distillation's teachers (teacher k trains with seed"
                    + " 100·seed + k); expected a seed between -" + (Long.MAX_VALUE / 100 - MAX_TEACHERS) + " and "
                    + (Long.MAX_VALUE / 100 - MAX_TEACHERS) + ", got " + c.seed);
        }
        for (int i = 0; models && i < d.models.size(); i++) {
            String dir = d.models.get(i);
            if (dir == null || dir.isBlank()) {
                throw new ConfigException(source, path + ".models[" + i + "]", 0, "expected a model directory, got nothing");
            }
            if (d.models.subList(0, i).contains(dir)) {
                throw new ConfigException(source, path + ".models[" + i + "]", 0, "'" + dir + "' is listed twice");
            }
        }
        if (!(d.weight > 0 && d.weight <= 1)) {
            throw new ConfigException(source, path + ".weight", 0, "must be in (0, 1] (the teachers' share of a row's target;"
                    + " 1 learns from the teachers alone), got " + d.weight);
        }
        List<String> tasks = d.tasks == null ? List.of() : d.tasks;
        for (int i = 0; i < tasks.size(); i++) {
            String name = tasks.get(i);
            if (c.task(name) == null) {
                throw new ConfigException(source, path + ".tasks[" + i + "]", 0, "no task named '" + name + "'; the tasks are "
                        + c.tasks.stream().map(t -> t.name).toList());
            }
            if (tasks.subList(0, i).contains(name)) {
                throw new ConfigException(source, path + ".tasks[" + i + "]", 0, "'" + name + "' is listed twice");
            }
        }
        java.util.Map<String, Object> teacher = d.teacher == null ? java.util.Map.of() : d.teacher;
        if (!teacher.isEmpty() && d.teachers == null) {
            throw new ConfigException(source, path + ".teacher", 0, "changes the teachers that teachers: n trains; the models given"
                    + " as models are used as they were trained");
        }
        for (java.util.Map.Entry<String, Object> e : teacher.entrySet()) {
            if (!TEACHER_FIELDS.contains(e.getKey())) {
                throw new ConfigException(source, path + ".teacher." + e.getKey(), 0, "a teacher reads this experiment's inputs and"
                        + " predicts its tasks, so it keeps its data, features and tasks; it may change " + TEACHER_FIELDS);
            }
            if (e.getKey().equals("training") && e.getValue() instanceof java.util.Map<?, ?> training
                    && training.containsKey("distillation")) {
                throw new ConfigException(source, path + ".teacher.training.distillation", 0, "a teacher learns from its labels, not"
                        + " from teachers of its own");
            }
        }
    }

    /** The experiment fields {@code training.distillation.teacher} may change. */
    static final List<String> TEACHER_FIELDS = List.of("sharing", "weighting", "optimizer", "training");

    /**
     * @return teacher {@code k} (from 1) of {@code training.distillation.teachers}: this experiment
     *     with {@code training.distillation.teacher}'s fields merged in, seed {@link #teacherSeed},
     *     no distillation of its own
     * @throws ConfigException naming {@code training.distillation.teacher} and the field when the
     *     merged fields do not bind
     */
    public static ExperimentConfig teacherConfig(dev.taskweave.core.config.ConfigLoader loader, ExperimentConfig config, int k,
            String source) {
        java.util.Map<String, Object> fields = config.training.distillation.teacher;
        ExperimentConfig teacher = loader.withOverrides(config, fields == null ? java.util.Map.of() : fields, source,
                "training.distillation.teacher");
        teacher.training.distillation = null;
        teacher.seed = teacherSeed(config.seed, k);
        return teacher;
    }

    /**
     * The tasks {@code training.distillation} trains towards its teachers: those it names, or when it
     * names none every task whose head can be distilled ({@link TaskHead#distillable}).
     *
     * @return per task, whether it is distilled; null without distillation
     * @throws ConfigException at {@code training.distillation.tasks[i]} when a named task's head cannot
     *     be distilled, or at {@code training.distillation} when no task can
     */
    public static boolean[] distilledTasks(Plan plan, List<ResolvedTask> tasks) {
        dev.taskweave.core.config.DistillationConfig d = plan.config().training.distillation;
        if (d == null) {
            return null;
        }
        boolean[] distilled = new boolean[tasks.size()];
        List<String> named = d.tasks == null ? List.of() : d.tasks;
        for (ResolvedTask t : tasks) {
            int at = named.indexOf(t.name());
            boolean can = t.plugin().call(plan.source(), "tasks[" + t.index() + "].head", "distillable()", t.head()::distillable);
            if (at >= 0 && !can) {
                throw new ConfigException(plan.source(), "training.distillation.tasks[" + at + "]", 0, "task '" + t.name()
                        + "' has head '" + t.headType() + "', which cannot learn from a teacher's outputs (binary, regression,"
                        + " multilabel and multiclass heads can)");
            }
            distilled[t.index()] = named.isEmpty() ? can : at >= 0;
        }
        boolean any = false;
        for (boolean b : distilled) {
            any |= b;
        }
        if (!any) {
            throw new ConfigException(plan.source(), "training.distillation", 0, "no task's head can learn from a teacher's outputs"
                    + " (binary, regression, multilabel and multiclass heads can); the heads are "
                    + tasks.stream().map(t -> t.name() + ": " + t.headType()).toList());
        }
        return distilled;
    }

    /** The most teachers {@code training.distillation.teachers} trains (teacher k of seed s has seed 100·s + k). */
    public static final int MAX_TEACHERS = 99;

    /** @return the seed of teacher {@code k} (from 1) of {@code training.distillation.teachers}; the plan checks it fits */
    public static long teacherSeed(long seed, int k) {
        return seed * 100 + k;
    }

    private static void positive(int value, String path, String source) {
        if (value < 1) {
            throw new ConfigException(source, path, 0, "must be >= 1, got " + value);
        }
    }

    /** @param config the experiment the params are part of: an error about a value an environment variable gave names it */
    private Object bind(Registered<?> registered, Map<String, Object> params, String path, String typePath, String source,
            ExperimentConfig config) {
        Class<?> type = registered.call(source, typePath, "configClass()",
                () -> ((dev.taskweave.api.ExtensionFactory<?>) registered.factory()).configClass());
        Object bound = registered.call(source, typePath, "binding its params",
                () -> loader.bind(params, type, source, path, config.substitutions()));
        if (bound instanceof ValidatedConfig v) {
            try {
                registered.call(source, typePath, "validate()", () -> {
                    v.validate();
                    return null;
                });
            } catch (InvalidConfigException e) {
                throw config.substitutions().explain(new ConfigException(source, e.under(path).path(), 0, e.reason()));
            }
        }
        return bound;
    }

    /** Creates the data source and loads the dataset. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Dataset loadData(Plan plan, Path baseDirectory) {
        DatasetSourceFactory factory = (DatasetSourceFactory) plan.data().factory();
        DataContext context = new DataContext(baseDirectory, plan.config().seed);
        try {
            DatasetSource source = plan.data().call(plan.source(), "data.type", "create()", () -> factory.create(plan.dataConfig(), context));
            if (source == null) {
                throw plan.data().failure(plan.source(), "data.type", "create()", "returned null");
            }
            Dataset dataset = plan.data().call(plan.source(), "data.type", "load()", source::load);
            if (dataset == null) {
                throw new DataException(plan.config().data.type, 0, "the data source returned no dataset");
            }
            return dataset;
        } catch (InvalidConfigException e) {
            // a value of data.params that only the data shows to be wrong (a history table too large to hold)
            throw new ConfigException(plan.source(), e.under("data.params").path(), 0, e.reason());
        }
    }

    /**
     * @return the encoder's features that are the label of an attribute task or named in a task's
     *     {@code hideFeatures}: a {@link FeatureGatherer} hides them on attribute rows
     */
    public static Set<String> attributeLabelFeatures(ExperimentConfig config, List<FeatureSpec> features) {
        Set<String> hidden = new LinkedHashSet<>();
        for (FeatureSpec f : features) {
            if (config.tasks.stream().anyMatch(t -> f.name().equals(t.label)
                    || t.hideFeatures != null && t.hideFeatures.contains(f.name()))) {
                hidden.add(f.name());
            }
        }
        return hidden;
    }

    /**
     * Refuses a batch size whose batch of the widest dense feature (a multi-hot or numeric feature,
     * or a history narrower than {@link FeatureGatherer#sparseHistoryWidth()}, {@code users} or
     * {@code items} floats per row) does not fit in the one buffer it is gathered into
     * ({@link FeatureGatherer#MAX_DENSE_BYTES}): {@code training.batchSize} when training, and
     * {@code training.evalBatchSize}, which evaluation and prediction use.
     *
     * @param training whether {@code training.batchSize} is used too (train and check), not only
     *                 {@code training.evalBatchSize} (evaluate and predict of a trained model)
     */
    public static void checkBatchSizes(ExperimentConfig config, List<FeatureSpec> features, String source, boolean training) {
        checkBatchSizes(config, features, source, training, FeatureGatherer.MAX_DENSE_BYTES);
    }

    static void checkBatchSizes(ExperimentConfig config, List<FeatureSpec> features, String source, boolean training, long maxBytes) {
        FeatureSpec widest = FeatureGatherer.widestDense(features);
        if (widest == null) {
            return;
        }
        int largest = FeatureGatherer.largestBatch(widest.size(), maxBytes);
        if (training) {
            checkBatchSize(config.training.batchSize, "training.batchSize", widest, largest, maxBytes, source);
        }
        checkBatchSize(config.training.evalBatchSize, "training.evalBatchSize", widest, largest, maxBytes, source);
    }

    private static void checkBatchSize(int batchSize, String path, FeatureSpec widest, int largest, long maxBytes, String source) {
        if (batchSize > largest) {
            long bytes = (long) batchSize * widest.size() * Float.BYTES;
            throw new ConfigException(source, path, 0, batchSize + " rows of feature " + widest.name() + " (" + widest.size()
                    + " values wide, 4 bytes each) are " + gib(bytes)
                    + ", more than the " + maxBytes + " bytes one batch of a dense feature may take (it is gathered into one"
                    + " buffer; histories of " + FeatureGatherer.sparseHistoryWidth() + " columns or more are gathered sparsely);"
                    + " the largest batch that fits is " + largest);
        }
    }

    /**
     * The largest share of the JVM's maximum heap that the two copies of a model's dense tables
     * (its histories) may take in {@code evaluate}: the model's, loaded with it, and the data's,
     * rebuilt to evaluate on. Measured: 2 x 0.37 GiB of tables ran out of heap at {@code -Xmx1g}
     * (0.75 of it) and evaluated at 1200m (0.64).
     */
    public static final double EVALUATION_HEAP_SHARE = 0.6;

    /**
     * Refuses to evaluate a model whose dense feature tables (its histories, users x items floats
     * each) would not fit twice in the heap, before its data is read: the model holds them and the
     * data source builds them again.
     *
     * @throws DataException naming the model directory, the sizes, the limit and the heap to ask for
     */
    public static void checkEvaluationHeap(List<FeatureSpec> features, EntityTable users, EntityTable items, String model) {
        checkEvaluationHeap(features, users, items, model, Runtime.getRuntime().maxMemory());
    }

    static void checkEvaluationHeap(List<FeatureSpec> features, EntityTable users, EntityTable items, String model, long maxHeap) {
        long bytes = 0;
        for (FeatureSpec f : features) {
            if (!f.id() && f.kind() != dev.taskweave.api.data.FeatureKind.CATEGORICAL && !f.pair()) {
                EntityTable table = f.entity() == dev.taskweave.api.data.Entity.USER ? users : items;
                bytes += table.isSparse(f.name()) ? table.sparse(f.name()).bytes() : (long) table.size() * f.size() * Float.BYTES;
            }
        }
        long limit = (long) (maxHeap * EVALUATION_HEAP_SHARE);
        if (2 * bytes > limit) {
            long heap = dev.taskweave.api.data.Histories.xmxGibFor((long) Math.ceil(2 * bytes / EVALUATION_HEAP_SHARE));
            throw new DataException(model, 0, "evaluating holds the model's feature tables beyond ids (its histories: users x items x 4"
                    + " bytes per side where a data source stores them densely, 8 bytes per interaction where sparsely), " + gib(bytes)
                    + ", and the data source builds them again: " + gib(2 * bytes) + ", more than " + gib(limit) + ", "
                    + Math.round(EVALUATION_HEAP_SHARE * 100) + "% of the JVM's maximum heap (" + gib(maxHeap)
                    + "); run it with a larger heap: JAVA_OPTS=-Xmx" + heap + "g or more");
        }
    }

    private static String gib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }

    /** Picks the features the experiment uses, in the dataset's order. */
    public List<FeatureSpec> selectFeatures(ExperimentConfig config, Dataset dataset, String source, java.io.PrintStream log) {
        List<FeatureSpec> selected = selectFeatures(config, dataset.features(), source);
        List<FeatureSpec> kept = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (FeatureSpec f : selected) {
            boolean label = config.task(f.name()) == null && config.tasks.stream().anyMatch(t -> f.name().equals(t.label));
            if (!label) {
                kept.add(f);
            } else if (dataset.attributes().containsKey(f.name()) && dataset.attributes().get(f.name()).entity() == f.entity()) {
                log.println("feature " + f.name() + " is an attribute task's label: the encoder reads it on interaction rows and"
                        + " not on the attribute rows that predict it");
                kept.add(f);
            } else {
                log.println("feature " + f.name() + " is a task's label, so the encoder does not read it");
                removed.add(f.name());
            }
        }
        if (kept.isEmpty()) {
            int first = 0;
            while (first < config.tasks.size() && !removed.contains(config.tasks.get(first).label)) {
                first++;
            }
            String path = config.features.include != null ? "features.include"
                    : first < config.tasks.size() ? "tasks[" + first + "].label" : "features";
            throw new ConfigException(source, path, 0, "no feature is left for the encoder once the tasks' labels are removed:"
                    + " the experiment's features " + String.join(", ", removed) + " are all labels of its tasks (give the data a"
                    + " feature that is not a label, or widen features.include)");
        }
        return kept;
    }

    /** Picks the features the experiment uses, in the dataset's order. */
    public List<FeatureSpec> selectFeatures(ExperimentConfig config, List<FeatureSpec> available, String source) {
        Set<String> names = new LinkedHashSet<>();
        for (FeatureSpec f : available) {
            names.add(f.name());
        }
        checkNames(config.features.include == null ? List.of() : config.features.include, names, "features.include", source);
        checkNames(config.features.exclude, names, "features.exclude", source);
        checkNames(config.features.wideOnly, names, "features.wideOnly", source);
        for (int j = 0; j < config.features.wideOnly.size(); j++) {
            String name = config.features.wideOnly.get(j);
            if (config.tasks.stream().noneMatch(t -> t.wideFeatures.contains(name))) {
                throw new ConfigException(source, "features.wideOnly[" + j + "]", 0, "no task lists '" + name
                        + "' in its wideFeatures: nothing would read it");
            }
            boolean dropped = !included(config, name) || config.features.exclude.contains(name);
            if (dropped) {
                throw new ConfigException(source, "features.wideOnly[" + j + "]", 0, "'" + name
                        + "' is left out by features.include or features.exclude");
            }
        }
        for (String name : config.features.dropout.keySet()) {
            if (!names.contains(name)) {
                throw new ConfigException(source, "features.dropout." + name, 0, "the data has no feature '" + name + "'; available: " + names);
            }
            if (leftOut(config, name) != null) {
                throw new ConfigException(source, "features.dropout." + name, 0, "'" + name + "' is left out by "
                        + leftOut(config, name) + ": there is nothing to drop");
            }
        }
        for (String name : config.features.historyDropout.keySet()) {
            FeatureSpec spec = available.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
            if (spec == null || !spec.fromInteractions()) {
                List<String> histories = available.stream().filter(FeatureSpec::fromInteractions).map(FeatureSpec::name).toList();
                throw new ConfigException(source, "features.historyDropout." + name, 0, (spec == null
                        ? "the data has no feature '" + name + "'" : "'" + name + "' is not a history feature")
                        + "; its history features: " + (histories.isEmpty() ? "none" : histories));
            }
            if (leftOut(config, name) != null) {
                throw new ConfigException(source, "features.historyDropout." + name, 0, "'" + name + "' is left out by "
                        + leftOut(config, name) + ": there is nothing to drop");
            }
        }
        List<FeatureSpec> selected = new ArrayList<>();
        for (FeatureSpec f : available) {
            if (included(config, f.name()) && !config.features.exclude.contains(f.name())) {
                selected.add(f);
            }
        }
        if (selected.isEmpty()) {
            // names are checked above, so a non-empty include keeps some: exclude took them all
            boolean included = config.features.include != null && !config.features.include.isEmpty();
            throw new ConfigException(source, "features.exclude", 0, "leaves no feature to use: it excludes every feature "
                    + (included ? "features.include lists (" + config.features.include + ")" : "of the data (" + names + ")"));
        }
        return selected;
    }

    /** @return {@code features.include} or {@code features.exclude} when it leaves the feature out, else null */
    private static String leftOut(ExperimentConfig config, String name) {
        if (config.features.exclude.contains(name)) {
            return "features.exclude";
        }
        return !included(config, name) ? "features.include" : null;
    }

    /** @return whether {@code features.include} keeps the feature: it lists it, or it is left out (or empty, as models stored before wrote it) */
    private static boolean included(ExperimentConfig config, String name) {
        List<String> include = config.features.include;
        return include == null || include.isEmpty() || include.contains(name);
    }

    private static void checkNames(List<String> wanted, Set<String> names, String path, String source) {
        for (int i = 0; i < wanted.size(); i++) {
            if (!names.contains(wanted.get(i))) {
                throw new ConfigException(source, path + "[" + i + "]", 0, "the data has no feature '" + wanted.get(i) + "'; available: " + names);
            }
        }
    }

    /**
     * Each task's wide part: it reads the encoder's output with {@code features.wide} or
     * {@code tasks[i].wide}, and the features of {@code tasks[i].wideFeatures} through embeddings
     * of its own.
     *
     * @return per task, its wide part or null
     */
    private static MultiTaskBlock.WideSpec[] wideParts(Plan plan, List<FeatureSpec> features) {
        ExperimentConfig c = plan.config();
        MultiTaskBlock.WideSpec[] wide = new MultiTaskBlock.WideSpec[c.tasks.size()];
        List<String> names = features.stream().map(FeatureSpec::name).toList();
        for (int i = 0; i < wide.length; i++) {
            TaskConfig t = c.tasks.get(i);
            List<String> own = t.wideFeatures == null ? List.of() : t.wideFeatures;
            int[] positions = new int[own.size()];
            for (int j = 0; j < own.size(); j++) {
                String name = own.get(j);
                positions[j] = names.indexOf(name);
                if (positions[j] < 0) {
                    String by = leftOut(c, name);
                    throw new ConfigException(plan.source(), "tasks[" + i + "].wideFeatures[" + j + "]", 0, by != null
                            ? "'" + name + "' is left out by " + by + "; the features read: " + names
                            : "'" + name + "' is not a feature of the data; expected one of " + names);
                }
                if (own.subList(0, j).contains(name)) {
                    throw new ConfigException(plan.source(), "tasks[" + i + "].wideFeatures[" + j + "]", 0,
                            "'" + name + "' is listed twice");
                }
            }
            boolean encoded = c.features.wide || t.wide;
            wide[i] = encoded || positions.length > 0 ? new MultiTaskBlock.WideSpec(encoded, positions) : null;
        }
        return wide;
    }

    /**
     * Checks that the split early stopping watches is one the data evaluates, that every task's
     * label column exists in the training split, and that
     * {@code hideFeatures} is only given to attribute tasks and names features of their entity.
     */
    public void checkLabels(Plan plan, Dataset dataset) {
        EarlyStoppingConfig es = plan.config().training.earlyStopping;
        if (es != null) {
            Set<String> evaluated = new LinkedHashSet<>();
            dataset.splits().forEach((name, rows) -> {
                if (rows.size() > 0) { // an empty split has nothing to evaluate
                    evaluated.add(name);
                }
            });
            evaluated.addAll(dataset.attributeEvaluation().keySet());
            evaluated.remove(Dataset.TRAIN);
            String split = es.metric.split("\\.")[0];
            if (!evaluated.contains(split)) {
                throw new ConfigException(plan.source(), "training.earlyStopping.metric", 0,
                        "the data has no split '" + split + "' to evaluate; available: " + evaluated);
            }
        }
        Interactions train = dataset.train();
        for (int i = 0; i < plan.config().tasks.size(); i++) {
            TaskConfig t = plan.config().tasks.get(i);
            if (!TaskContext.OBSERVED.equals(t.label) && train.label(t.label) == null && !dataset.attributes().containsKey(t.label)) {
                throw new ConfigException(plan.source(), "tasks[" + i + "].label", 0, "the data has no label column or attribute '" + t.label
                        + "'; label columns: " + train.labelColumns() + ", attributes: " + dataset.attributes().keySet()
                        + ", or '" + TaskContext.OBSERVED + "'");
            }
            List<String> hide = t.hideFeatures == null ? List.of() : t.hideFeatures;
            EntityAttribute attribute = dataset.attributes().get(t.label);
            if (!hide.isEmpty() && attribute == null) {
                throw new ConfigException(plan.source(), "tasks[" + i + "].hideFeatures", 0, "only an entity-attribute task has rows of its"
                        + " own to hide features on; the label '" + t.label + "' is not an attribute (attributes: "
                        + dataset.attributes().keySet() + ")");
            }
            for (int j = 0; j < hide.size(); j++) {
                String name = hide.get(j);
                FeatureSpec f = dataset.features().stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
                if (f == null || f.entity() != attribute.entity()) {
                    List<String> own = dataset.features().stream().filter(x -> x.entity() == attribute.entity()).map(FeatureSpec::name).toList();
                    throw new ConfigException(plan.source(), "tasks[" + i + "].hideFeatures[" + j + "]", 0, "'" + name
                            + "' is not a feature of the " + attribute.entity().name().toLowerCase(java.util.Locale.ROOT)
                            + " (the other side of an attribute row is unknown anyway); expected one of " + own);
                }
            }
        }
    }

    /** Computes the statistics of every task's encoded training labels. */
    public Map<String, LabelStatistics> labelStatistics(Plan plan, Dataset dataset) {
        Map<String, LabelStatistics> stats = new java.util.LinkedHashMap<>();
        List<TaskLabels> labels = taskLabels(plan, dataset);
        Map<String, int[]> trainingEntities = Trainer.trainingEntities(dataset, labels);
        Interactions train = dataset.train();
        for (int i = 0; i < plan.config().tasks.size(); i++) {
            TaskConfig t = plan.config().tasks.get(i);
            EntityAttribute attribute = dataset.attributes().get(t.label);
            if (attribute != null) {
                stats.put(t.name, attributeStatistics(attribute, trainingEntities.get(attribute.name())));
                continue;
            }
            TaskLabels task = labels.get(i);
            double sum = 0;
            double sumSq = 0;
            long count = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            float[] column = TaskContext.OBSERVED.equals(t.label) ? null : train.label(t.label);
            for (int r = 0; r < train.size(); r++) {
                float raw = column == null ? 1f : column[r];
                if (Float.isNaN(raw)) {
                    continue;
                }
                double v = encode(plan, i, task, raw, dataset.name(), Dataset.TRAIN, train, r);
                sum += v;
                sumSq += v * v;
                count++;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            if (column != null) {
                checkEvaluatedLabels(plan, dataset, i, task);
            }
            // as documented by LabelStatistics: labelled rows before negative sampling
            double mean = count == 0 ? 0 : sum / count;
            double variance = variance(count, sum, sumSq, min, max);
            // negatives are drawn for every training row, labelled or not; no labelled row, no range
            stats.put(t.name, count == 0 ? new LabelStatistics(count, mean, variance, train.size())
                    : new LabelStatistics(count, mean, variance, train.size(), min, max));
        }
        return stats;
    }

    /**
     * The population variance of {@code count} values from their sum, sum of squares and extremes:
     * 0 for values all the same, whatever {@code sumSq / count - mean^2} rounds to (51 labels of
     * 0.1f: 1.7e-18), so that a constant label is found to be one.
     */
    static double variance(long count, double sum, double sumSq, double min, double max) {
        if (count == 0 || min == max) {
            return 0;
        }
        double mean = sum / count;
        return Math.max(0, sumSq / count - mean * mean);
    }

    private static LabelStatistics attributeStatistics(EntityAttribute attribute, int[] entities) {
        int per = attribute.valuesPerEntity();
        double sum = 0;
        double sumSq = 0;
        long count = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int e : entities) {
            for (int j = 0; j < per; j++) {
                double v = attribute.values()[e * per + j];
                sum += v;
                sumSq += v * v;
                count++;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        double mean = count == 0 ? 0 : sum / count;
        double variance = count == 0 ? 0 : Math.max(0, sumSq / count - mean * mean);
        return count == 0 ? new LabelStatistics(entities.length, mean, variance)
                : new LabelStatistics(entities.length, mean, variance, entities.length, min, max);
    }

    /** @return the label shape of every task */
    public Map<String, LabelInfo> labelInfo(Plan plan, Dataset dataset) {
        Map<String, LabelInfo> info = new java.util.LinkedHashMap<>();
        for (TaskConfig t : plan.config().tasks) {
            EntityAttribute attribute = dataset.attributes().get(t.label);
            info.put(t.name, attribute == null ? LabelInfo.SCALAR : new LabelInfo(attribute.width(), true, attribute.entity(), attribute.kind()));
        }
        return info;
    }

    /** @return how each task reads its labels from this dataset (attributes attached) */
    public List<TaskLabels> taskLabels(Plan plan, Dataset dataset) {
        List<TaskLabels> labels = new ArrayList<>();
        for (int i = 0; i < plan.config().tasks.size(); i++) {
            TaskConfig t = plan.config().tasks.get(i);
            EntityAttribute attribute = dataset.attributes().get(t.label);
            if (attribute != null) {
                labels.add(new TaskLabels(t.name, t.label, v -> v, 0, attribute));
            } else {
                TaskHead head = createHead(plan, i, 1, new LabelStatistics(0, 0, 0), LabelInfo.SCALAR);
                String path = "tasks[" + i + "].head";
                Registered<?> reg = plan.heads().get(i);
                labels.add(new TaskLabels(t.name, t.label, labelEncoder(reg, head, plan.source(), path),
                        negativesPerPositive(reg, head, plan.source(), path)));
            }
        }
        return withJointParents(plan.config(), labels);
    }

    /**
     * @return a head's {@link TaskHead#encodeLabel}, called for every labelled row: an
     *     {@code IllegalArgumentException} (a value the head refuses) passes as it is, for the caller
     *     to report the row as bad data; an {@code InvalidConfigException} refuses a value of the
     *     task's params ({@link Registered#refusal}); any other failure is the plugin's, reported naming it and
     *     {@code path} as a failure of every other call into it is. It runs with the plugin's
     *     class loader as the thread's context class loader, as every other call into it does; the
     *     failure's wording is spent only on a row that fails.
     */
    static java.util.function.DoubleUnaryOperator labelEncoder(Registered<?> reg, TaskHead head, String source, String path) {
        return raw -> {
            try (ContextClassLoader ignored = ContextClassLoader.enter(reg.classLoader())) {
                return head.encodeLabel((float) raw);
            } catch (IllegalArgumentException e) {
                throw e;
            } catch (InvalidConfigException e) {
                throw reg.refusal(source, path, "encodeLabel()", e);
            } catch (RuntimeException | Error e) {
                // the guard tells the framework's own exceptions from the plugin's and words the failure
                return reg.call(source, path, "encodeLabel()", () -> {
                    throw e;
                });
            }
        };
    }

    /** @return the head's negatives per observed row, checked to be 0 or more */
    private static int negativesPerPositive(Registered<?> reg, TaskHead head, String source, String path) {
        int negatives = reg.call(source, path, "negativesPerPositive()", head::negativesPerPositive);
        if (negatives < 0) {
            throw reg.failure(source, path, "negativesPerPositive()", "must return 0 or more, got " + negatives);
        }
        return negatives;
    }

    /** The labels of every split but training's must suit the task's head too: they are evaluated. */
    private void checkEvaluatedLabels(Plan plan, Dataset dataset, int task, TaskLabels labels) {
        String label = plan.config().tasks.get(task).label;
        for (Map.Entry<String, Interactions> split : dataset.splits().entrySet()) {
            float[] column = split.getKey().equals(Dataset.TRAIN) ? null : split.getValue().label(label);
            for (int r = 0; column != null && r < column.length; r++) {
                if (!Float.isNaN(column[r])) {
                    encode(plan, task, labels, column[r], dataset.name(), split.getKey(), split.getValue(), r);
                }
            }
        }
    }

    private double encode(Plan plan, int task, TaskLabels labels, float raw, String source, String split, Interactions rows,
            int row) {
        try {
            return labels.encoder().applyAsDouble(raw);
        } catch (IllegalArgumentException e) {
            String label = plan.config().tasks.get(task).label;
            String problem = "task " + plan.config().tasks.get(task).name + " cannot use the value " + raw + ": " + e.getMessage();
            throw rowError(source, split, rows, row, label, problem);
        }
    }

    /**
     * @return an error about a row's label, naming the row's file and line when the source says
     *     where it was read ({@link Interactions#origin}), else the split and the row's position
     */
    static DataException rowError(String source, String split, Interactions rows, int row, String label, String problem) {
        Interactions.Origin origin = rows.origin(row);
        if (origin != null) {
            return new DataException(origin.file(), origin.line(), "label '" + label + "' (split '" + split + "'): " + problem);
        }
        return new DataException(source, 0, "split '" + split + "', row " + (row + 1) + " of its " + label + " labels "
                + "(in the data source's order): " + problem);
    }

    /** As {@link #createHead(Plan, int, TaskContext)}, with the context made of these. */
    private TaskHead createHead(Plan plan, int i, int inputWidth, LabelStatistics stats, LabelInfo info) {
        return createHead(plan, i, context(plan, i, inputWidth, stats, info));
    }

    /** @return what task {@code i}'s head is created with */
    private static TaskContext context(Plan plan, int i, int inputWidth, LabelStatistics stats, LabelInfo info) {
        TaskConfig t = plan.config().tasks.get(i);
        return new TaskContext(t.name, t.label, inputWidth, stats, info.width(), info.attribute(), info.kind(), !plan.experiment());
    }

    /**
     * @throws ConfigException under {@code tasks[i].params} when the head refuses its parameters
     *     for this task (a binary head's {@code threshold} on implicit feedback, say)
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private TaskHead createHead(Plan plan, int i, TaskContext context) {
        Registered<?> reg = plan.heads().get(i);
        TaskHeadFactory factory = (TaskHeadFactory) reg.factory();
        TaskHead head;
        try {
            head = reg.call(plan.source(), "tasks[" + i + "].head", "create()", () -> factory.create(plan.headConfigs().get(i), context));
        } catch (InvalidConfigException e) {
            // an empty path refuses the head as a whole for this task (bpr on an attribute), not one of its params
            throw new ConfigException(plan.source(), e.path().isEmpty() ? "tasks[" + i + "].head" : e.under("tasks[" + i + "].params").path(),
                    0, e.reason());
        }
        if (head == null) {
            throw reg.failure(plan.source(), "tasks[" + i + "].head", "create()", "returned null");
        }
        return head;
    }

    /**
     * @return what a plugin's {@code createBlock()} returned, checked not to be null; an
     *     {@code InvalidConfigException} of it refuses a value of the params ({@link Registered#refusal})
     */
    private static Block block(Registered<?> reg, String source, String path, java.util.function.Supplier<Block> createBlock) {
        Block block = reg.callBuilding(source, path, "createBlock()", createBlock);
        if (block == null) {
            throw reg.failure(source, path, "createBlock()", "returned null");
        }
        return block;
    }

    /** @return an {@code outputWidth()} of a head or a sharing strategy, checked to be 1 or more */
    private static int outputWidth(Registered<?> reg, String source, String path, java.util.function.IntSupplier width) {
        int w = reg.call(source, path, "outputWidth()", width::getAsInt);
        if (w < 1) {
            throw reg.failure(source, path, "outputWidth()", "must return 1 or more, got " + w);
        }
        return w;
    }

    /** @return what a head outputs per row, for the metrics that fit it */
    private static dev.taskweave.api.metric.MetricOutput output(Registered<?> plugin, TaskHead head, String source, String path) {
        if (plugin.call(source, path, "outputWidth()", head::outputWidth) > 1) {
            // a multi-label head's outputs are logits of independent labels, a multi-class head's are not
            return plugin.call(source, path, "producesLogit()", head::producesLogit)
                    ? dev.taskweave.api.metric.MetricOutput.MULTI_LABEL : dev.taskweave.api.metric.MetricOutput.MULTI_CLASS;
        }
        if (plugin.call(source, path, "pairwise()", head::pairwise)) {
            return dev.taskweave.api.metric.MetricOutput.SCORE;
        }
        return plugin.call(source, path, "producesLogit()", head::producesLogit)
                ? dev.taskweave.api.metric.MetricOutput.PROBABILITY : dev.taskweave.api.metric.MetricOutput.VALUE;
    }

    /**
     * The metric {@code training.earlyStopping} watches must be one its task reports: checked
     * when the model is assembled, so that check refuses what train would.
     *
     * @return the metric, or null without early stopping
     * @throws ConfigException at {@code training.earlyStopping.metric} when the task does not report it
     */
    public static Metric monitoredMetric(Plan plan, List<ResolvedTask> tasks) {
        EarlyStoppingConfig es = plan.config().training.earlyStopping;
        if (es == null) {
            return null;
        }
        String[] monitor = es.metric.split("\\.");
        ResolvedTask task = tasks.stream().filter(r -> r.name().equals(monitor[1])).findFirst().orElseThrow();
        return task.metrics().stream().filter(m -> m.name().equals(monitor[2])).findFirst().orElseThrow(() ->
                new ConfigException(plan.source(), "training.earlyStopping.metric", 0, "task " + monitor[1] + " does not report "
                        + monitor[2] + " (it reports " + task.metrics().stream().map(Metric::name).toList() + "); add it to its metrics"));
    }

    /** The metrics {@link Evaluator#ranking} measures on ranking candidate lists; {@code K} is {@code training.rankingCutoff}. */
    private static final java.util.regex.Pattern RANKING_METRIC = java.util.regex.Pattern.compile("(hr|ndcg)@\\d+|auc_per_user");

    /** @return a setting's value as an error quotes it: {@code 'text'}, or {@code nothing (null)} for YAML's null */
    private static String given(String value) {
        return value == null ? "nothing (null)" : "'" + value + "'";
    }

    /**
     * A task's calibration settings that need no data: their values, and the settings that need
     * another ({@code calibrateOn: train} without a calibration, a cold map without an affine
     * one). Checked by {@link #plan} before the data is read, and again as a model is assembled.
     */
    private static void checkCalibrationSettings(TaskConfig t, String path, String source) {
        String calibrate = t.calibrate;
        if (!"none".equals(calibrate) && !"platt".equals(calibrate) && !"threshold".equals(calibrate) && !"linear".equals(calibrate)) {
            throw new ConfigException(source, path + ".calibrate", 0, "expected none, platt, threshold or linear, got " + given(calibrate));
        }
        if (!"valid".equals(t.calibrateOn) && !"train".equals(t.calibrateOn)) {
            throw new ConfigException(source, path + ".calibrateOn", 0, "expected valid or train, got " + given(t.calibrateOn));
        }
        if ("train".equals(t.calibrateOn) && "none".equals(calibrate)) {
            throw new ConfigException(source, path + ".calibrateOn", 0, "set without calibrate: there is nothing to fit on the training rows");
        }
        boolean affine = "platt".equals(calibrate) || "linear".equals(calibrate);
        for (String entities : new String[] {"users", "items"}) {
            boolean wanted = entities.equals("users") ? t.calibrateColdUsers : t.calibrateColdItems;
            if (wanted && !affine) {
                throw new ConfigException(source, path + ".calibrateCold" + Character.toUpperCase(entities.charAt(0)) + entities.substring(1),
                        0, "needs calibrate: platt or linear (it fits a second map of that kind for " + entities
                        + " the model does not know)");
            }
        }
    }

    /**
     * Refuses {@code calibrateColdUsers} / {@code calibrateColdItems} ({@code wanted}) on data
     * without the entity's id feature (the calibration's kind was checked by
     * {@link #checkCalibrationSettings}).
     */
    private static void checkColdCalibration(Plan plan, ResolvedTask r, String calibrate, boolean wanted, String entities,
            int idPosition) {
        if (!wanted) {
            return;
        }
        String path = "tasks[" + r.index() + "].calibrateCold" + Character.toUpperCase(entities.charAt(0)) + entities.substring(1);
        if (idPosition < 0) {
            throw new ConfigException(plan.source(), path, 0, "the data has no " + entities.substring(0, entities.length() - 1)
                    + " id feature, so no " + entities.substring(0, entities.length() - 1) + " is known apart from the others");
        }
    }

    /** A ranking formula reads one score per (user, item) pair of each task it names. */
    private static void checkFormulaWidths(Plan plan, List<ResolvedTask> tasks) {
        String text = plan.config().serving == null ? null : plan.config().serving.formula;
        if (text == null) {
            return;
        }
        for (String name : Formula.parse(text).tasks()) {
            ResolvedTask task = tasks.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
            int width = task.outputWidth();
            if (width != 1) {
                throw new ConfigException(plan.source(), "serving.formula", 0, "task '" + name + "' has " + width
                        + " outputs; a formula can only use single-output tasks");
            }
        }
    }

    /**
     * Creates every component and the initialised graph.
     *
     * @param features the features the encoder reads, in input order
     * @param stats    label statistics per task name
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public AssembledModel assemble(Plan plan, List<FeatureSpec> features, Map<String, LabelStatistics> stats,
            Map<String, LabelInfo> labelInfo, NDManager manager) {
        ExperimentConfig c = plan.config();
        InputEncoder encoder = new InputEncoder(features, c.features.embeddingDim, c.features.idInteraction,
                Set.copyOf(c.features.wideOnly));
        List<String> taskNames = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        for (TaskConfig t : c.tasks) {
            taskNames.add(t.name);
            weights.add(t.weight);
        }
        SharingStrategyFactory sharingFactory = (SharingStrategyFactory) plan.sharing().factory();
        SharingStrategy sharing;
        Block sharingBlock;
        SharingContext sharingContext = new SharingContext(taskNames, encoder.outputWidth());
        try {
            sharing = plan.sharing().call(plan.source(), "sharing.type", "create()",
                    () -> sharingFactory.create(plan.sharingConfig(), sharingContext));
            if (sharing == null) {
                throw plan.sharing().failure(plan.source(), "sharing.type", "create()", "returned null");
            }
            sharingBlock = block(plan.sharing(), plan.source(), "sharing.type", sharing::createBlock);
        } catch (InvalidConfigException e) {
            throw new ConfigException(plan.source(), e.under("sharing.params").path(), 0, e.reason());
        }
        int sharingWidth = outputWidth(plan.sharing(), plan.source(), "sharing.type", sharing::outputWidth);

        List<ResolvedTask> tasks = new ArrayList<>();
        List<MultiTaskBlock.Component> headBlocks = new ArrayList<>();
        List<Integer> widths = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (int i = 0; i < c.tasks.size(); i++) {
            TaskConfig t = c.tasks.get(i);
            LabelStatistics s = requireNonNull(stats.get(t.name), "no statistics for task " + t.name);
            LabelInfo info = labelInfo.getOrDefault(t.name, LabelInfo.SCALAR);
            TaskContext context = context(plan, i, sharingWidth, s, info);
            TaskHead head = createHead(plan, i, context);
            Registered<?> reg = plan.heads().get(i);
            String headPath = "tasks[" + i + "].head";
            if (plan.experiment()) {
                warnings.addAll(headWarnings(plan, i, context));
            }
            int width = outputWidth(reg, plan.source(), headPath, head::outputWidth);
            if (info.attribute() && info.width() > 1 && width == 1) {
                throw new ConfigException(plan.source(), "tasks[" + i + "].head", 0, "'" + t.head + "' has one output, and the label '"
                        + t.label + "' is an attribute of " + info.width() + " classes or labels per entity; use a head with an"
                        + " output per class or label (such as multiclass or multilabel)");
            }
            dev.taskweave.api.metric.MetricOutput output = output(reg, head, plan.source(), headPath);
            List<String> metricNames = t.metrics.isEmpty() ? reg.call(plan.source(), headPath, "defaultMetrics()", head::defaultMetrics)
                    : t.metrics;
            if (metricNames == null) {
                throw reg.failure(plan.source(), headPath, "defaultMetrics()", "returned null");
            }
            List<Metric> taskMetrics = new ArrayList<>();
            List<String> metricPaths = new ArrayList<>();
            for (int m = 0; m < metricNames.size(); m++) {
                String name = metricNames.get(m);
                // a default metric was chosen by the head
                metricPaths.add(t.metrics.isEmpty() ? headPath : "tasks[" + i + "].metrics[" + m + "]");
                Metric metric = metrics.find(name);
                if (metric == null) {
                    throw new ConfigException(plan.source(), "tasks[" + i + "].metrics", 0, "the head's default metric '" + name + "' is unknown");
                }
                if (plan.experiment() && !t.metrics.isEmpty() && !metrics.fits(name, output)) {
                    throw new ConfigException(plan.source(), "tasks[" + i + "].metrics[" + m + "]", 0, name + " does not apply to head '"
                            + t.head + "', which outputs " + output.description() + (info.attribute() ? " of an attribute" : "")
                            + "; metrics that do: " + metrics.namesFor(output));
                }
                taskMetrics.add(metric);
            }
            TaskLabels labels = new TaskLabels(t.name, t.label, labelEncoder(reg, head, plan.source(), headPath),
                    negativesPerPositive(reg, head, plan.source(), headPath));
            tasks.add(new ResolvedTask(i, t.name, t.head, head, reg, labels, taskMetrics, s, info, width, headPath, metricPaths));
            headBlocks.add(new MultiTaskBlock.Component(block(reg, plan.source(), headPath, head::createBlock), reg.classLoader(), reg,
                    plan.source(), headPath));
            widths.add(width);
        }
        if (plan.experiment()) {
            monitoredMetric(plan, tasks);
            distilledTasks(plan, tasks);
            checkFormulaWidths(plan, tasks);
        }
        List<TaskDependency> dependencies = dependencies(c);
        for (TaskDependency d : dependencies) {
            for (int task : new int[] {d.parent(), d.child()}) {
                ResolvedTask r = tasks.get(task);
                if (!r.plugin().call(plan.source(), r.headPath(), "producesLogit()", r.head()::producesLogit) || r.outputWidth() != 1
                        || r.labelInfo().attribute()) {
                    throw new ConfigException(plan.source(), "tasks[" + d.child() + "].dependsOn", 0, d.mode().yamlName()
                            + " needs a one-logit head (such as binary) on both tasks; task '" + r.name() + "' has head '"
                            + r.headType() + "'" + (r.labelInfo().attribute() ? " on an entity attribute" : ""));
                }
            }
        }
        for (ResolvedTask r : tasks) {
            String calibrate = c.tasks.get(r.index()).calibrate;
            // the settings' own values were checked by plan, before the data was read
            checkCalibrationSettings(c.tasks.get(r.index()), "tasks[" + r.index() + "]", plan.source());
            if ("threshold".equals(calibrate) && !r.plugin().call(plan.source(), r.headPath(), "producesLogit()", r.head()::producesLogit)) {
                throw new ConfigException(plan.source(), "tasks[" + r.index() + "].calibrate", 0, "threshold shifts logits whose"
                        + " sigmoids are probabilities (heads such as binary and multilabel); task '" + r.name() + "' has head '"
                        + r.headType() + "'");
            }
            if ("platt".equals(calibrate)
                    && (!r.plugin().call(plan.source(), r.headPath(), "producesLogit()", r.head()::producesLogit) || r.outputWidth() != 1
                    || r.labelInfo().attribute())) {
                throw new ConfigException(plan.source(), "tasks[" + r.index() + "].calibrate", 0, "platt calibrates one logit (a head such as"
                        + " binary); task '" + r.name() + "' has head '" + r.headType() + "'"
                        + (r.labelInfo().attribute() ? " on an entity attribute" : ""));
            }
            if ("linear".equals(calibrate)
                    && (!r.plugin().call(plan.source(), r.headPath(), "predictsValue()", r.head()::predictsValue) || r.outputWidth() != 1
                    || r.labelInfo().attribute())) {
                throw new ConfigException(plan.source(), "tasks[" + r.index() + "].calibrate", 0, "linear maps one predicted value"
                        + " (a head such as regression, whose output is its prediction; platt calibrates a logit); task '"
                        + r.name() + "' has head '" + r.headType() + "'" + (r.labelInfo().attribute() ? " on an entity attribute" : ""));
            }
            checkColdCalibration(plan, r, calibrate, c.tasks.get(r.index()).calibrateColdUsers, "users", encoder.userIdPosition());
            checkColdCalibration(plan, r, calibrate, c.tasks.get(r.index()).calibrateColdItems, "items", encoder.itemIdPosition());
        }
        List<ResolvedTask> joint = new ArrayList<>(tasks);
        for (TaskDependency d : dependencies) {
            if (d.mode() == TaskDependency.Mode.ESMM) {
                ResolvedTask r = joint.get(d.child());
                joint.set(d.child(), new ResolvedTask(r.index(), r.name(), r.headType(), r.head(), r.plugin(),
                        r.labels().withJointParent(d.parent()), r.metrics(), r.statistics(), r.labelInfo(), r.outputWidth(), r.headPath(),
                        r.metricPaths()));
            }
        }
        tasks = joint;
        LossWeightingFactory weightingFactory = (LossWeightingFactory) plan.weighting().factory();
        LossWeighting weighting;
        Block weightingBlock;
        WeightingContext weightingContext = new WeightingContext(taskNames, weights);
        try {
            weighting = plan.weighting().call(plan.source(), "weighting.type", "create()",
                    () -> weightingFactory.create(plan.weightingConfig(), weightingContext));
            if (weighting == null) {
                throw plan.weighting().failure(plan.source(), "weighting.type", "create()", "returned null");
            }
            weightingBlock = block(plan.weighting(), plan.source(), "weighting.type", weighting::createBlock);
        } catch (InvalidConfigException e) {
            throw new ConfigException(plan.source(), e.under("weighting.params").path(), 0, e.reason());
        }

        MultiTaskBlock.WideSpec[] wide = wideParts(plan, features);
        MultiTaskBlock block = new MultiTaskBlock(encoder,
                new MultiTaskBlock.Component(sharingBlock, plan.sharing().classLoader(), plan.sharing(), plan.source(), "sharing.type"),
                sharingWidth, headBlocks, widths, new MultiTaskBlock.Component(weightingBlock, plan.weighting().classLoader(),
                        plan.weighting(), plan.source(), "weighting.type"), dependencies,
                wide);
        Shape[] shapes = new Shape[features.size()];
        for (int f = 0; f < features.size(); f++) {
            shapes[f] = InputEncoder.inputShape(features.get(f), 2);
        }
        try {
            block.initialize(manager, DataType.FLOAT32, shapes);
        } catch (RuntimeException e) {
            String allocation = allocationFailure(e);
            if (allocation == null) {
                throw e;
            }
            // a size in the configuration, not a bug: an embedding or a layer too wide for this machine
            throw new ConfigException(plan.source(), "", 0, "the model's parameters do not fit in memory (" + allocation + "); "
                    + (plan.experiment() ? "lower features.embeddingDim, the layer or tower widths, or the number of experts"
                    : "the model was trained where they did: load it on a machine with that much memory free"));
        }
        return new AssembledModel(plan, features, tasks, block, weighting, List.copyOf(warnings));
    }

    /**
     * @return what task {@code i}'s head factory says about its parameters against the task's
     *     training labels ({@link TaskHeadFactory#warnings}), each after {@code tasks[i].head: }
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<String> headWarnings(Plan plan, int i, TaskContext context) {
        Registered<?> reg = plan.heads().get(i);
        TaskHeadFactory factory = (TaskHeadFactory) reg.factory();
        String path = "tasks[" + i + "].head";
        List<?> said = reg.callBuilding(plan.source(), path, "warnings()",
                () -> (List<?>) factory.warnings(plan.headConfigs().get(i), context));
        List<String> out = new ArrayList<>();
        for (Object w : said == null ? List.of() : said) {
            if (w != null && !w.toString().isBlank()) {
                out.add(path + ": " + w.toString().strip());
            }
        }
        return out;
    }

    /** @return the engine's message when {@code e} or a cause is PyTorch refusing an allocation, else null */
    static String allocationFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (t instanceof ai.djl.engine.EngineException && message != null && message.contains("can't allocate memory")) {
                // "DefaultCPUAllocator: can't allocate memory: you tried to allocate N bytes. Error code 12 (...)", then a trace
                String first = message.lines().findFirst().orElse(message).strip();
                java.util.regex.Matcher bytes = java.util.regex.Pattern.compile("allocate (\\d+) bytes").matcher(first);
                return bytes.find() ? String.format(java.util.Locale.ROOT, "one array of them needs %,d bytes", Long.parseLong(bytes.group(1)))
                        : first;
            }
        }
        return null;
    }
}
