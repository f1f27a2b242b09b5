package dev.taskweave.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.config.ExperimentConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A loaded suite: its file's settings and every configuration's experiment, read and overridden.
 *
 * @param file     the suite file
 * @param config   its settings
 * @param variants the configurations, in file order
 */
public record Suite(Path file, SuiteConfig config, List<Variant> variants) {
    /**
     * One configuration, ready to train.
     *
     * @param name       its name
     * @param file       its experiment file (errors name it; relative data paths resolve from it)
     * @param experiment the experiment with the suite's overrides applied
     * @param singleTask whether to train single-task counterparts
     */
    public record Variant(String name, Path file, ExperimentConfig experiment, boolean singleTask) {
        public Variant {
            requireNonNull(name, "name is null");
            requireNonNull(file, "file is null");
            requireNonNull(experiment, "experiment is null");
        }
    }

    /** Reads and checks a suite file and every experiment it names. */
    public static Suite load(Path file, ConfigLoader loader) {
        String source = file.toString();
        Map<?, ?> tree = loader.readMapping(file, "name, seeds and configurations");
        SuiteConfig config = loader.bind(tree, SuiteConfig.class, source, "");
        check(config, source);
        Path base = file.toAbsolutePath().getParent();
        List<Variant> variants = new ArrayList<>();
        for (int i = 0; i < config.configurations.size(); i++) {
            SuiteConfig.Configuration c = config.configurations.get(i);
            Path experimentFile = base.resolve(c.experiment).normalize();
            ExperimentConfig experiment = loader.load(experimentFile);
            if (c.overrides != null && !c.overrides.isEmpty()) {
                experiment = withOverrides(loader.mapper(), experiment, c.overrides, loader, source, "configurations[" + i + "].overrides");
            }
            dev.taskweave.core.config.DistillationConfig distillation = experiment.training.distillation;
            if (c.singleTask && experiment.tasks.size() > 1 && distillation != null
                    && (distillation.tasks == null || distillation.tasks.isEmpty())) {
                // which tasks an unnamed list distils depends on their heads, known only when a model is built
                throw new ConfigException(source, "configurations[" + i + "]", 0, "its experiment distils without naming the tasks"
                        + " (training.distillation.tasks): name them, so that each single-task counterpart knows whether its"
                        + " task is distilled (an unnamed list takes the tasks whose heads can be, known only once a model is built)");
            }
            variants.add(new Variant(c.name, experimentFile, experiment, c.singleTask));
        }
        checkSingleTaskOverrides(config, variants, loader, source);
        checkSingleTaskEarlyStopping(config, variants, source);
        return new Suite(file, config, List.copyOf(variants));
    }

