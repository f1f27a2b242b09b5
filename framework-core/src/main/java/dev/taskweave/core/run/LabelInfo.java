package dev.taskweave.core.run;

/**
 * The shape of a task's labels, known from the data at training time and stored with the model.
 *
 * @param width     label values per example (1 for a label column)
 * @param attribute true when the label is an entity attribute
 */
public record LabelInfo(int width, boolean attribute) {
    /** A scalar label column. */
    public static final LabelInfo SCALAR = new LabelInfo(1, false);
}
