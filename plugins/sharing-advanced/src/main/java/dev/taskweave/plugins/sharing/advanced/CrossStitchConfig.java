package dev.taskweave.plugins.sharing.advanced;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.ValidatedConfig;
import java.util.List;

/** The {@code sharing.params} of {@code cross-stitch}; every field has a default. */
public final class CrossStitchConfig implements ValidatedConfig {
    @JsonProperty
    private List<Integer> layers = List.of(128, 64);
    @JsonProperty
    private double dropout = 0.0;
    @JsonProperty
    private double selfWeight = 0.9;

    public CrossStitchConfig() {}

    @Override
    public void validate() {
        ConfigChecks.widths("layers", layers, false);
        ConfigChecks.dropout("dropout", dropout);
        ConfigChecks.unitInterval("selfWeight", selfWeight);
    }

    /** @return the widths of every task column's layers; a cross-stitch unit follows each */
    public List<Integer> layers() {
        return List.copyOf(layers);
    }

    /** @return the dropout rate after each layer's activation */
    public double dropout() {
        return dropout;
    }

    /** @return the initial diagonal of every cross-stitch matrix */
    public double selfWeight() {
        return selfWeight;
    }
}
