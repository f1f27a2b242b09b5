package dev.taskweave.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.config.ExperimentConfig;
import dev.taskweave.core.config.TaskConfig;
import dev.taskweave.core.formula.Formula;
import dev.taskweave.core.formula.FormulaException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A loaded tuning file: its experiment, the search space and the trials to run, every setting
 * checked against the experiment before anything trains.
 */
public final class Tuning {
    private static final Pattern PATH = Pattern.compile("[A-Za-z0-9_]+(\\.[A-Za-z0-9_-]+)*");

    /** The path of the optimizer's schedule, which drops the settings only the old schedule reads. */
    private static final String SCHEDULE = "optimizer.schedule";

    /** Checks an experiment as training would before reading data; throws {@link ConfigException}. */
    @FunctionalInterface
    public interface Check {
        void check(ExperimentConfig experiment);
    }

    private final Path file;
    private final TuneConfig config;
    private final Path experimentFile;
    private final ExperimentConfig experiment;
    private final SearchSpace space;
    private final Objective objective;
    private final List<Long> seeds;
    private final List<Map<String, JsonNode>> points;
    private final ConfigLoader loader;

    private Tuning(Path file, TuneConfig config, Path experimentFile, ExperimentConfig experiment, SearchSpace space,
            Objective objective, List<Long> seeds, ConfigLoader loader) {
        this.file = file;
        this.config = config;
        this.experimentFile = experimentFile;
        this.experiment = experiment;
        this.space = space;
        this.objective = objective;
        this.seeds = List.copyOf(seeds);
        this.loader = loader;
        this.points = config.search.equals("grid") ? space.grid() : space.random(config.trials, config.seed == null ? TuneConfig.DEFAULT_SEED : config.seed);
    }

