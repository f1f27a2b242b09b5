package dev.taskweave.plugins.sharing.advanced;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.ValidatedConfig;
import java.util.List;

/** The {@code sharing.params} of {@code soft-l2}; every field has a default. */
public final class SoftL2Config implements ValidatedConfig {
    @JsonProperty
    private List<Integer> layers = List.of(128, 64);
    @JsonProperty
    private double dropout = 0.0;
    @JsonProperty
    private double penalty = 1e-3;

    public SoftL2Config() {}

    @Override
    public void validate() {
        ConfigChecks.widths("layers", layers, false);
        ConfigChecks.dropout("dropout", dropout);
        ConfigChecks.nonNegative("penalty", penalty);
    }

    /** @return the widths of every task column's layers */
    public List<Integer> layers() {
        return List.copyOf(layers);
    }

    /** @return the dropout rate after each layer's activation */
    public double dropout() {
        return dropout;
    }

    /** @return the coefficient of the squared distance between task columns */
    public double penalty() {
        return penalty;
    }
}
