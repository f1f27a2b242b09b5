package dev.taskweave.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One task of the experiment. */
public final class TaskConfig {
    /** Unique task name, used in metrics and early stopping ({@code valid.<name>.<metric>}). */
    @JsonProperty("name")
    public String name;

    /** Task head type, for example {@code regression} or {@code binary}. */
    @JsonProperty("head")
    public String head;

    /** Label column of the data source, or {@code observed} for implicit feedback. */
    @JsonProperty("label")
    public String label;

    /** Weight handed to the loss weighting (fixed weighting multiplies by it). */
    @JsonProperty("weight")
    public double weight = 1.0;

    /** Metrics to report; the head's defaults when empty. */
    @JsonProperty("metrics")
    public List<String> metrics = List.of();

    /** The head's own parameters. */
    @JsonProperty("params")
    public Map<String, Object> params = new LinkedHashMap<>();
}
