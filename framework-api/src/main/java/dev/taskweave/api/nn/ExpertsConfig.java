package dev.taskweave.api.nn;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.ValidatedConfig;
import java.util.List;

/**
 * The {@code sharing.params} of a mixture of experts that every task reads (MMoE with a gate per
 * task, OMoE with one gate): {@code experts} (default 4), {@code expertLayers}, each expert MLP's
 * widths (default {@code [128, 64]}; the last is every task's output width), and
 * {@code dropout}, the rate after each expert layer's activation (default 0).
 */
public abstract class ExpertsConfig implements ValidatedConfig {
    @JsonProperty
    private int experts = 4;
    @JsonProperty
    private List<Integer> expertLayers = List.of(128, 64);
    @JsonProperty
    private double dropout = 0.0;

    protected ExpertsConfig() {}

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
