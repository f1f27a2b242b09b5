package dev.taskweave.plugins.sharing.advanced;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.ValidatedConfig;
import java.util.List;

/** The {@code sharing.params} of {@code cgc}; every field has a default. */
public final class CgcConfig implements ValidatedConfig {
    @JsonProperty
    private int sharedExperts = 2;
    @JsonProperty
    private int taskExperts = 2;
    @JsonProperty
    private List<Integer> expertLayers = List.of(128, 64);
    @JsonProperty
    private double dropout = 0.0;

    public CgcConfig() {}

    @Override
    public void validate() {
        ConfigChecks.atLeast("sharedExperts", sharedExperts, 1);
        ConfigChecks.atLeast("taskExperts", taskExperts, 0);
        ConfigChecks.widths("expertLayers", expertLayers, false);
        ConfigChecks.dropout("dropout", dropout);
    }

    /** @return the number of experts every task's gate sees */
    public int sharedExperts() {
        return sharedExperts;
    }

    /** @return the number of experts each task owns */
    public int taskExperts() {
        return taskExperts;
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
