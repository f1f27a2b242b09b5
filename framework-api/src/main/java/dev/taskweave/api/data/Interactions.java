package dev.taskweave.api.data;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Observed (user, item) rows of one split, with label columns.
 *
 * <p>Users and items are entity indices into the dataset's {@link EntityTable}s. A label column
 * holds one float per row; {@code Float.NaN} means the row carries no label for that column, which
 * the runtime turns into a zero in the task's label mask. A feature column holds, for a feature
 * that takes a value per interaction ({@link FeatureSpec#perInteraction()}), its value on each row
 * (a categorical code as a float); {@code Float.NaN} reads the entity table's value instead.
 *
 * <p>A source that reads files can say where each row came from ({@link #withOrigins}), so that
 * the runtime's errors about a row (a label the task's head cannot read, say) name the file and
 * line rather than the row's position in the split.
 */
public final class Interactions {
    private final int[] users;
    private final int[] items;
    private final Map<String, float[]> labels;
    private final Map<String, float[]> features;
    private final IntFunction<Origin> origins;

    /**
     * Where a row was read from.
     *
     * @param file the file (as the user named it, or its path)
     * @param line its 1-based line
     */
    public record Origin(String file, long line) {
        public Origin {
            requireNonNull(file, "file is null");
            if (line < 1) {
                throw new IllegalArgumentException("line " + line + " (lines count from 1)");
            }
        }
    }

    /**
     * @param users  user entity index per row
     * @param items  item entity index per row
     * @param labels label columns by name, each with one value per row ({@code NaN} = unlabelled)
     */
    public Interactions(int[] users, int[] items, Map<String, float[]> labels) {
        this(users, items, labels, Map.of());
    }

    /**
     * @param users    user entity index per row
     * @param items    item entity index per row
     * @param labels   label columns by name, each with one value per row ({@code NaN} = unlabelled)
     * @param features per-interaction feature columns by feature name, each with one value per row
     *                 ({@code NaN} = the entity table's value)
     */
    public Interactions(int[] users, int[] items, Map<String, float[]> labels, Map<String, float[]> features) {
        requireNonNull(users, "users is null");
        requireNonNull(items, "items is null");
        if (users.length != items.length) {
            throw new IllegalArgumentException(users.length + " users but " + items.length + " items");
        }
        for (Map.Entry<String, float[]> e : labels.entrySet()) {
            if (e.getValue().length != users.length) {
                throw new IllegalArgumentException("label " + e.getKey() + " has " + e.getValue().length
                        + " values for " + users.length + " rows");
            }
        }
        for (Map.Entry<String, float[]> e : features.entrySet()) {
            if (e.getValue().length != users.length) {
                throw new IllegalArgumentException("feature " + e.getKey() + " has " + e.getValue().length
                        + " values for " + users.length + " rows");
            }
        }
        this.users = users;
        this.items = items;
        this.labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        this.features = Collections.unmodifiableMap(new LinkedHashMap<>(features));
        this.origins = null;
    }

    private Interactions(Interactions rows, IntFunction<Origin> origins) {
        this.users = rows.users;
        this.items = rows.items;
        this.labels = rows.labels;
        this.features = rows.features;
        this.origins = origins;
    }

    /**
     * @param origins where each row (0-based) was read from; called only when an error names a row
     * @return these rows, naming their origins in errors (the arrays are shared, not copied)
     */
    public Interactions withOrigins(IntFunction<Origin> origins) {
        return new Interactions(this, requireNonNull(origins, "origins is null"));
    }

    /**
     * @param row a row, from 0
     * @return where the row was read from, or null when the source did not say ({@link #withOrigins})
     */
    public Origin origin(int row) {
        if (row < 0 || row >= users.length) {
            throw new IndexOutOfBoundsException("row " + row + " of " + users.length);
        }
        return origins == null ? null : origins.apply(row);
    }

    /** @return the number of rows */
    public int size() {
        return users.length;
    }

    /** @return user entity index per row (do not modify) */
    public int[] users() {
        return users;
    }

    /** @return item entity index per row (do not modify) */
    public int[] items() {
        return items;
    }

    /** @return the names of the label columns */
    public Set<String> labelColumns() {
        return labels.keySet();
    }

    /** @return a label column, or null when the split does not have it */
    public float[] label(String column) {
        return labels.get(column);
    }

    /** @return the per-interaction feature columns by feature name (do not modify the arrays) */
    public Map<String, float[]> features() {
        return features;
    }

    /** @return a per-interaction feature's values, or null when the split does not record it */
    public float[] feature(String name) {
        return features.get(name);
    }
}
