package dev.taskweave.plugins.sharing.advanced;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.ValidatedConfig;
import java.util.List;

/**
 * The {@code sharing.params} that CGC and PLE share: shared and task-specific experts, their
 * layers and dropout. Every field has a default; the expert layers' default is the subclass's.
 */
public abstract class ExtractionConfig implements ValidatedConfig {
    @JsonProperty
    private int sharedExperts = 2;
    @JsonProperty
    private int taskExperts = 2;
    @JsonProperty
    private List<Integer> expertLayers;
    @JsonProperty
    private double dropout = 0.0;

    /** @param defaultExpertLayers the expert layers when {@code expertLayers} is not set */
    protected ExtractionConfig(List<Integer> defaultExpertLayers) {
        this.expertLayers = List.copyOf(defaultExpertLayers);
    }

    @Override
    public void validate() {
        ConfigChecks.atLeast("sharedExperts", sharedExperts, 1);
        ConfigChecks.atLeast("taskExperts", taskExperts, 0);
        ConfigChecks.widths("expertLayers", expertLayers, false);
        ConfigChecks.dropout("dropout", dropout);
    }

    /** @return the number of shared experts (in each level, for PLE) */
    public int sharedExperts() {
        return sharedExperts;
    }

    /** @return the number of experts each task owns (in each level, for PLE) */
    public int taskExperts() {
        return taskExperts;
    }

    /** @return the widths of each expert MLP's layers (the same at every level, for PLE); the last is every task's output width */
    public List<Integer> expertLayers() {
        return List.copyOf(expertLayers);
    }

    /** @return the dropout rate after each expert layer's activation */
    public double dropout() {
        return dropout;
    }
}
