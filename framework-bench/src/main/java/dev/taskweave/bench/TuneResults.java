package dev.taskweave.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code taskweave tune} writes to {@code tune.json}. Its shape is stable:
 * {@code {"name", "description", "command", "createdAt", "experiment", "objective", "goal",
 * "search", "seeds", "trials": [{"trial", "parameters", "objective", "values", "valid",
 * "trainSeconds", "epochs", "models"}], "best": {"trial", "parameters", "objective", "models"}}}.
 * Only validation metrics are recorded: the trials are compared on them, and test metrics of every
 * trial would invite choosing by test.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class TuneResults {
    @JsonProperty("name")
    public String name;

    @JsonProperty("description")
    public String description;

    /** The command line that produced the file. */
    @JsonProperty("command")
    public String command;

    @JsonProperty("createdAt")
    public String createdAt;

    /** The experiment file, absolute. */
    @JsonProperty("experiment")
    public String experiment;

    /** {@code valid.task.metric}. */
    @JsonProperty("objective")
    public String objective;

    /** {@code maximize} or {@code minimize}, from the metric. */
    @JsonProperty("goal")
    public String goal;

    /** {@code grid} or {@code random}. */
    @JsonProperty("search")
    public String search;

    /** Training seeds of every trial. */
    @JsonProperty("seeds")
    public List<Long> seeds = new ArrayList<>();

    @JsonProperty("trials")
    public List<Trial> trials = new ArrayList<>();

    /** The trial with the best objective (the first of equals). */
    @JsonProperty("best")
    public Best best;

    /** One trial: its settings and what validation measured. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Trial {
        /** 1-based, in the order trials ran. */
        @JsonProperty("trial")
        public int trial;

        /** Per searched path, its value in this trial. */
        @JsonProperty("parameters")
        public Map<String, JsonNode> parameters = new LinkedHashMap<>();

        /** The objective's mean over seeds; null when a run did not measure it (NaN). */
        @JsonProperty("objective")
        @JsonInclude(JsonInclude.Include.ALWAYS)
        public Double objective;

        /** The objective per seed, in seed order (NaN as null). */
        @JsonProperty("values")
        public List<Double> values = new ArrayList<>();

        /** Every validation metric ({@code task.metric}), mean over seeds. */
        @JsonProperty("valid")
        public Map<String, Double> valid = new LinkedHashMap<>();

        /** Mean training seconds per seed. */
        @JsonProperty("trainSeconds")
        public double trainSeconds;

        /** Mean epochs trained per seed. */
        @JsonProperty("epochs")
        public double epochs;

        /** Its models, relative to the output directory, one per seed. */
        @JsonProperty("models")
        public List<String> models = new ArrayList<>();
    }

    /** The best trial, repeated for readers that want only it. */
    public static final class Best {
        @JsonProperty("trial")
        public int trial;

        @JsonProperty("parameters")
        public Map<String, JsonNode> parameters = new LinkedHashMap<>();

        @JsonProperty("objective")
        public Double objective;

        @JsonProperty("models")
        public List<String> models = new ArrayList<>();
    }
}
