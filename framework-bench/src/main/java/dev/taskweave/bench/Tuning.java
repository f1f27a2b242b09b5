package dev.taskweave.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.config.ExperimentConfig;
import dev.taskweave.core.config.TaskConfig;
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
    private final String objectiveTask;
    private final String objectiveMetric;
    private final List<Long> seeds;
    private final List<Map<String, JsonNode>> points;
    private final ConfigLoader loader;

    private Tuning(Path file, TuneConfig config, Path experimentFile, ExperimentConfig experiment, SearchSpace space,
            List<Long> seeds, ConfigLoader loader) {
        this.file = file;
        this.config = config;
        this.experimentFile = experimentFile;
        this.experiment = experiment;
        this.space = space;
        String[] parts = config.objective.split("\\.");
        this.objectiveTask = parts[1];
        this.objectiveMetric = parts[2];
        this.seeds = List.copyOf(seeds);
        this.loader = loader;
        this.points = config.search.equals("grid") ? space.grid() : space.random(config.trials, config.seed);
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
        ExperimentConfig experiment = loader.load(experimentFile);
        checkObjective(config, experiment, source);
        SearchSpace space = space(config, loader, source);
        checkSearch(config, space, source);
        List<Long> seeds = config.seeds == null || config.seeds.isEmpty() ? List.of(experiment.seed) : config.seeds;
        if (new HashSet<>(seeds).size() != seeds.size()) {
            throw new ConfigException(source, "seeds", 0, "a seed is listed twice: " + seeds);
        }
        Tuning tuning = new Tuning(file, config, experimentFile, experiment, space, seeds, loader);
        for (SearchSpace.Dimension d : space.dimensions()) {
            for (JsonNode value : d.extremes()) {
                try {
                    check.check(tuning.experiment(Map.of(d.path(), value)));
                } catch (ConfigException e) {
                    throw new ConfigException(source, "parameters." + d.path(), 0, "the value " + value + " does not fit "
                            + experimentFile + ": " + e.getMessage());
                }
            }
        }
        return tuning;
    }

    private static void checkObjective(TuneConfig config, ExperimentConfig experiment, String source) {
        String example = "valid." + (experiment.tasks == null || experiment.tasks.isEmpty() ? "rating" : experiment.tasks.get(0).name)
                + ".rmse";
        if (config.objective == null || config.objective.split("\\.").length != 3) {
            throw new ConfigException(source, "objective", 0, "expected split.task.metric, for example " + example + ", got "
                    + config.objective);
        }
        String[] parts = config.objective.split("\\.");
        if (!parts[0].equals("valid")) {
            throw new ConfigException(source, "objective", 0, "must be measured on valid, got '" + parts[0]
                    + "': choosing settings by test metrics makes those test metrics optimistic");
        }
        TaskConfig task = experiment.task(parts[1]);
        if (task == null) {
            List<String> names = experiment.tasks == null ? List.of() : experiment.tasks.stream().map(t -> t.name).toList();
            throw new ConfigException(source, "objective", 0, "the experiment has no task named '" + parts[1] + "'; tasks: " + names);
        }
        if (task.metrics != null && !task.metrics.isEmpty() && !task.metrics.contains(parts[2])) {
            throw new ConfigException(source, "objective", 0, "task '" + parts[1] + "' reports " + task.metrics + ", not '" + parts[2]
                    + "' (add it to the task's metrics)");
        }
    }

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
                    values.add(loader.mapper().valueToTree(v));
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
        point.forEach((path, value) -> set(tree, path, value));
        Object map = loader.mapper().convertValue(tree, Map.class);
        return loader.bind(map, ExperimentConfig.class, null, "");
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
        node.set(parts[parts.length - 1], value);
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

    /** @return the objective's task */
    public String objectiveTask() {
        return objectiveTask;
    }

    /** @return the objective's metric */
    public String objectiveMetric() {
        return objectiveMetric;
    }
}
