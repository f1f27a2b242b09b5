package dev.taskweave.plugins.sharing.advanced;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.ValidatedConfig;
import java.util.List;

/** The {@code sharing.params} of {@code ple}; every field has a default. */
public final class PleConfig implements ValidatedConfig {
    @JsonProperty
    private int levels = 2;
    @JsonProperty
    private int sharedExperts = 2;
    @JsonProperty
    private int taskExperts = 2;
    @JsonProperty
    private List<Integer> expertLayers = List.of(64, 32);
    @JsonProperty
    private double dropout = 0.0;

    public PleConfig() {}

    @Override
    public void validate() {
        ConfigChecks.atLeast("levels", levels, 1);
        ConfigChecks.atLeast("sharedExperts", sharedExperts, 1);
        ConfigChecks.atLeast("taskExperts", taskExperts, 0);
        ConfigChecks.widths("expertLayers", expertLayers, false);
        ConfigChecks.dropout("dropout", dropout);
    }

    /** @return the number of extraction levels */
    public int levels() {
        return levels;
    }

    /** @return the number of shared experts in each level */
    public int sharedExperts() {
        return sharedExperts;
    }

    /** @return the number of experts each task owns in each level */
    public int taskExperts() {
        return taskExperts;
    }

    /** @return the widths of each expert MLP's layers, the same at every level */
    public List<Integer> expertLayers() {
        return List.copyOf(expertLayers);
    }

    /** @return the dropout rate after each expert layer's activation */
    public double dropout() {
        return dropout;
    }
}
