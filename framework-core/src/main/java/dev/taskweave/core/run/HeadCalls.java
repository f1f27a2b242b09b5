package dev.taskweave.core.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The calls into a task head that run for every batch (its loss, its scores), guarded with what a
 * failure names (the file, {@code tasks[i].head}, the method) and checked against what the API
 * promises they return: a plugin that returns null or an array of another shape is reported as
 * its failure, not as the runtime's, and so is an {@code InvalidConfigException} it throws
 * ({@link dev.taskweave.core.plugin.Registered#callRunning}). Nothing is built unless the call fails or its result does
 * not fit.
 */
final class HeadCalls {
    private HeadCalls() {}

    /**
     * @param source the file of the model's experiment, or null
     * @return the head's masked loss of one batch, as a scalar
     */
    static NDArray loss(String source, ResolvedTask task, NDArray output, NDArray labels, NDArray mask) {
        return scalar(source, task, "loss()", task.plugin().callRunning(source, task.headPath(), "loss()",
                () -> task.head().loss(output, labels, mask)));
    }

    /** @return a pairwise head's loss of one batch's pairs, as a scalar */
    static NDArray pairwiseLoss(String source, ResolvedTask task, NDArray positive, NDArray negative) {
        return scalar(source, task, "pairwiseLoss()", task.plugin().callRunning(source, task.headPath(), "pairwiseLoss()",
                () -> task.head().pairwiseLoss(positive, negative)));
    }

    /**
     * @param rows the rows of {@code output}
     * @return the head's scores of {@code rows} rows: {@code [rows]} for a head of one output
     *     ({@code [rows, 1]} is taken too), {@code [rows, outputWidth]} otherwise
     */
    static NDArray scores(String source, ResolvedTask task, NDArray output, long rows) {
        NDArray scores = task.plugin().callRunning(source, task.headPath(), "scores()", () -> task.head().scores(output));
        if (scores == null) {
            throw task.plugin().failure(source, task.headPath(), "scores()", "returned null");
        }
        Shape shape = scores.getShape();
        int width = task.outputWidth();
        boolean fits = width == 1
                ? shape.dimension() == 1 && shape.get(0) == rows || shape.dimension() == 2 && shape.get(0) == rows && shape.get(1) == 1
                : shape.dimension() == 2 && shape.get(0) == rows && shape.get(1) == width;
        if (!fits) {
            throw task.plugin().failure(source, task.headPath(), "scores()", "must return shape "
                    + (width == 1 ? new Shape(rows) : new Shape(rows, width)) + " for a head of "
                    + (width == 1 ? "one output" : width + " outputs") + " (outputWidth() " + width + "), got " + shape);
        }
        return scores;
    }

    /** @return {@code value} as a scalar, when it holds one value */
    private static NDArray scalar(String source, ResolvedTask task, String action, NDArray value) {
        if (value == null) {
            throw task.plugin().failure(source, task.headPath(), action, "returned null");
        }
        if (value.size() != 1) {
            throw task.plugin().failure(source, task.headPath(), action, "must return a scalar, got shape " + value.getShape());
        }
        return value.reshape();
    }
}
