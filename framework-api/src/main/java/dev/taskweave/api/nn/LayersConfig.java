package dev.taskweave.api.nn;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.ValidatedConfig;
import java.util.List;

/**
 * The {@code sharing.params} of a strategy built from MLP layers (a shared bottom, or one column
 * per task): {@code layers}, their widths (default {@code [128, 64]}), and {@code dropout}, the
 * rate after each layer's activation (default 0). A strategy's configuration class extends it
 * with its own fields and, when it checks them, calls {@code super.validate()} first.
 */
public abstract class LayersConfig implements ValidatedConfig {
    @JsonProperty
    private List<Integer> layers = List.of(128, 64);
    @JsonProperty
    private double dropout = 0.0;
    private final boolean emptyAllowed;

    /** @param emptyAllowed whether {@code layers: []} is valid (the input passes through) */
    protected LayersConfig(boolean emptyAllowed) {
        this.emptyAllowed = emptyAllowed;
    }

    @Override
    public void validate() {
        ConfigChecks.widths("layers", layers, emptyAllowed);
        ConfigChecks.dropout("dropout", dropout);
    }

    /** @return the layers' widths (the bottom's, or every task column's) */
    public List<Integer> layers() {
        return List.copyOf(layers);
    }

    /** @return the dropout rate after each layer's activation */
    public double dropout() {
        return dropout;
    }
}
