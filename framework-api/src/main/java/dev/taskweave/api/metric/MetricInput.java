package dev.taskweave.api.metric;

import static java.util.Objects.requireNonNull;

/**
 * The labelled rows of one task on one split.
 *
 * @param scores the task's scores ({@link dev.taskweave.api.model.TaskHead#scores}), one per row
 * @param labels the encoded labels, one per row
 * @param groups the user entity index per row, for per-user metrics
 */
public record MetricInput(float[] scores, float[] labels, int[] groups) {
    public MetricInput {
        requireNonNull(scores, "scores is null");
        requireNonNull(labels, "labels is null");
        requireNonNull(groups, "groups is null");
        if (scores.length != labels.length || scores.length != groups.length) {
            throw new IllegalArgumentException("scores, labels and groups differ in length");
        }
    }

    /** @return the number of rows */
    public int size() {
        return scores.length;
    }
}
