package dev.taskweave.api.model;

import ai.djl.nn.Parameter;
import java.util.List;

/**
 * Implemented by a sharing block some of whose parameters belong to exactly one task: only that
 * task's output depends on them, so no other task's loss has a gradient with respect to them (a
 * column of {@code separate}, a task's own experts and gate in CGC, a task's gate in MMoE).
 *
 * <p>The runtime treats such a parameter like a parameter of the task's head. A
 * {@link GradientCombiner} never sees it: it is left out of the shared layout and of the flattened
 * gradients, so gradient surgery only projects or mixes gradients that several tasks really
 * contribute to, and the task-relationship telemetry compares only those. The parameter is updated
 * with its own task's gradient times the task weight the combiner returns.
 *
 * <p>Only declare parameters that no other task's output reads, directly or through a later
 * layer: a parameter that feeds a mixture several tasks read (a cross-stitch unit, PLE's shared
 * gate of an inner level, the experts under it) is shared even if its name says otherwise. A
 * parameter left undeclared is shared, which is always correct, only less precise. Without this
 * interface every parameter of the block is shared.
 */
public interface TaskOwnedParameters {
    /**
     * Called after the block is initialised.
     *
     * @param task a task index, in {@link SharingContext#tasks()} order
     * @return the block's parameters that belong to that task alone (the same {@link Parameter}
     *     objects as in the block's {@code getParameters()}); empty when it has none. No parameter
     *     may belong to two tasks.
     */
    List<Parameter> taskOwnedParameters(int task);
}
