package dev.taskweave.core.data;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureKind;
import dev.taskweave.api.data.FeatureSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The encoded side features of one entity, in the same encoding as {@link EntityTable}: a code per
 * categorical feature (0 = unknown) and {@code size} floats per multi-hot or numeric feature.
 * Serving builds rows for entities the model has never seen (a new user described only by
 * demographics) and turns them into a small table for {@link FeatureGatherer}.
 */
public final class EntityRow {
    private final Entity entity;
    private final String rawId;
    private final Map<String, int[]> codes;
    private final Map<String, float[]> dense;

    private EntityRow(Entity entity, String rawId, Map<String, int[]> codes, Map<String, float[]> dense) {
        this.entity = entity;
        this.rawId = rawId;
        this.codes = codes;
        this.dense = dense;
    }

    /** @return the row of a known entity, copied from its table */
    public static EntityRow of(EntityTable table, int index, List<FeatureSpec> features) {
        requireNonNull(table, "table is null");
        if (index < 0 || index >= table.size()) {
            throw new IllegalArgumentException("index " + index + " outside the " + table.entity() + " table of " + table.size());
        }
        Map<String, int[]> codes = new LinkedHashMap<>();
        Map<String, float[]> dense = new LinkedHashMap<>();
        for (FeatureSpec f : features) {
            if (f.entity() != table.entity()) {
                continue;
            }
            if (f.kind() == FeatureKind.CATEGORICAL) {
                codes.put(f.name(), new int[] {table.categorical(f.name())[index]});
            } else {
                dense.put(f.name(), table.row(f.name(), index, f.size()));
            }
        }
        return new EntityRow(table.entity(), table.rawIds().get(index), codes, dense);
    }

    /**
     * Builds the row of a new entity from feature values. Features not given are unknown (code 0,
     * zero vector). The identifier feature cannot be given: a new entity has no trained id.
     *
     * @param values feature name to value: an integer code or a raw value (when the feature names
     *               its codes) for a categorical feature; a number for a numeric one, raw when the
     *               feature has a {@link dev.taskweave.api.data.NumericScale} (encoded by it as in
     *               training); a list of {@code size} numbers for a multi-hot one, or the names of
     *               its set columns when it names them ({@code ["Comedy", "Drama"]})
     * @throws InvalidFeatureException naming the feature when a value does not fit the schema
     */
    public static EntityRow fromValues(Entity entity, String rawId, List<FeatureSpec> features, Map<String, ?> values) {
        requireNonNull(entity, "entity is null");
        requireNonNull(rawId, "rawId is null");
        requireNonNull(values, "values is null");
        Map<String, FeatureSpec> byName = new LinkedHashMap<>();
        for (FeatureSpec f : features) {
            if (f.entity() == entity) {
                byName.put(f.name(), f);
            }
        }
        for (String name : values.keySet()) {
            FeatureSpec f = byName.get(name);
            if (f == null) {
                throw new InvalidFeatureException(name, "the model has no " + kind(entity) + " feature of that name; it has "
                        + settable(byName));
            }
            if (f.id()) {
                throw new InvalidFeatureException(name, "is the identifier and cannot be given for a new entity");
            }
            if (f.pair()) {
                throw new InvalidFeatureException(name, "is computed by the model for each (user, item) pair and cannot be given");
            }
            if (f.fromInteractions()) {
                // the gatherer reads a history only with a trained id: a value given here would be ignored
                throw new InvalidFeatureException(name, "is derived from the " + kind(entity) + "'s interactions in training (a history)"
                        + " and cannot be given for a new " + kind(entity) + ", which has none");
            }
        }
        Map<String, int[]> codes = new LinkedHashMap<>();
        Map<String, float[]> dense = new LinkedHashMap<>();
        for (FeatureSpec f : byName.values()) {
            Object v = values.get(f.name());
            switch (f.kind()) {
                case CATEGORICAL -> codes.put(f.name(), new int[] {v == null ? 0 : code(f, v)});
                case NUMERIC -> dense.put(f.name(), new float[] {v == null ? 0f : scaled(f, v)});
                // a new entity's history (never given: refused above) is empty: no width of zeros per row
                case MULTI_HOT -> dense.put(f.name(), f.fromInteractions() ? new float[0] : v == null ? new float[f.size()] : vector(f, v));
            }
        }
        return new EntityRow(entity, rawId, codes, dense);
    }

