package dev.taskweave.plugins.sharing.advanced;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.ValidatedConfig;
import java.util.List;

/** The {@code sharing.params} of {@code omoe}; every field has a default. */
public final class OmoeConfig implements ValidatedConfig {
    @JsonProperty
    private int experts = 4;
    @JsonProperty
    private List<Integer> expertLayers = List.of(128, 64);
    @JsonProperty
    private double dropout = 0.0;

    public OmoeConfig() {}

    @Override
    public void validate() {
        ConfigChecks.atLeast("experts", experts, 1);
        ConfigChecks.widths("expertLayers", expertLayers, false);
        ConfigChecks.dropout("dropout", dropout);
    }

    /** @return the number of experts */
    public int experts() {
        return experts;
    }

    /** @return the widths of each expert MLP's layers; the last is every task's output width */
    public List<Integer> expertLayers() {
        return List.copyOf(expertLayers);
    }

    /** @return the dropout rate after each expert layer's activation */
    public double dropout() {
        return dropout;
    }
}
