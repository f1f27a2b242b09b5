package dev.taskweave.plugins.weighting.dynamic;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.ValidatedConfig;

/** The {@code weighting.params} of {@code cagrad}; every field has a default. */
public final class CaGradConfig implements ValidatedConfig {
    @JsonProperty
    private double c = 0.4;

    public CaGradConfig() {}

    @Override
    public void validate() {
        ConfigChecks.nonNegative("c", c);
    }

    /** @return the radius of the ball around the mean gradient, relative to its norm; 0 gives the mean gradient */
    public double c() {
        return c;
    }

    public void setC(double c) {
        this.c = c;
    }
}
