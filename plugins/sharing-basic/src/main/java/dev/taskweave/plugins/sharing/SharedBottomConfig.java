package dev.taskweave.plugins.sharing;

import dev.taskweave.api.nn.LayersConfig;

/** The {@code sharing.params} of {@code shared-bottom}: the bottom MLP's {@code layers} (empty: the input passes through) and {@code dropout}; every field has a default. */
public final class SharedBottomConfig extends LayersConfig {
    public SharedBottomConfig() {
        super(true);
    }
}
