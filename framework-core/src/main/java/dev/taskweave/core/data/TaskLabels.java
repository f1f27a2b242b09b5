package dev.taskweave.core.data;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityAttribute;
import dev.taskweave.api.model.TaskContext;
import java.util.function.DoubleUnaryOperator;

/**
 * How one task reads its labels.
 *
 * @param name      task name
 * @param column    label column, {@link TaskContext#OBSERVED}, or an entity attribute's name
 * @param encoder   raw column value to training label (not used for attributes)
 * @param negatives negatives to sample per observed row (0 for explicit labels)
 * @param attribute the entity attribute the task predicts, or null for a label column
 * @param jointParent the index of the task whose negatives are also this task's (an ESMM
 *                  dependency: the task predicts the joint event), or -1
 */
public record TaskLabels(String name, String column, DoubleUnaryOperator encoder, int negatives, EntityAttribute attribute,
        int jointParent) {
    public TaskLabels {
        requireNonNull(name, "name is null");
        requireNonNull(column, "column is null");
        requireNonNull(encoder, "encoder is null");
        if (negatives < 0) {
            throw new IllegalArgumentException("negatives must be >= 0");
        }
    }

    /** A task without a joint parent. */
    public TaskLabels(String name, String column, DoubleUnaryOperator encoder, int negatives, EntityAttribute attribute) {
        this(name, column, encoder, negatives, attribute, -1);
    }

    /** A task on a label column. */
    public TaskLabels(String name, String column, DoubleUnaryOperator encoder, int negatives) {
        this(name, column, encoder, negatives, null);
    }

    /** @return a copy with another number of negatives per observed row */
    public TaskLabels withNegatives(int count) {
        return new TaskLabels(name, column, encoder, count, attribute, jointParent);
    }

    /** @return a copy with the entity attribute attached */
    public TaskLabels withAttribute(EntityAttribute value) {
        return new TaskLabels(name, column, encoder, 0, value, jointParent);
    }

    /** @return a copy whose label is the joint event with task {@code parent} */
    public TaskLabels withJointParent(int parent) {
        return new TaskLabels(name, column, encoder, negatives, attribute, parent);
    }

    /** @return true when every observed row is a positive */
    public boolean implicit() {
        return TaskContext.OBSERVED.equals(column);
    }

    /** @return the number of label values per row (1 but for multi-label attributes) */
    public int width() {
        return attribute == null ? 1 : attribute.valuesPerEntity();
    }

    /** @return true when the task predicts an item attribute from item features alone */
    public boolean onItems() {
        return attribute != null && attribute.entity() == Entity.ITEM;
    }
}
