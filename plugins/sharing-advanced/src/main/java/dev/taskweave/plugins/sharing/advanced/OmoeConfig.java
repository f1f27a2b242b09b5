package dev.taskweave.plugins.sharing.advanced;

import dev.taskweave.api.nn.ExpertsConfig;

/** The {@code sharing.params} of {@code omoe}; every field has a default. */
public final class OmoeConfig extends ExpertsConfig {
    public OmoeConfig() {
        super();
    }
}
