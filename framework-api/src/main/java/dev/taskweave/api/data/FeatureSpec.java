package dev.taskweave.api.data;

import static java.util.Objects.requireNonNull;

/**
 * One side feature of an entity.
 *
 * @param name   unique name across the dataset, for example {@code user_id} or {@code item_genres}
 * @param entity the entity the feature describes
 * @param kind   how values are stored
 * @param size   for {@link FeatureKind#CATEGORICAL} the vocabulary size including the unknown code 0;
 *               for {@link FeatureKind#MULTI_HOT} the vector width; 1 for {@link FeatureKind#NUMERIC}
 * @param id     true for the entity's identifier (at most one per entity); the encoder also feeds
 *               the product of the user and item identifier embeddings to the model
 */
public record FeatureSpec(String name, Entity entity, FeatureKind kind, int size, boolean id) {
    public FeatureSpec {
        requireNonNull(name, "name is null");
        requireNonNull(entity, "entity is null");
        requireNonNull(kind, "kind is null");
        if (size < 1) {
            throw new IllegalArgumentException("feature " + name + ": size must be >= 1, got " + size);
        }
        if (kind == FeatureKind.NUMERIC && size != 1) {
            throw new IllegalArgumentException("feature " + name + ": a numeric feature has size 1");
        }
        if (id && kind != FeatureKind.CATEGORICAL) {
            throw new IllegalArgumentException("feature " + name + ": an id feature must be categorical");
        }
    }

    /** A categorical feature. */
    public static FeatureSpec categorical(String name, Entity entity, int vocabularySize) {
        return new FeatureSpec(name, entity, FeatureKind.CATEGORICAL, vocabularySize, false);
    }

    /** The entity's identifier, a categorical feature. */
    public static FeatureSpec identifier(String name, Entity entity, int vocabularySize) {
        return new FeatureSpec(name, entity, FeatureKind.CATEGORICAL, vocabularySize, true);
    }

    /** A multi-hot (or any dense vector) feature. */
    public static FeatureSpec multiHot(String name, Entity entity, int width) {
        return new FeatureSpec(name, entity, FeatureKind.MULTI_HOT, width, false);
    }

    /** A numeric feature. */
    public static FeatureSpec numeric(String name, Entity entity) {
        return new FeatureSpec(name, entity, FeatureKind.NUMERIC, 1, false);
    }
}
