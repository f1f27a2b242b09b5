package dev.taskweave.core.plugin;

import dev.taskweave.api.data.DatasetSourceFactory;
import dev.taskweave.api.model.LossWeightingFactory;
import dev.taskweave.api.model.SharingStrategyFactory;
import dev.taskweave.api.model.TaskHeadFactory;

/** The kinds of factory a plugin can provide, with the name used in messages. */
public enum ExtensionKind {
    DATASET(DatasetSourceFactory.class, "data source"),
    TASK_HEAD(TaskHeadFactory.class, "task head"),
    SHARING(SharingStrategyFactory.class, "sharing strategy"),
    WEIGHTING(LossWeightingFactory.class, "loss weighting");

    private final Class<?> factoryType;
    private final String label;

    ExtensionKind(Class<?> factoryType, String label) {
        this.factoryType = factoryType;
        this.label = label;
    }

    /** @return the factory interface */
    public Class<?> factoryType() {
        return factoryType;
    }

    /** @return a human-readable name */
    public String label() {
        return label;
    }
}
