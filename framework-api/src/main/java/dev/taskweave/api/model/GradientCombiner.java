package dev.taskweave.api.model;

import java.util.List;

/**
 * Implemented by a {@link LossWeighting} that works on per-task gradients of the shared
 * parameters (the input encoder and the sharing strategy's parameters that no single task owns,
 * see {@link TaskOwnedParameters}): gradient surgery such as PCGrad, MGDA-UB and CAGrad, or
 * GradNorm's gradient-norm balancing.
 *
 * <p>Each training step the runtime runs one forward pass, then one backward pass per task present
 * in the batch that keeps the graph, and hands the flattened shared gradients to
 * {@link #combine}. The shared parameters are updated with the returned gradient; every
 * task-specific parameter (a task's head, and the sharing strategy's parameters that task owns)
 * receives its task's gradient times the returned task weight. A task absent from the batch has a {@code null} gradient and contributes nothing.
 */
public interface GradientCombiner {
    /**
     * Called once before training with the layout of the flattened shared gradient.
     *
     * @param parameters the shared parameters, in vector order
     */
    default void layout(List<SharedParameter> parameters) {}

    /**
     * Combines one step's per-task gradients.
     *
     * @param gradients per task, the gradient of its loss with respect to the shared parameters,
     *                  flattened in layout order; {@code null} for tasks absent from the batch
     * @param losses    per task, this batch's loss ({@code NaN} when absent)
     * @return the gradient for the shared parameters and the weight of each task
     */
    Combined combine(float[][] gradients, float[] losses);

    /**
     * The shared gradient {@link #combine} would return for these gradients, computed without
     * changing the combiner's state: no weight update, no draw from the random stream training
     * uses. Telemetry calls it on its own batches to measure how each task's gradient aligns with
     * the applied update; it must not change what training does next.
     *
     * @param gradients as for {@link #combine}
     * @param losses    as for {@link #combine}
     * @return the combined shared gradient, or {@code null} (the default) when the combiner cannot
     *     tell without changing its state
     */
    default float[] preview(float[][] gradients, float[] losses) {
        return null;
    }

    /**
     * @param sharedGradient the gradient to apply to the shared parameters, flattened
     * @param taskWeights    the weight of each task's gradient on its own parameters (0 for absent
     *                       tasks); also reported as the task's effective loss weight
     */
    record Combined(float[] sharedGradient, float[] taskWeights) {}
}
