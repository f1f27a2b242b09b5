package dev.taskweave.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/** One experiment: the whole content of an experiment YAML file. */
public final class ExperimentConfig {
    @JsonProperty("name")
    public String name = "experiment";

    /** Seeds data generation, initialisation, shuffling, sampling and dropout. */
    @JsonProperty("seed")
    public long seed = 42;

    @JsonProperty("data")
    public ComponentConfig data;

    @JsonProperty("features")
    public FeaturesConfig features = new FeaturesConfig();

    @JsonProperty("tasks")
    public List<TaskConfig> tasks = new ArrayList<>();

    @JsonProperty("sharing")
    public ComponentConfig sharing;

    @JsonProperty("weighting")
    public ComponentConfig weighting = new ComponentConfig("fixed", java.util.Map.of());

    @JsonProperty("optimizer")
    public OptimizerConfig optimizer = new OptimizerConfig();

    @JsonProperty("training")
    public TrainingConfig training = new TrainingConfig();

    @JsonProperty("serving")
    public ServingConfig serving = new ServingConfig();

    /** the variables its file named, set by {@link ConfigLoader#parse}; no property, so never read nor written as one */
    ConfigLoader.Substitutions substitutions = ConfigLoader.Substitutions.NONE;

    /** @return the environment variables its file named, by line, to explain errors found once it is read */
    public ConfigLoader.Substitutions substitutions() {
        return substitutions;
    }

    /** @return the task with that name, or null */
    public TaskConfig task(String taskName) {
        for (TaskConfig t : tasks) {
            if (t.name != null && t.name.equals(taskName)) {
                return t;
            }
        }
        return null;
    }
}
