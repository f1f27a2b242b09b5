package dev.taskweave.api.data;

import static java.util.Objects.requireNonNull;

/**
 * A label that belongs to an entity rather than to a (user, item) row: an item's genres, a user's
 * age group. Attribute tasks train on one example per labelled entity, beside the interaction
 * examples, and are evaluated on the entities a dataset lists in
 * {@link Dataset#attributeEvaluation()} — which the runtime never trains on.
 *
 * @param name   the attribute's name, used as a task's {@code label} (for example {@code item_genres})
 * @param entity the entity it describes
 * @param kind   multi-label flags or a class index
 * @param width  the number of labels ({@link Kind#MULTI_LABEL}) or classes ({@link Kind#CLASS})
 * @param values {@code MULTI_LABEL}: {@code width} 0/1 flags per entity, row-major;
 *               {@code CLASS}: one class index in {@code [0, width)} per entity
 * @param known  per entity, whether the label is known; unknown entities give no example
 */
public record EntityAttribute(String name, Entity entity, Kind kind, int width, float[] values, boolean[] known) {
    /** How an attribute's values are laid out. */
    public enum Kind {
        /** Several 0/1 flags per entity. */
        MULTI_LABEL,
        /** One class index per entity. */
        CLASS
    }

    public EntityAttribute {
        requireNonNull(name, "name is null");
        requireNonNull(entity, "entity is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(values, "values is null");
        requireNonNull(known, "known is null");
        if (width < 1) {
            throw new IllegalArgumentException("attribute " + name + ": width must be >= 1");
        }
        long expected = kind == Kind.MULTI_LABEL ? (long) known.length * width : known.length;
        if (values.length != expected) {
            throw new IllegalArgumentException("attribute " + name + ": " + values.length + " values for " + known.length
                    + " entities (expected " + expected + ")");
        }
    }

    /** @return the number of values per entity (the width for multi-label, 1 for a class) */
    public int valuesPerEntity() {
        return kind == Kind.MULTI_LABEL ? width : 1;
    }
}
