package dev.taskweave.api.data;

import dev.taskweave.api.ExtensionFactory;

/**
 * Creates data sources; chosen by {@code data.type} in the experiment YAML.
 *
 * @param <C> the configuration class for {@code data.params}
 */
public interface DatasetSourceFactory<C> extends ExtensionFactory<C> {
    /**
     * @param config  the bound and validated {@code data.params}
     * @param context paths and seed
     * @return a source ready to load
     */
    DatasetSource create(C config, DataContext context);
}
