package dev.taskweave.plugins.sharing.advanced;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.nn.LayersConfig;

/** The {@code sharing.params} of {@code soft-l2}; every field has a default. */
public final class SoftL2Config extends LayersConfig {
    @JsonProperty
    private double penalty = 1e-3;

    public SoftL2Config() {
        super(false);
    }

    @Override
    public void validate() {
        super.validate();
        ConfigChecks.nonNegative("penalty", penalty);
    }

    /** @return the coefficient of the squared distance between task columns */
    public double penalty() {
        return penalty;
    }
}
