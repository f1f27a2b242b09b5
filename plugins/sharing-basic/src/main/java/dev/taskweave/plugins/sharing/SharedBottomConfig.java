package dev.taskweave.plugins.sharing;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.ValidatedConfig;
import java.util.List;

/** The {@code sharing.params} of {@code shared-bottom}; every field has a default. */
public final class SharedBottomConfig implements ValidatedConfig {
    @JsonProperty
    private List<Integer> layers = List.of(128, 64);
    @JsonProperty
    private double dropout = 0.0;

    public SharedBottomConfig() {}

    @Override
    public void validate() {
        ConfigChecks.widths("layers", layers, true);
        ConfigChecks.dropout("dropout", dropout);
    }

    /** @return the widths of the bottom MLP's layers; empty means the input passes through */
    public List<Integer> layers() {
        return List.copyOf(layers);
    }

    /** @return the dropout rate after each hidden layer's activation */
    public double dropout() {
        return dropout;
    }
}
