package dev.taskweave.plugins.weighting.dynamic;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.ValidatedConfig;

/** The {@code weighting.params} of {@code dwa}; every field has a default. */
public final class DwaConfig implements ValidatedConfig {
    @JsonProperty
    private double temperature = 2.0;

    public DwaConfig() {}

    @Override
    public void validate() {
        ConfigChecks.positive("temperature", temperature);
    }

    /** @return the softmax temperature; larger values make the weights more even */
    public double temperature() {
        return temperature;
    }

    public void setTemperature(double temperature) {
        this.temperature = temperature;
    }
}
