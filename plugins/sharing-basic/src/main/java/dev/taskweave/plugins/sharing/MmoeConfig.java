package dev.taskweave.plugins.sharing;

import dev.taskweave.api.nn.ExpertsConfig;

/** The {@code sharing.params} of {@code mmoe}; every field has a default. */
public final class MmoeConfig extends ExpertsConfig {
    public MmoeConfig() {
        super();
    }
}
