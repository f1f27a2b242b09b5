package dev.taskweave.plugins.sharing.advanced;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.ValidatedConfig;
import java.util.List;

/** The {@code sharing.params} of {@code separate}; every field has a default. */
public final class SeparateConfig implements ValidatedConfig {
    @JsonProperty
    private List<Integer> layers = List.of(128, 64);
    @JsonProperty
    private double dropout = 0.0;

    public SeparateConfig() {}

    @Override
    public void validate() {
        ConfigChecks.widths("layers", layers, true);
        ConfigChecks.dropout("dropout", dropout);
    }

    /** @return the widths of every task column's layers; empty hands {@code x} to every task */
    public List<Integer> layers() {
        return List.copyOf(layers);
    }

    /** @return the dropout rate after each layer's activation */
    public double dropout() {
        return dropout;
    }
}