    /**
     * Reads a tuning file and its experiment, and checks every searched value (each listed value,
     * both ends of each range) on the experiment with {@code check}.
     */
    public static Tuning load(Path file, ConfigLoader loader, Check check) {
        requireNonNull(check, "check is null");
        String source = file.toString();
        Map<?, ?> tree = loader.readMapping(file, "experiment, objective and parameters");
        TuneConfig config = loader.bind(tree, TuneConfig.class, source, "");
        if (config.experiment == null || config.experiment.isBlank()) {
            throw new ConfigException(source, "experiment", 0, "missing; expected an experiment file relative to this file");
        }
        Path experimentFile = file.toAbsolutePath().getParent().resolve(config.experiment).normalize();
        if (!java.nio.file.Files.isRegularFile(experimentFile)) {
            throw new ConfigException(source, "experiment", 0, "'" + config.experiment + "' is " + (java.nio.file.Files.isDirectory(experimentFile)
                    ? "a directory" : "not found") + " (" + experimentFile + "); expected an experiment file relative to this file");
        }
        ExperimentConfig experiment = loader.load(experimentFile);
        Objective objective = objective(config, experiment, source);
        SearchSpace space = space(config, loader, source);
        checkSearch(config, space, source);
        if (config.seeds != null && config.seeds.isEmpty()) {
            throw new ConfigException(source, "seeds", 0, "expected a list of at least one seed; leave it out to train with the"
                    + " experiment's own (" + experiment.seed + ")");
        }
        List<Long> seeds = config.seeds == null ? List.of(experiment.seed) : config.seeds;
        if (new HashSet<>(seeds).size() != seeds.size()) {
            throw new ConfigException(source, "seeds", 0, "a seed is listed twice: " + seeds);
        }
        if (config.confirm != null) {
            List<Long> fresh = config.confirm.seeds;
            if (fresh == null || fresh.isEmpty() || new HashSet<>(fresh).size() != fresh.size()) {
                throw new ConfigException(source, "confirm.seeds", 0, "expected a list of distinct training seeds, got " + fresh);
            }
            List<Long> reused = fresh.stream().filter(seeds::contains).toList();
            if (!reused.isEmpty()) {
                throw new ConfigException(source, "confirm.seeds", 0, "seeds " + reused + " also choose between the trials; "
                        + "confirm on fresh seeds, or the confirmation shares the luck that made the best trial best");
            }
        }
        Tuning tuning;
        try {
            tuning = new Tuning(file, config, experimentFile, experiment, space, objective, seeds, loader);
        } catch (IllegalArgumentException e) {
            // random search over a space with fewer distinct settings than trials
            throw new ConfigException(source, "trials", 0, config.trials + " random trials: " + e.getMessage()
                    + "; lower trials, or widen the ranges (an integer range has max - min + 1 values)");
        }
        // the confirmation trains the experiment as written and the best trial's settings on its own seeds
        List<Long> trained = new ArrayList<>(seeds);
        if (config.confirm != null) {
            trained.addAll(config.confirm.seeds);
            try {
                for (long seed : config.confirm.seeds) {
                    ExperimentConfig written = tuning.experiment(Map.of());
                    written.seed = seed;
                    check.check(written);
                }
            } catch (ConfigException e) {
                throw new ConfigException(source, "confirm", 0, "the confirmation trains the experiment as written, and "
                        + experimentFile + " does not validate: " + e.getMessage());
            }
        }
        for (SearchSpace.Dimension d : space.dimensions()) {
            // a component's params are checked with the type searched beside them (a shared-bottom's layers in an
            // MMoE experiment), a schedule's settings with the schedule: a value fits when it fits one of them
            List<Map<String, JsonNode>> contexts = contexts(space, d);
            for (JsonNode value : d.extremes()) {
                ConfigException refused = null;
                for (Map<String, JsonNode> context : contexts) {
                    Map<String, JsonNode> point = new java.util.LinkedHashMap<>(context);
                    point.put(d.path(), value);
                    try {
                        check.check(tuning.experiment(point));
                        refused = null;
                        break;
                    } catch (ConfigException e) {
                        refused = refused == null ? e : refused;
                    }
                }
                if (refused != null) {
                    Map<String, JsonNode> first = contexts.get(0);
                    throw new ConfigException(source, "parameters." + d.path(), 0, "the value " + value + " does not fit "
                            + experimentFile + (first.isEmpty() ? "" : " with " + Tuner.describe(first)
                            + (contexts.size() > 1 ? " (nor with the other values of " + String.join(", ", first.keySet())
                            + " searched)" : "")) + ": " + refused.getMessage());
                }
            }
        }
        // each value fits alone; the trials' combinations are checked too (a final learning rate above
        // a learning rate of another dimension), before the first trial trains, not when it is reached
        List<Map<String, JsonNode>> points = tuning.points();
        for (int i = 0; i < points.size(); i++) {
            try {
                // the objective as each trial reports it: a searched ranking cutoff or metrics list may leave it out
                objective(config, tuning.experiment(points.get(i)), source);
            } catch (ConfigException e) {
                throw new ConfigException(source, "objective", 0, "trial " + (i + 1) + " (" + Tuner.describe(points.get(i))
                        + ") would not report it: " + e.reason());
            }
            for (long seed : trained) {
                ExperimentConfig trial = tuning.experiment(points.get(i));
                trial.seed = seed;
                try {
                    check.check(trial);
                } catch (ConfigException e) {
                    throw new ConfigException(source, "parameters", 0, "trial " + (i + 1) + " (" + Tuner.describe(points.get(i)) + ", seed " + seed
                            + ") does not fit " + experimentFile + ": " + e.getMessage());
                }
            }
        }
        return tuning;
    }

    /**
     * @return the settings a value of {@code d} is checked with: every combination of the searched
     *     values of the settings that decide what it means ({@code sharing.type} for
     *     {@code sharing.params.layers}, {@code optimizer.schedule} for {@code optimizer.decay}), or
     *     one empty combination when none is searched
     */
    static List<Map<String, JsonNode>> contexts(SearchSpace space, SearchSpace.Dimension d) {
        List<Map<String, JsonNode>> contexts = List.of(Map.of());
        for (SearchSpace.Dimension g : space.dimensions()) {
            boolean governs = g != d && (g.path().endsWith(".type") && d.path().startsWith(g.path().substring(0, g.path().length() - "type".length()))
                    || g.path().equals(SCHEDULE) && d.path().startsWith("optimizer."));
            if (governs) {
                List<Map<String, JsonNode>> more = new ArrayList<>();
                for (Map<String, JsonNode> c : contexts) {
                    for (JsonNode v : g.extremes()) {
                        Map<String, JsonNode> next = new java.util.LinkedHashMap<>(c);
                        next.put(g.path(), v);
                        more.add(next);
                    }
                }
                contexts = more;
            }
        }
        return contexts;
    }