    private static void check(SuiteConfig c, String source) {
        if (c.name == null || c.name.isBlank()) {
            throw new ConfigException(source, "name", 0, "must not be empty");
        }
        if (c.seeds == null || c.seeds.isEmpty()) {
            throw new ConfigException(source, "seeds", 0, "expected a list of at least one seed");
        }
        if (new HashSet<>(c.seeds).size() != c.seeds.size()) {
            throw new ConfigException(source, "seeds", 0, "a seed is listed twice: " + c.seeds);
        }
        if (c.quick == null || c.quick.seeds < 1 || c.quick.epochs < 1) {
            throw new ConfigException(source, "quick", 0, "expected seeds >= 1 and epochs >= 1");
        }
        if (c.configurations == null || c.configurations.isEmpty()) {
            throw new ConfigException(source, "configurations", 0, "expected a list of at least one {name, experiment}");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < c.configurations.size(); i++) {
            SuiteConfig.Configuration conf = c.configurations.get(i);
            String path = "configurations[" + i + "]";
            if (conf == null) {
                throw new ConfigException(source, path, 0, "empty; expected {name, experiment}");
            }
            if (conf.name == null || !conf.name.matches("[A-Za-z0-9_.+-]+")) {
                throw new ConfigException(source, path + ".name", 0, "expected a name of letters, digits, '_', '.', '+' or '-', got "
                        + conf.name);
            }
            if (conf.name.matches("\\.+")) {
                // the name is a directory of the output: "." or ".." would put the runs outside runs/
                throw new ConfigException(source, path + ".name", 0, "expected a name with a letter, a digit, '_', '+' or '-' (it names a "
                        + "directory of the output), got '" + conf.name + "'");
            }
            if (!names.add(conf.name)) {
                throw new ConfigException(source, path + ".name", 0, "'" + conf.name + "' is used twice");
            }
            if (conf.experiment == null || conf.experiment.isBlank()) {
                throw new ConfigException(source, path + ".experiment", 0, "missing; expected an experiment file relative to the suite");
            }
            if (conf.overrides != null && conf.overrides.containsKey("seed")) {
                throw new ConfigException(source, path + ".overrides.seed", 0, "the suite's seeds set every run's seed; list them"
                        + " under seeds");
            }
        }
        if (c.singleTask == null) {
            throw new ConfigException(source, "singleTask", 0, "empty; expected a mapping with earlyStopping and/or overrides,"
                    + " or leave it out");
        }
        if (c.singleTask.overrides != null) {
            c.singleTask.overrides.forEach((task, fields) -> {
                if (fields != null && fields.containsKey("seed")) {
                    throw new ConfigException(source, "singleTask.overrides." + task + ".seed", 0, "the suite's seeds set every"
                            + " run's seed; list them under seeds");
                }
            });
        }
        if (c.singleTask.earlyStopping != null) {
            c.singleTask.earlyStopping.forEach((task, metric) -> {
                if (metric == null || metric.split("\\.").length != 3 || !metric.split("\\.")[1].equals(task)) {
                    throw new ConfigException(source, "singleTask.earlyStopping." + task, 0,
                            "expected split." + task + ".metric (for example valid." + task + ".auc), got " + metric);
                }
            });
        }
    }

    /** Every task named under {@code singleTask.earlyStopping} is a task of some configuration. */
    private static void checkSingleTaskEarlyStopping(SuiteConfig config, List<Variant> variants, String source) {
        if (config.singleTask.earlyStopping == null) {
            return;
        }
        config.singleTask.earlyStopping.keySet().forEach(task -> {
            if (variants.stream().noneMatch(v -> v.experiment().tasks.stream().anyMatch(t -> t.name.equals(task)))) {
                throw new ConfigException(source, "singleTask.earlyStopping." + task, 0, "no configuration has a task named '"
                        + task + "'");
            }
        });
    }

    /** Every task named under {@code singleTask.overrides} exists, and its fields bind on every experiment that has it. */
    private static void checkSingleTaskOverrides(SuiteConfig config, List<Variant> variants, ConfigLoader loader, String source) {
        if (config.singleTask == null || config.singleTask.overrides == null) {
            return;
        }
        config.singleTask.overrides.forEach((task, fields) -> {
            String path = "singleTask.overrides." + task;
            boolean found = false;
            for (Variant v : variants) {
                if (v.experiment().tasks.stream().anyMatch(t -> t.name.equals(task))) {
                    found = true;
                    withOverrides(loader.mapper(), v.experiment(), fields, loader, source, path);
                }
            }
            if (!found) {
                throw new ConfigException(source, path, 0, "no configuration has a task named '" + task + "'");
            }
        });
    }

    /**
     * @param loader binds the result and names {@code path} and the field in its errors; null to
     *               convert with {@code mapper} alone (fields checked when the suite was loaded)
     * @return a copy of {@code experiment} with {@code overrides} merged in ({@link #merge})
     */
    static ExperimentConfig withOverrides(com.fasterxml.jackson.databind.ObjectMapper mapper, ExperimentConfig experiment,
            Map<String, Object> overrides, ConfigLoader loader, String source, String path) {
        if (loader != null) {
            return loader.withOverrides(experiment, overrides, source, path);
        }
        ObjectNode merged = mapper.valueToTree(experiment);
        if (overrides != null) {
            ConfigLoader.merge(merged, mapper.valueToTree(overrides));
        }
        return mapper.convertValue(mapper.convertValue(merged, Map.class), ExperimentConfig.class);
    }
}
