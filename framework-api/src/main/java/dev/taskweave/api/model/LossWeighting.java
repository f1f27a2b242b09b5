package dev.taskweave.api.model;

import ai.djl.nn.Block;

/**
 * Combines per-task losses into the loss the optimizer minimises.
 *
 * <p>The block takes {@code NDList(losses, present)}: {@code losses} is a {@code [tasks]} vector
 * of this batch's per-task losses and {@code present} is 1 for tasks that have at least one
 * labelled row in the batch, else 0. It returns {@code NDList(total, weights)}: the scalar total
 * and the {@code [tasks]} effective weight of each task. A task that is not present must not
 * contribute to the total. Learnable weights are parameters of this block.
 */
public interface LossWeighting {
    /** @return a new, uninitialised block */
    Block createBlock();

    /**
     * Called after each training epoch with that epoch's mean loss per task, for methods whose
     * weights depend on the history of losses. The default does nothing.
     *
     * @param epoch              the 1-based epoch that just ended
     * @param meanLossPerTask    mean training loss per task, in task order
     */
    default void epochEnded(int epoch, double[] meanLossPerTask) {}
}