    /**
     * What a trial is judged by: a formula over validation metrics.
     *
     * @param formula the parsed objective; a single metric is a formula of one name
     * @param keys    per name of the formula, in its order, the metric as {@code task.metric}
     * @param goal    {@code maximize} or {@code minimize} as the file says, or null to follow the
     *                one metric's direction
     */
    public record Objective(Formula formula, List<String> keys, String goal) {
        /** @return the objective's value for one run's validation metrics ({@code task.metric}), NaN when one is NaN */
        public double value(Map<String, Double> valid) {
            double[] values = new double[keys.size()];
            for (int i = 0; i < values.length; i++) {
                Double v = valid.get(keys.get(i));
                values[i] = v == null ? Double.NaN : v;
            }
            return formula.evaluate(values);
        }
    }

    private static Objective objective(TuneConfig config, ExperimentConfig experiment, String source) {
        List<String> names = experiment.tasks == null ? List.of() : experiment.tasks.stream().map(t -> t.name).toList();
        String example = "valid." + (names.isEmpty() ? "rating" : names.get(0)) + ".rmse";
        if (config.objective == null || config.objective.isBlank()) {
            throw new ConfigException(source, "objective", 0, "missing; expected a validation metric such as " + example
                    + ", or a formula over them with a goal");
        }
        Formula formula;
        try {
            formula = Formula.parse(config.objective);
        } catch (FormulaException e) {
            throw new ConfigException(source, "objective", 0, "cannot read '" + config.objective + "': " + e.getMessage());
        }
        if (formula.tasks().isEmpty()) {
            throw new ConfigException(source, "objective", 0, "'" + config.objective + "' reads no metric");
        }
        List<String> keys = new ArrayList<>();
        for (String name : formula.tasks()) {
            String[] parts = name.split("\\.");
            if (parts.length == 3 && SPLITS.contains(parts[0]) && !parts[0].equals("valid")) {
                throw new ConfigException(source, "objective", 0, "must be measured on valid, got '" + parts[0]
                        + "': choosing settings by test metrics makes those test metrics optimistic");
            }
            if (parts.length == 3 && !parts[0].equals("valid")) {
                // read as valid before: test_cold_user.rating.rmse, or a typo (vaild.like.auc), optimised valid.rating.rmse
                String hint = spacesHint(name);
                throw new ConfigException(source, "objective", 0, "expected valid.task.metric or task.metric, for example " + example
                        + ", got '" + name + "'" + (hint.isEmpty() ? ": the objective is measured on valid, and '" + parts[0]
                        + "' is not valid" : hint));
            }
            if (parts.length < 2 || parts.length > 3 || (parts.length == 2 && SPLITS.contains(parts[0]))) {
                throw new ConfigException(source, "objective", 0, "expected valid.task.metric or task.metric, for example "
                        + example + ", got '" + name + "'" + spacesHint(name));
            }
            String task = parts[parts.length - 2];
            String metric = parts[parts.length - 1];
            TaskConfig t = experiment.task(task);
            if (t == null) {
                throw new ConfigException(source, "objective", 0, "the experiment has no task named '" + task + "'; tasks: " + names
                        + (name.contains("-") ? "; got '" + name + "'" + spacesHint(name) : ""));
            }
            if (RANKING.matcher(metric).matches()) {
                // reported beside the task's own metrics on a split with ranking lists, for implicit tasks
                int cutoff = experiment.training.rankingCutoff;
                if (!dev.taskweave.api.model.TaskContext.OBSERVED.equals(t.label)) {
                    throw new ConfigException(source, "objective", 0, "task '" + task + "' has explicit labels: " + metric
                            + " ranks the lists of an implicit (label: observed) task");
                }
                if (!metric.equals("auc_per_user") && !metric.equals(metric.replaceAll("@\\d+$", "@" + cutoff))) {
                    throw new ConfigException(source, "objective", 0, metric + " is not reported: training.rankingCutoff is "
                            + cutoff + " (hr@" + cutoff + ", ndcg@" + cutoff + ")");
                }
            } else if (t.metrics != null && !t.metrics.isEmpty() && !t.metrics.contains(metric)) {
                throw new ConfigException(source, "objective", 0, "task '" + task + "' reports " + t.metrics + ", not '" + metric
                        + "' (add it to the task's metrics)");
            }
            keys.add(task + "." + metric);
        }
        boolean single = formula.tasks().size() == 1 && config.objective.strip().equals(formula.tasks().get(0));
        if (config.goal != null && !config.goal.equals("maximize") && !config.goal.equals("minimize")) {
            throw new ConfigException(source, "goal", 0, "expected maximize or minimize, got " + config.goal);
        }
        if (config.goal == null && !single) {
            throw new ConfigException(source, "goal", 0, "an objective formula needs goal: maximize or minimize");
        }
        return new Objective(formula, List.copyOf(keys), config.goal);
    }

