package dev.taskweave.plugins.weighting;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code weighting.params} of {@code fixed} and {@code equal}. */
public final class FixedWeightingConfig {
    /** When true, the total is divided by the sum of the weights of the tasks present in the batch. */
    @JsonProperty
    public boolean normalize = false;
}
