package dev.taskweave.api.data;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The side features of every user, or of every item, keyed by entity index.
 *
 * <p>Entity index {@code i} is the row of {@link #rawIds()}{@code .get(i)}. Categorical features
 * hold one code per entity; multi-hot and numeric features hold {@code size} floats per entity,
 * row-major. Tables are immutable once built.
 */
public final class EntityTable {
    private final Entity entity;
    private final List<String> rawIds;
    private final Map<String, Integer> indexByRawId;
    private final Map<String, int[]> categorical;
    private final Map<String, float[]> dense;

    private EntityTable(Entity entity, List<String> rawIds, Map<String, int[]> categorical, Map<String, float[]> dense) {
        this.entity = entity;
        this.rawIds = List.copyOf(rawIds);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < this.rawIds.size(); i++) {
            if (index.put(this.rawIds.get(i), i) != null) {
                throw new IllegalArgumentException(entity + " id " + this.rawIds.get(i) + " appears twice");
            }
        }
        this.indexByRawId = Collections.unmodifiableMap(index);
        this.categorical = Collections.unmodifiableMap(new LinkedHashMap<>(categorical));
        this.dense = Collections.unmodifiableMap(new LinkedHashMap<>(dense));
    }

    /** @return a builder for a table of {@code entity}s with these raw ids, in index order */
    public static Builder builder(Entity entity, List<String> rawIds) {
        return new Builder(entity, rawIds);
    }

    /** @return which entity the table describes */
    public Entity entity() {
        return entity;
    }

    /** @return the number of entities */
    public int size() {
        return rawIds.size();
    }

    /** @return the raw identifiers in index order */
    public List<String> rawIds() {
        return rawIds;
    }

    /** @return the index of a raw id, or -1 when the table does not hold it */
    public int indexOf(String rawId) {
        Integer i = indexByRawId.get(rawId);
        return i == null ? -1 : i;
    }

    /** @return the codes of a categorical feature, one per entity (do not modify) */
    public int[] categorical(String feature) {
        int[] codes = categorical.get(feature);
        if (codes == null) {
            throw new IllegalArgumentException(entity + " table has no categorical feature " + feature);
        }
        return codes;
    }

    /** @return the row-major values of a multi-hot or numeric feature (do not modify) */
    public float[] dense(String feature) {
        float[] values = dense.get(feature);
        if (values == null) {
            throw new IllegalArgumentException(entity + " table has no dense feature " + feature);
        }
        return values;
    }

    /** @return true when the table holds a feature of that name */
    public boolean has(String feature) {
        return categorical.containsKey(feature) || dense.containsKey(feature);
    }

    /** Collects the columns of an {@link EntityTable}. */
    public static final class Builder {
        private final Entity entity;
        private final List<String> rawIds;
        private final Map<String, int[]> categorical = new LinkedHashMap<>();
        private final Map<String, float[]> dense = new LinkedHashMap<>();

        private Builder(Entity entity, List<String> rawIds) {
            this.entity = requireNonNull(entity, "entity is null");
            this.rawIds = requireNonNull(rawIds, "rawIds is null");
        }

        /** Adds a categorical column: one code per entity. */
        public Builder categorical(String feature, int[] codes) {
            if (codes.length != rawIds.size()) {
                throw new IllegalArgumentException(feature + ": " + codes.length + " codes for " + rawIds.size() + " entities");
            }
            categorical.put(feature, codes);
            return this;
        }

        /** Adds a dense column: {@code width} floats per entity, row-major. */
        public Builder dense(String feature, int width, float[] values) {
            if (values.length != (long) width * rawIds.size()) {
                throw new IllegalArgumentException(feature + ": " + values.length + " values for " + rawIds.size()
                        + " entities of width " + width);
            }
            dense.put(feature, values);
            return this;
        }

        /** @return the immutable table */
        public EntityTable build() {
            return new EntityTable(entity, rawIds, categorical, dense);
        }
    }
}
