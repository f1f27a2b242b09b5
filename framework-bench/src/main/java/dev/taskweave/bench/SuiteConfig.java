package dev.taskweave.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A benchmark suite file: the configurations to compare and the seeds to train each with. */
public final class SuiteConfig {
    /** The suite's name, written to the results. */
    @JsonProperty("name")
    public String name = "benchmark";

    /** What the suite compares, copied into the report. */
    @JsonProperty("description")
    public String description = "";

    /** Seeds of the full mode; every configuration trains once per seed. */
    @JsonProperty("seeds")
    public List<Long> seeds = new ArrayList<>(List.of(1L, 2L, 3L));

    /** The quick mode's limits (for CI). */
    @JsonProperty("quick")
    public Quick quick = new Quick();

    /** Single-task counterparts. */
    @JsonProperty("singleTask")
    public SingleTask singleTask = new SingleTask();

    /** The configurations, each an experiment file with optional overrides. */
    @JsonProperty("configurations")
    public List<Configuration> configurations = new ArrayList<>();

    /** One configuration of the suite. */
    public static final class Configuration {
        /** Unique name in the results. */
        @JsonProperty("name")
        public String name;

        /** The experiment file, relative to the suite file. */
        @JsonProperty("experiment")
        public String experiment;

        /** Experiment fields to replace, merged into the file's mapping (lists are replaced). */
        @JsonProperty("overrides")
        public Map<String, Object> overrides = new LinkedHashMap<>();

        /** Whether to train this configuration's single-task counterparts. */
        @JsonProperty("singleTask")
        public boolean singleTask = true;
    }

    /** The quick mode: fewer seeds and epochs. */
    public static final class Quick {
        /** How many of {@link SuiteConfig#seeds} to run. */
        @JsonProperty("seeds")
        public int seeds = 1;

        /** The most epochs any run trains. */
        @JsonProperty("epochs")
        public int epochs = 2;
    }

    /** How single-task counterparts are trained. */
    public static final class SingleTask {
        /**
         * Per task, the early-stopping metric of its single-task model
         * ({@code split.task.metric}). A task without one keeps the experiment's early stopping
         * when it monitors that task, and otherwise trains the experiment's number of epochs.
         */
        @JsonProperty("earlyStopping")
        public Map<String, String> earlyStopping = new LinkedHashMap<>();

        /**
         * Per task, experiment fields of its single-task model, merged in last like a
         * configuration's {@code overrides} (for example {@code genre: {training: {epochs: 40}}}):
         * a task with few rows, such as an item attribute with one row per item, may need a budget
         * or regularisation of its own to be a fair counterpart.
         */
        @JsonProperty("overrides")
        public Map<String, Map<String, Object>> overrides = new LinkedHashMap<>();
    }
}
