package dev.taskweave.plugins.sharing.advanced;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.nn.LayersConfig;

/** The {@code sharing.params} of {@code cross-stitch}; every field has a default. */
public final class CrossStitchConfig extends LayersConfig {
    @JsonProperty
    private double selfWeight = 0.9;

    public CrossStitchConfig() {
        super(false);
    }

    @Override
    public void validate() {
        super.validate();
        ConfigChecks.unitInterval("selfWeight", selfWeight);
    }

    /** @return the initial diagonal of every cross-stitch matrix */
    public double selfWeight() {
        return selfWeight;
    }
}
