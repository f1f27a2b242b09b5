package dev.taskweave.api.model;

import dev.taskweave.api.ExtensionFactory;

/**
 * Creates task heads; chosen by {@code tasks[i].head} in the experiment YAML.
 *
 * @param <C> the configuration class for {@code tasks[i].params}
 */
public interface TaskHeadFactory<C> extends ExtensionFactory<C> {
    /**
     * @param config  the bound and validated parameters
     * @param context the task's name, label and input width
     * @return the head
     */
    TaskHead create(C config, TaskContext context);
}
