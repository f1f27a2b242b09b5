package dev.taskweave.plugins.weighting;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.ValidatedConfig;

/** {@code weighting.params} of {@code uncertainty}. */
public final class UncertaintyWeightingConfig implements ValidatedConfig {
    /** Starting value of every log-variance {@code s_t}; 0 starts every task at weight 1/2. */
    @JsonProperty
    public double initialLogVariance = 0.0;

    @Override
    public void validate() {
        if (!Double.isFinite(initialLogVariance) || Math.abs(initialLogVariance) > 20) {
            throw new InvalidConfigException("initialLogVariance", "expected a number in [-20, 20], got " + initialLogVariance);
        }
    }
}