    /** A name with a minus sign in it, which a formula reads as part of the name. */
    private static String spacesHint(String name) {
        return name.contains("-") ? " (a minus sign between two metrics needs spaces around it: '" + name.replace("-", " - ")
                + "'; without them it is part of a name)" : "";
    }

    private static final java.util.Set<String> SPLITS = java.util.Set.of("train", "valid", "test");

    /** The ranking metrics an implicit task reports on a split with ranking lists (not registered metrics). */
    static final java.util.regex.Pattern RANKING = java.util.regex.Pattern.compile("(hr|ndcg)@\\d+|auc_per_user");

    private static SearchSpace space(TuneConfig config, ConfigLoader loader, String source) {
        if (config.parameters == null || config.parameters.isEmpty()) {
            throw new ConfigException(source, "parameters", 0, "expected at least one setting to search, for example "
                    + "optimizer.learningRate: [0.001, 0.003]");
        }
        List<SearchSpace.Dimension> dimensions = new ArrayList<>();
        for (Map.Entry<String, Object> e : config.parameters.entrySet()) {
            String path = e.getKey();
            String at = "parameters." + path;
            if (!PATH.matcher(path).matches()) {
                throw new ConfigException(source, at, 0, "expected a dotted experiment path such as optimizer.learningRate");
            }
            if (path.equals("seed")) {
                throw new ConfigException(source, at, 0, "the training seed is not searched; list training seeds under seeds");
            }
            Object value = e.getValue();
            if (value instanceof List<?> list) {
                if (list.isEmpty()) {
                    throw new ConfigException(source, at, 0, "expected at least one value");
                }
                List<JsonNode> values = new ArrayList<>();
                for (Object v : list) {
                    JsonNode node = loader.mapper().valueToTree(v);
                    // 1 and 1.0 are one setting: JsonNode's equality tells an int from a double
                    boolean repeated = values.stream().anyMatch(n -> n.equals(node)
                            || n.isNumber() && node.isNumber() && n.decimalValue().compareTo(node.decimalValue()) == 0);
                    if (repeated) {
                        throw new ConfigException(source, at + "[" + values.size() + "]", 0, node + " is listed twice: each value"
                                + " would train again as another trial");
                    }
                    values.add(node);
                }
                dimensions.add(SearchSpace.Dimension.of(path, values));
            } else if (value instanceof Map<?, ?>) {
                TuneConfig.Range r = loader.bind(value, TuneConfig.Range.class, source, at);
                if (r.min == null || r.max == null || !Double.isFinite(r.min) || !Double.isFinite(r.max) || r.min > r.max) {
                    throw new ConfigException(source, at, 0, "expected a range {min, max} of finite numbers with min <= max, got min "
                            + r.min + ", max " + r.max);
                }
                if (r.log && r.min <= 0) {
                    throw new ConfigException(source, at, 0, "a log range needs min > 0, got " + r.min);
                }
                if (r.integer && Math.ceil(r.min) > Math.floor(r.max)) {
                    throw new ConfigException(source, at, 0, "an integer range needs a whole number in [" + r.min + ", " + r.max + "]");
                }
                dimensions.add(SearchSpace.Dimension.range(path, r.min, r.max, r.log, r.integer));
            } else if (value == null) {
                throw new ConfigException(source, at, 0, "expected a list of values or a range {min, max}");
            } else {
                dimensions.add(SearchSpace.Dimension.of(path, List.of(loader.mapper().valueToTree(value))));
            }
        }
        return new SearchSpace(dimensions);
    }

    private static void checkSearch(TuneConfig config, SearchSpace space, String source) {
        if ("grid".equals(config.search)) {
            for (SearchSpace.Dimension d : space.dimensions()) {
                if (!d.listed()) {
                    throw new ConfigException(source, "parameters." + d.path(), 0,
                            "a range needs search: random; a grid needs a list of values");
                }
            }
            if (config.trials != null) {
                throw new ConfigException(source, "trials", 0, "applies to search: random; a grid runs every combination ("
                        + space.gridSize() + " here)");
            }
            if (config.seed != null) {
                throw new ConfigException(source, "seed", 0, "seeds the draws of search: random; a grid draws nothing (the"
                        + " training seeds are seeds, or the experiment's own)");
            }
            if (space.gridSize() > SearchSpace.MAX_GRID) {
                throw new ConfigException(source, "parameters", 0, "the grid has " + (space.gridSize() == Long.MAX_VALUE ? "too many"
                        : space.gridSize()) + " combinations, more than " + SearchSpace.MAX_GRID + "; use search: random with trials");
            }
        } else if ("random".equals(config.search)) {
            if (config.trials == null || config.trials < 1 || config.trials > 10_000) {
                throw new ConfigException(source, "trials", 0, "search: random needs trials between 1 and 10000, got " + config.trials);
            }
            if (space.finite() && config.trials >= space.gridSize()) {
                throw new ConfigException(source, "trials", 0, config.trials + " random trials over " + space.gridSize()
                        + " combinations of listed values; use search: grid to run each once");
            }
        } else {
            throw new ConfigException(source, "search", 0, "expected grid or random, got " + config.search);
        }
    }

