package dev.taskweave.api.model;

import dev.taskweave.api.ExtensionFactory;
import java.util.List;

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

    /**
     * What deserves a look in the task's parameters against its training labels, one sentence
     * each: a setting that works, but not as the data needs (a score range the labels run outside
     * of, say). {@code taskweave check} lists them with its other warnings and {@code train} logs
     * them before training, each after the task's config path ({@code tasks[0].head: ...}), which
     * the sentence need not repeat. A setting that cannot work is refused by {@link #create}
     * instead.
     *
     * <p>Called once per task of a new experiment, after {@link #create} accepted the same
     * arguments, with the statistics of the task's training labels; never for a model trained
     * before ({@link TaskContext#stored}), nor for the head the runtime creates only to encode
     * labels.
     *
     * @param config  the bound and validated parameters
     * @param context the task, as {@link #create} received it
     * @return the warnings; empty by default
     */
    default List<String> warnings(C config, TaskContext context) {
        return List.of();
    }
}
