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
 * "trainSeconds", "epochs", "models"}], "best": {"trial", "parameters", "objective", "models"},
 * "confirmation": {"seeds", "baseline", "best", "comparison", "baselineModels", "bestModels"}}}.
 * The trials record validation metrics only: they are compared on them, and test metrics of every
 * trial would invite choosing by test. Test metrics appear only in the confirmation, measured
 * after the choice on fresh seeds.
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

    /** The trial with the best objective (the first of equals); trials whose objective is null never are. */
    @JsonProperty("best")
    public Best best;

    /** The confirmation on fresh seeds, when the tuning file asks for one. */
    @JsonProperty("confirmation")
    public Confirmation confirmation;

    /**
     * The experiment as written and the best trial's settings, trained on fresh seeds: their
     * test metrics ({@code task.metric}, and {@code task.metric@split} for the other evaluated
     * splits, as in a benchmark's results) and the comparison per metric.
     */
    public static final class Confirmation {
        @JsonProperty("seeds")
        public List<Long> seeds = new ArrayList<>();

        /** The experiment as written. */
        @JsonProperty("baseline")
        public Map<String, Summary> baseline = new LinkedHashMap<>();

        /** The best trial's settings. */
        @JsonProperty("best")
        public Map<String, Summary> best = new LinkedHashMap<>();

        /** Per metric that both report. */
        @JsonProperty("comparison")
        public Map<String, Comparison> comparison = new LinkedHashMap<>();

        @JsonProperty("baselineModels")
        public List<String> baselineModels = new ArrayList<>();

        @JsonProperty("bestModels")
        public List<String> bestModels = new ArrayList<>();
    }

    /**
     * One metric, the best trial's settings against the experiment as written.
     *
     * @param baseline the experiment's mean, null when not measured
     * @param best     the best trial's mean, null when not measured
     * @param gain     positive when the best trial's settings are better; null when either is not measured
     * @param verdict  {@code better} or {@code worse} when the means differ by more than the larger
     *                 standard deviation, else {@code tie} (the benchmark's rule); {@code not measured}
     *                 when a seed of either has a value that is not finite (a diverged run)
     */
    public record Comparison(@JsonProperty("baseline") Double baseline, @JsonProperty("best") Double best,
            @JsonProperty("gain") Double gain, @JsonProperty("verdict") String verdict) {
        /** Compares two summaries of one metric. */
        public static Comparison of(Summary baseline, Summary best, boolean higherIsBetter) {
            Transfer t = Transfer.of(best, baseline, higherIsBetter);
            return new Comparison(baseline.mean(), best.mean(), t.gain(), t.verdict());
        }
    }

    /** One trial: its settings and what validation measured. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Trial {
        /** 1-based, in the order trials ran. */
        @JsonProperty("trial")
        public int trial;

        /** Per searched path, its value in this trial. */
        @JsonProperty("parameters")
        public Map<String, JsonNode> parameters = new LinkedHashMap<>();

        /**
         * The objective's mean over seeds; null when a seed's value is not finite (NaN: the run
         * diverged). Such a trial ranks after every measured one and is never the best.
         */
        @JsonProperty("objective")
        @JsonInclude(JsonInclude.Include.ALWAYS)
        public Double objective;

        /** The objective per seed, in seed order (NaN as null). */
        @JsonProperty("values")
        public List<Double> values = new ArrayList<>();

        /** Every validation metric ({@code task.metric}), mean over seeds; null when a seed's value is not finite. */
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
