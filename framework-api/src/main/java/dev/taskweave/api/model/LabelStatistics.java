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
 * @param min      the smallest encoded training label (over an attribute's values, of the
 *                 training entities), or {@code NaN} when not known: no labelled row, or a model
 *                 trained before it was recorded (its statistics are read back from its manifest,
 *                 which does not hold it); see {@link #hasRange()}
 * @param max      the largest encoded training label, or {@code NaN} when not known, as {@code min}
 */
public record LabelStatistics(long count, double mean, double variance, long rows, double min, double max) {
    public LabelStatistics {
        if (rows < count) {
            throw new IllegalArgumentException("rows (" + rows + ") below the labelled rows (" + count + ")");
        }
        if (Double.isNaN(min) != Double.isNaN(max)) {
            throw new IllegalArgumentException("min (" + min + ") and max (" + max + ") must be known together");
        }
        if (min > max) {
            throw new IllegalArgumentException("min (" + min + ") above max (" + max + ")");
        }
    }

    /** Statistics whose labels' range is not known ({@code min} and {@code max} are {@code NaN}). */
    public LabelStatistics(long count, double mean, double variance, long rows) {
        this(count, mean, variance, rows, Double.NaN, Double.NaN);
    }

    /** Statistics of a label on every row the task trains on ({@code rows = count}), its range not known. */
    public LabelStatistics(long count, double mean, double variance) {
        this(count, mean, variance, count);
    }

    /** @return true when {@link #min} and {@link #max} are known (there are labels, and they were recorded) */
    public boolean hasRange() {
        return !Double.isNaN(min);
    }
}
