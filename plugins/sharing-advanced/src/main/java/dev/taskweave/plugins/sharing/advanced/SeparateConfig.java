package dev.taskweave.plugins.sharing.advanced;

import dev.taskweave.api.nn.LayersConfig;

/** The {@code sharing.params} of {@code separate}: every task column's {@code layers} (empty: every task reads the input itself) and {@code dropout}; every field has a default. */
public final class SeparateConfig extends LayersConfig {
    public SeparateConfig() {
        super(true);
    }
}
