package dev.taskweave.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tuning file for {@code taskweave tune}: one experiment, the settings to search, and the
 * validation metric that chooses between them.
 */
public final class TuneConfig {
    /** The search's name, written to the results. */
    @JsonProperty("name")
    public String name = "tune";

    /** What the search is for, copied into the report. */
    @JsonProperty("description")
    public String description = "";

    /** The experiment file, relative to the tuning file. */
    @JsonProperty("experiment")
    public String experiment;

    /**
     * What a trial is judged by: a validation metric ({@code valid.task.metric} or
     * {@code task.metric}), or a formula over them such as {@code like.auc - 0.5 * rating.rmse}.
     */
    @JsonProperty("objective")
    public String objective;

    /**
     * {@code maximize} or {@code minimize}; required for a formula, otherwise the metric's own
     * direction.
     */
    @JsonProperty("goal")
    public String goal;

    /** {@code grid} (every combination of the listed values) or {@code random}. */
    @JsonProperty("search")
    public String search = "grid";

    /** Random search: how many trials to draw. */
    @JsonProperty("trials")
    public Integer trials;

    /**
     * Random search: seeds the draws (the experiment's own seed still seeds training); null for
     * {@link #DEFAULT_SEED}. A grid draws nothing and refuses it.
     */
    @JsonProperty("seed")
    public Long seed;

    /** The draws' seed when {@link #seed} is not given. */
    public static final long DEFAULT_SEED = 1;

    /**
     * Training seeds of every trial; its objective is the mean over them. Null (left out): the
     * experiment's own seed; an empty list is refused.
     */
    @JsonProperty("seeds")
    public List<Long> seeds;

    /**
     * Dotted experiment paths ({@code optimizer.learningRate}, {@code tasks.like.weight} with the
     * task named, {@code sharing.params.experts}) to a list of values, or to a range
     * {@code {min, max, log, integer}} (random search only).
     */
    @JsonProperty("parameters")
    public Map<String, Object> parameters = new LinkedHashMap<>();

    /**
     * After the search, train the experiment as written and the best trial's settings once per
     * seed of {@code confirm.seeds} (fresh ones, not used to choose) and compare their test
     * metrics; null for no confirmation.
     */
    @JsonProperty("confirm")
    public Confirm confirm;

    /** The confirmation runs. */
    public static final class Confirm {
        /** Training seeds, none of them in {@link TuneConfig#seeds}. */
        @JsonProperty("seeds")
        public List<Long> seeds = new ArrayList<>();
    }

    /** A range of numbers to draw from. */
    public static final class Range {
        /** The smallest value. */
        @JsonProperty("min")
        public Double min;

        /** The largest value. */
        @JsonProperty("max")
        public Double max;

        /** Draw uniformly in log space (for learning rates and weights); needs min &gt; 0. */
        @JsonProperty("log")
        public boolean log;

        /** Round each draw to a whole number (layer widths, expert counts). */
        @JsonProperty("integer")
        public boolean integer;
    }
}
