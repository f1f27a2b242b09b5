package dev.taskweave.core.run;

/**
 * The shape of a task's labels, known from the data at training time and stored with the model.
 *
 * @param width     label values per example (1 for a label column)
 * @param attribute true when the label is an entity attribute
 * @param entity    the entity an attribute describes; null for a label column, and for an
 *                  attribute of a model saved before the entity was recorded
 * @param kind      an attribute's kind (flags or one class); null for a label column, and for an
 *                  attribute of a model saved before the kind was recorded
 */
public record LabelInfo(int width, boolean attribute, dev.taskweave.api.data.Entity entity,
        dev.taskweave.api.data.EntityAttribute.Kind kind) {
    /** A scalar label column. */
    public static final LabelInfo SCALAR = new LabelInfo(1, false, null, null);

    /** A label whose attribute entity and kind are not known. */
    public LabelInfo(int width, boolean attribute) {
        this(width, attribute, null, null);
    }
}
