package dev.taskweave.api.model;

/**
 * Summary of a task's encoded training labels (labelled rows only, before negative sampling).
 *
 * @param count    labelled training rows
 * @param mean     mean label (for a binary task, the positive rate)
 * @param variance population variance of the label
 * @param rows     training rows the task's sampled negatives are drawn for: every row of the
 *                 training split (a task's {@code negatives} are drawn per row, labelled or not),
 *                 {@code count} where the label is on every row or the task has no rows of pairs
 *                 (an entity attribute)
 */
public record LabelStatistics(long count, double mean, double variance, long rows) {
    public LabelStatistics {
        if (rows < count) {
            throw new IllegalArgumentException("rows (" + rows + ") below the labelled rows (" + count + ")");
        }
    }

    /** Statistics of a label on every row the task trains on ({@code rows = count}). */
    public LabelStatistics(long count, double mean, double variance) {
        this(count, mean, variance, count);
    }
}
