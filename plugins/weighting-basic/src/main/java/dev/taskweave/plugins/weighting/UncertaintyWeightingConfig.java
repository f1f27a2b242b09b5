package dev.taskweave.plugins.weighting;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.ValidatedConfig;

/** The {@code weighting.params} of {@code uncertainty}; every field has a default. */
public final class UncertaintyWeightingConfig implements ValidatedConfig {
    @JsonProperty
    private double initialLogVariance = 0.0;

    public UncertaintyWeightingConfig() {}

    @Override
    public void validate() {
        if (!Double.isFinite(initialLogVariance) || Math.abs(initialLogVariance) > 20) {
            throw new InvalidConfigException("initialLogVariance",
                    "expected a finite number in [-20, 20], got " + initialLogVariance);
        }
    }

    /** @return the starting log-variance {@code s_t} of every task; 0 gives each task weight 0.5 * w_t */
    public double initialLogVariance() {
        return initialLogVariance;
    }

    public void setInitialLogVariance(double initialLogVariance) {
        this.initialLogVariance = initialLogVariance;
    }
}
