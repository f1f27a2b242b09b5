package dev.taskweave.api.model;

import dev.taskweave.api.ExtensionFactory;

/**
 * Creates sharing strategies; chosen by {@code sharing.type} in the experiment YAML.
 *
 * @param <C> the configuration class for {@code sharing.params}
 */
public interface SharingStrategyFactory<C> extends ExtensionFactory<C> {
    /**
     * @param config  the bound and validated parameters
     * @param context task names and the input width
     * @return the strategy
     */
    SharingStrategy create(C config, SharingContext context);
}
