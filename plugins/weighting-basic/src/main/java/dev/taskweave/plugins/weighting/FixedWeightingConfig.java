package dev.taskweave.plugins.weighting;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The {@code weighting.params} of {@code fixed} and {@code equal}; every field has a default and any value is valid. */
public final class FixedWeightingConfig {
    @JsonProperty
    private boolean normalize = false;

    public FixedWeightingConfig() {}

    /** @return true to divide the total by the sum of the present tasks' weights */
    public boolean normalize() {
        return normalize;
    }

    public void setNormalize(boolean normalize) {
        this.normalize = normalize;
    }
}
