package dev.taskweave.core.run;

/**
 * The shape of a task's labels, known from the data at training time and stored with the model.
 *
 * @param width     label values per example (1 for a label column)
 * @param attribute true when the label is an entity attribute
 * @param entity    the entity an attribute describes; null for a label column, and for an
 *                  attribute of a model saved before the entity was recorded
 */
public record LabelInfo(int width, boolean attribute, dev.taskweave.api.data.Entity entity) {
    /** A scalar label column. */
    public static final LabelInfo SCALAR = new LabelInfo(1, false, null);

    /** A label whose attribute entity is not known. */
    public LabelInfo(int width, boolean attribute) {
        this(width, attribute, null);
    }
}