    /**
     * Encodes the values of per-interaction features given for one request ({@code context}): a
     * categorical one by its raw value or its code, a numeric one as a number, scaled as the model
     * reads it.
     *
     * @return the encoded values by feature name, for {@link FeatureGatherer#forRows} or
     *     {@link FeatureGatherer#atMoment}
     * @throws InvalidFeatureException naming the feature, if it is not a per-interaction feature of
     *                                 the model or its value is not one the feature takes
     */
    public static Map<String, Float> context(List<FeatureSpec> features, Map<String, ?> values) {
        Map<String, Float> out = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : values.entrySet()) {
            FeatureSpec f = features.stream().filter(x -> x.name().equals(e.getKey()) && x.perInteraction()).findFirst().orElse(null);
            if (f == null || f.pair()) {
                throw new InvalidFeatureException(e.getKey(), (f == null ? "the model has no per-interaction feature of that name"
                        : "is computed by the model for each (user, item) pair") + "; it has "
                        + features.stream().filter(FeatureSpec::contextual).map(FeatureSpec::name).toList());
            }
            Object v = e.getValue();
            out.put(f.name(), f.kind() == FeatureKind.CATEGORICAL ? (float) code(f, v) : scaled(f, v));
        }
        return out;
    }

    private static List<String> settable(Map<String, FeatureSpec> byName) {
        return byName.values().stream().filter(f -> !f.id() && !f.fromInteractions()).map(FeatureSpec::name).toList();
    }

    private static String kind(Entity entity) {
        return entity.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static int code(FeatureSpec f, Object v) {
        if (v instanceof String label && !f.labels().isEmpty()) {
            int code = f.codeOf(label);
            if (code < 0) {
                throw new InvalidFeatureException(f.name(), "unknown value '" + label + "'; the model knows " + known(f.labels()));
            }
            return code;
        }
        if (!(v instanceof Integer || v instanceof Long || v instanceof Short)) {
            throw new InvalidFeatureException(f.name(), (f.labels().isEmpty() ? "expected an integer category code in [0, " + f.size() + ")"
                    : "expected one of " + known(f.labels()) + " or a code in [0, " + f.size() + ")") + ", got " + describe(v));
        }
        long code = ((Number) v).longValue();
        if (code < 0 || code >= f.size()) {
            throw new InvalidFeatureException(f.name(), "unknown category code " + code + "; the model knows codes 1.."
                    + (f.size() - 1) + " (0 = unknown)");
        }
        return (int) code;
    }

    /**
     * @return {@code v}, a number given for a feature the model reads as given, as a float
     * @throws InvalidFeatureException naming {@code name} when {@code v} is not a finite number, or
     *     is one a float cannot hold (1e300 would be read as infinity)
     */
    private static float number(String name, Object v) {
        return toFloat(name, finite(name, v), v + " is");
    }

    /** @return {@code v} as a double, checked to be a finite number */
    private static double finite(String name, Object v) {
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw new InvalidFeatureException(name, "expected a finite number, got " + describe(v));
        }
        return n.doubleValue();
    }

    /** @return the value the model reads, checked to fit a float; {@code what} says what it is, for the error */
    private static float toFloat(String name, double value, String what) {
        float f = (float) value;
        if (!Float.isFinite(f)) {
            throw new InvalidFeatureException(name, what + " beyond the range of a float (about 3.4e38 either way), which the model reads;"
                    + " expected a finite number within it");
        }
        return f;
    }

    /** @return a numeric value encoded as the model reads it: by the feature's scale when it has one */
    private static float scaled(FeatureSpec f, Object v) {
        if (f.scale() == null) {
            return number(f.name(), v);
        }
        double raw = finite(f.name(), v);
        double scaled;
        try {
            scaled = f.scale().apply(raw);
        } catch (IllegalArgumentException e) {
            throw new InvalidFeatureException(f.name(), e.getMessage());
        }
        return toFloat(f.name(), scaled, v + " scales to " + scaled + " (" + f.scale().describe() + "),");
    }

    private static float[] vector(FeatureSpec f, Object v) {
        if (!f.labels().isEmpty() && v instanceof List<?> names && names.stream().allMatch(String.class::isInstance)) {
            return columns(f, names);
        }
        if (!(v instanceof List<?> list) || list.size() != f.size()) {
            throw new InvalidFeatureException(f.name(), "expected a list of " + f.size() + " numbers"
                    + (f.labels().isEmpty() ? "" : " or the names of its set columns, from " + known(f.labels())) + ", got " + describe(v));
        }
        float[] out = new float[f.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(f.name() + "[" + i + "]", list.get(i));
            // named columns are flags (FeatureSpec.multiHot with labels): the model never saw another value in them
            if (!f.labels().isEmpty() && out[i] != 0f && out[i] != 1f) {
                throw new InvalidFeatureException(f.name() + "[" + i + "]", "expected a flag, 0 or 1 (column '" + f.labels().get(i)
                        + "' is set or not), got " + describe(list.get(i)));
            }
        }
        return out;
    }

    /** @return the multi-hot vector with the named columns set */
    private static float[] columns(FeatureSpec f, List<?> names) {
        float[] out = new float[f.size()];
        for (Object name : names) {
            int column = f.columnOf((String) name);
            if (column < 0) {
                throw new InvalidFeatureException(f.name(), "unknown value '" + name + "'; the model knows " + known(f.labels()));
            }
            if (out[column] == 1f) {
                throw new InvalidFeatureException(f.name(), "'" + name + "' is named twice; name each set column once");
            }
            out[column] = 1f;
        }
        return out;
    }

    private static String known(List<String> labels) {
        return labels.size() <= 25 ? labels.toString()
                : labels.subList(0, 25) + " and " + (labels.size() - 25) + " more";
    }

    private static String describe(Object v) {
        return v instanceof String ? "'" + v + "'" : v instanceof List<?> l ? "a list of " + l.size() : String.valueOf(v);
    }

    /** @return which entity the row describes */
    public Entity entity() {
        return entity;
    }

    /** @return the raw id (for a new entity, whatever the caller named it) */
    public String rawId() {
        return rawId;
    }

    /** @return the code of a categorical feature */
    public int code(String feature) {
        int[] c = codes.get(feature);
        if (c == null) {
            throw new IllegalArgumentException("no categorical feature " + feature);
        }
        return c[0];
    }

    /**
     * @return a copy of the values of a multi-hot or numeric feature; a new entity's history
     *     ({@link #fromValues}) holds none (an empty array), a known entity's its full width
     */
    public float[] values(String feature) {
        float[] d = dense.get(feature);
        if (d == null) {
            throw new IllegalArgumentException("no dense feature " + feature);
        }
        return d.clone();
    }

    /**
     * @return a table of these rows, in order (entity index {@code i} is {@code rows.get(i)}); raw ids
     *         are made unique by their position
     */
    public static EntityTable table(Entity entity, List<FeatureSpec> features, List<EntityRow> rows) {
        List<String> ids = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).entity != entity) {
                throw new IllegalArgumentException("row " + i + " describes a " + rows.get(i).entity + ", not a " + entity);
            }
            ids.add(i + ":" + rows.get(i).rawId);
        }
        EntityTable.Builder builder = EntityTable.builder(entity, ids);
        for (FeatureSpec f : features) {
            if (f.entity() != entity) {
                continue;
            }
            if (f.kind() == FeatureKind.CATEGORICAL) {
                int[] column = new int[rows.size()];
                for (int i = 0; i < column.length; i++) {
                    column[i] = rows.get(i).codes.get(f.name())[0];
                }
                builder.categorical(f.name(), column);
            } else if (f.fromInteractions()) {
                // stored as its entries, without a rows x width column of mostly zeros (a thousand new
                // users over millions of items overflowed an int); a new entity's history has none
                int[] starts = new int[rows.size() + 1];
                int entries = 0;
                for (int i = 0; i < rows.size(); i++) {
                    for (float v : rows.get(i).dense.get(f.name())) {
                        entries += v != 0f ? 1 : 0;
                    }
                    starts[i + 1] = entries;
                }
                int[] columns = new int[entries];
                float[] values = new float[entries];
                for (int i = 0, k = 0; i < rows.size(); i++) {
                    float[] d = rows.get(i).dense.get(f.name());
                    for (int c = 0; c < d.length; c++) {
                        if (d[c] != 0f) {
                            columns[k] = c;
                            values[k++] = d[c];
                        }
                    }
                }
                builder.sparse(f.name(), dev.taskweave.api.data.SparseRows.of(f.size(), starts, columns, values));
            } else {
                long size = (long) rows.size() * f.size();
                if (size > Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException("feature " + f.name() + ": " + rows.size() + " rows x " + f.size() + " values is"
                            + " more than one array holds");
                }
                float[] column = new float[(int) size];
                for (int i = 0; i < rows.size(); i++) {
                    System.arraycopy(rows.get(i).dense.get(f.name()), 0, column, i * f.size(), f.size());
                }
                builder.dense(f.name(), f.size(), column);
            }
        }
        return builder.build();
    }
}
