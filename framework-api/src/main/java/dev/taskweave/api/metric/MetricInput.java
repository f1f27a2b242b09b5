package dev.taskweave.api.metric;

import static java.util.Objects.requireNonNull;

/**
 * The labelled rows of one task on one split.
 *
 * @param scores the task's scores ({@link dev.taskweave.api.model.TaskHead#scores}), {@code width}
 *               per row, row-major
 * @param labels the encoded labels: one per row for scalar tasks and class indices, {@code width}
 *               flags per row for multi-label tasks
 * @param groups the user entity index per row, for per-user metrics (-1 for attribute rows)
 * @param width  the number of scores per row
 * @param ranking values in the order of {@code scores}, for metrics of order alone (AUC): for a
 *                head whose one output is a logit, the logit, which float32 does not tie where
 *                its sigmoid does (every logit above about 16.6 has the sigmoid 1.0f); else
 *                {@code scores} itself
 */
public record MetricInput(float[] scores, float[] labels, int[] groups, int width, float[] ranking) {
    public MetricInput {
        requireNonNull(scores, "scores is null");
        requireNonNull(labels, "labels is null");
        requireNonNull(groups, "groups is null");
        requireNonNull(ranking, "ranking is null");
        if (width < 1 || scores.length != (long) groups.length * width
                || (labels.length != groups.length && labels.length != scores.length)) {
            throw new IllegalArgumentException("scores, labels and groups do not match " + groups.length + " rows of width " + width);
        }
        if (ranking.length != scores.length) {
            throw new IllegalArgumentException("ranking has " + ranking.length + " values for " + scores.length + " scores");
        }
    }

    /** Scores of {@code width} per row that are also what order-only metrics rank by. */
    public MetricInput(float[] scores, float[] labels, int[] groups, int width) {
        this(scores, labels, groups, width, scores);
    }

    /** Scalar scores, one per row. */
    public MetricInput(float[] scores, float[] labels, int[] groups) {
        this(scores, labels, groups, 1);
    }

    /** @return the number of rows */
    public int size() {
        return groups.length;
    }
}
