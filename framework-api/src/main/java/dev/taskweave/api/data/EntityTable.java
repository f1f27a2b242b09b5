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
 * row-major ({@link #dense}), or only their non-zero entries ({@link #sparse}: histories, whose
 * rows are mostly zeros). Tables are immutable once built.
 */
public final class EntityTable {
    private final Entity entity;
    private final List<String> rawIds;
    private final Map<String, Integer> indexByRawId;
    private final Map<String, int[]> categorical;
    private final Map<String, float[]> dense;
    private final Map<String, SparseRows> sparse;

    private EntityTable(Entity entity, List<String> rawIds, Map<String, int[]> categorical, Map<String, float[]> dense,
            Map<String, SparseRows> sparse) {
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
        this.sparse = Collections.unmodifiableMap(new LinkedHashMap<>(sparse));
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

    /**
     * @return the row-major values of a multi-hot or numeric feature stored densely (do not modify)
     * @throws IllegalArgumentException when the table has no such feature, or stores it sparsely
     *     ({@link #isSparse}: read it with {@link #sparse}, or one row with {@link #row})
     */
    public float[] dense(String feature) {
        float[] values = dense.get(feature);
        if (values == null) {
            throw new IllegalArgumentException(entity + " table has no dense feature " + feature
                    + (sparse.containsKey(feature) ? " (it is stored sparsely: read it with sparse() or row())" : ""));
        }
        return values;
    }

    /** @return true when the feature is stored sparsely ({@link #sparse}) */
    public boolean isSparse(String feature) {
        return sparse.containsKey(feature);
    }

    /** @return the non-zero entries of a feature stored sparsely */
    public SparseRows sparse(String feature) {
        SparseRows rows = sparse.get(feature);
        if (rows == null) {
            throw new IllegalArgumentException(entity + " table has no sparse feature " + feature);
        }
        return rows;
    }

    /**
     * @return entity {@code index}'s {@code width} values of a multi-hot or numeric feature, however
     *     it is stored (a new array)
     */
    public float[] row(String feature, int index, int width) {
        float[] out = new float[width];
        if (sparse.containsKey(feature)) {
            sparse.get(feature).copyRow(index, out, 0);
        } else {
            System.arraycopy(dense(feature), index * width, out, 0, width);
        }
        return out;
    }

    /** @return true when the table holds a feature of that name */
    public boolean has(String feature) {
        return categorical.containsKey(feature) || dense.containsKey(feature) || sparse.containsKey(feature);
    }

    /** Collects the columns of an {@link EntityTable}. */
    public static final class Builder {
        private final Entity entity;
        private final List<String> rawIds;
        private final Map<String, int[]> categorical = new LinkedHashMap<>();
        private final Map<String, float[]> dense = new LinkedHashMap<>();
        private final Map<String, SparseRows> sparse = new LinkedHashMap<>();

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
            sparse.remove(feature);
            return this;
        }

        /** Adds a column stored sparsely: one row per entity of {@code rows.width()} floats, zeros not stored. */
        public Builder sparse(String feature, SparseRows rows) {
            if (rows.rows() != rawIds.size()) {
                throw new IllegalArgumentException(feature + ": " + rows.rows() + " rows for " + rawIds.size() + " entities");
            }
            sparse.put(feature, rows);
            dense.remove(feature);
            return this;
        }

        /** @return the immutable table */
        public EntityTable build() {
            return new EntityTable(entity, rawIds, categorical, dense, sparse);
        }
    }
}