    /**
     * @param point per searched path, its value
     * @return a copy of the experiment with those settings
     * @throws ConfigException naming the experiment path that does not take a value
     */
    public ExperimentConfig experiment(Map<String, JsonNode> point) {
        ObjectNode tree = loader.mapper().valueToTree(experiment);
        // a component's type first: another type drops the old one's params, which the point may then set
        // (the optimizer's schedule likewise drops the settings only the old schedule reads)
        point.forEach((path, value) -> {
            if (path.endsWith(".type") || path.equals(SCHEDULE)) {
                set(tree, path, value);
            }
        });
        point.forEach((path, value) -> {
            if (!path.endsWith(".type") && !path.equals(SCHEDULE)) {
                set(tree, path, value);
            }
        });
        Object map = loader.mapper().convertValue(tree, Map.class);
        return loader.bind(map, ExperimentConfig.class, null, "");
    }

    /** @return whether the experiment with {@code point}'s settings is, field for field, the experiment as written */
    public boolean isExperimentAsWritten(Map<String, JsonNode> point) {
        return loader.canonicalYaml(experiment(point)).equals(loader.canonicalYaml(experiment(Map.of())));
    }

    /**
     * Sets {@code path} in an experiment's tree; {@code tasks.<name>} steps into the task with that
     * name, missing mappings on the way are created.
     */
    static void set(ObjectNode root, String path, JsonNode value) {
        String[] parts = path.split("\\.");
        ObjectNode node = root;
        StringBuilder walked = new StringBuilder();
        for (int i = 0; i < parts.length - 1; i++) {
            String part = parts[i];
            walked.append(walked.length() == 0 ? "" : ".").append(part);
            JsonNode child = node.get(part);
            if (node == root && part.equals("tasks")) {
                String name = parts[++i];
                walked.append('.').append(name);
                child = task(child, name);
                if (i == parts.length - 1) {
                    throw new ConfigException(null, path, 0, "names a task; expected a field of it, for example tasks." + name + ".weight");
                }
            } else if (child == null || child.isNull()) {
                child = node.putObject(part);
            } else if (!child.isObject()) {
                throw new ConfigException(null, path, 0, walked + " is " + child + ", not a mapping");
            }
            node = (ObjectNode) child;
        }
        String field = parts[parts.length - 1];
        if (path.equals(SCHEDULE)) {
            ConfigLoader.setSchedule(node, value);
            return;
        }
        if (field.equals("type") && node.has("params") && !value.equals(node.get("type"))) {
            // another sharing strategy, weighting or data source: the old one's params mean nothing to
            // it (as when a benchmark's overrides name another type)
            node.remove("params");
        }
        node.set(field, value);
    }

    private static JsonNode task(JsonNode tasks, String name) {
        List<String> names = new ArrayList<>();
        if (tasks instanceof ArrayNode array) {
            for (JsonNode t : array) {
                if (name.equals(t.path("name").asText(null))) {
                    return t;
                }
                names.add(t.path("name").asText());
            }
        }
        throw new ConfigException(null, "tasks." + name, 0, "the experiment has no task named '" + name + "'; tasks: " + names);
    }

    /** @return the tuning file */
    public Path file() {
        return file;
    }

    /** @return its settings */
    public TuneConfig config() {
        return config;
    }

    /** @return the experiment file (relative data paths resolve from its directory) */
    public Path experimentFile() {
        return experimentFile;
    }

    /** @return the experiment as the file gives it */
    public ExperimentConfig experiment() {
        return experiment;
    }

    /** @return the searched settings */
    public SearchSpace space() {
        return space;
    }

    /** @return the trials' settings, in the order they run */
    public List<Map<String, JsonNode>> points() {
        return points;
    }

    /** @return the training seeds of every trial */
    public List<Long> seeds() {
        return seeds;
    }

    /** @return what a trial is judged by */
    public Objective objective() {
        return objective;
    }
}
