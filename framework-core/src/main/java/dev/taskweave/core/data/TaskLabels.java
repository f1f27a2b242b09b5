package dev.taskweave.core.data;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.TaskContext;
import java.util.function.DoubleUnaryOperator;

/**
 * How one task reads its labels.
 *
 * @param name      task name
 * @param column    label column, or {@link TaskContext#OBSERVED}
 * @param encoder   raw column value to training label
 * @param negatives negatives to sample per observed row (0 for explicit labels)
 */
public record TaskLabels(String name, String column, DoubleUnaryOperator encoder, int negatives) {
    public TaskLabels {
        requireNonNull(name, "name is null");
        requireNonNull(column, "column is null");
        requireNonNull(encoder, "encoder is null");
        if (negatives < 0) {
            throw new IllegalArgumentException("negatives must be >= 0");
        }
    }

    /** @return true when every observed row is a positive */
    public boolean implicit() {
        return TaskContext.OBSERVED.equals(column);
    }
}
