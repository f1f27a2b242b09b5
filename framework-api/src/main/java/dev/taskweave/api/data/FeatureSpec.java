package dev.taskweave.api.data;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.HashSet;
import java.util.List;

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
 * @param labels for a categorical feature, optionally the raw value of each code: code {@code c}
 *               ({@code 1 <= c < size}) is {@code labels.get(c - 1)}; empty when the codes have no
 *               names (ids, or a dataset that does not say). New entities at serving time may give
 *               a labelled feature by its raw value ({@code "engineer"}) instead of its code. For a
 *               multi-hot feature (not a history), optionally the name of each of its {@code size}
 *               columns ({@code "Comedy"}, {@code "sale"}): serving then takes the list of the
 *               names that are set
 * @param fromInteractions true for a feature computed from the entity's training interactions (a
 *               history: the items a user rated, the users who rated an item). Such a feature is
 *               known exactly when the entity's id is: a cold entity has neither. In training, id
 *               dropout hides it together with the id, so that the rows which teach the model to
 *               serve cold entities look like cold entities
 * @param scale  for a numeric feature, optionally how a raw value is encoded (a log, the training
 *               mean and standard deviation); serving applies it to the raw values it is given.
 *               Null when the model reads the values as they are
 * @param perInteraction true for a value that changes over time, such as the mean of the user's
 *               latest ratings or the device in use: an interaction row reads the value its split
 *               records for that row ({@link Interactions#feature}), the entity's state when the
 *               interaction happened; the entity table holds the current value, read by rows that
 *               record none (ranking lists, attribute rows, a request without a context). Numeric or
 *               categorical, never an id
 * @param pair   true for a value of the (user, item) pair that the runtime computes from the
 *               training interactions ({@code features.neighbours}: how the user rated the item's
 *               nearest neighbours), read on every row, served request and ranking candidate alike.
 *               Numeric, on the item side, derived from interactions (unknown where the user's or
 *               the item's id is) and taking a value per interaction: a training row reads the value
 *               computed without its own label; the entity table holds 0 for it
 * @param historyScale for a history ({@link #history(String, Entity, int, Histories.Scale)}), how
 *               its rows were scaled by their number of interactions ({@link Histories.Scale}): a
 *               row that leaves its own interaction out ({@link #history}) is then scaled as if it
 *               had been built without it. Null for any other feature, and for a history whose
 *               scaling the source does not declare (model files written before this existed): its
 *               rows are read as they are stored, the own entry left out
 */
public record FeatureSpec(String name, Entity entity, FeatureKind kind, int size, boolean id, List<String> labels,
        boolean fromInteractions, NumericScale scale, boolean perInteraction, boolean pair, Histories.Scale historyScale) {
    public FeatureSpec {
        requireNonNull(name, "name is null");
        requireNonNull(entity, "entity is null");
        requireNonNull(kind, "kind is null");
        labels = labels == null ? List.of() : List.copyOf(labels);
        if (size < 1) {
            throw new IllegalArgumentException("feature " + name + ": size must be >= 1, got " + size);
        }
        if (kind == FeatureKind.NUMERIC && size != 1) {
            throw new IllegalArgumentException("feature " + name + ": a numeric feature has size 1");
        }
        if (id && kind != FeatureKind.CATEGORICAL) {
            throw new IllegalArgumentException("feature " + name + ": an id feature must be categorical");
        }
        if (!labels.isEmpty() && kind == FeatureKind.CATEGORICAL && labels.size() != size - 1) {
            throw new IllegalArgumentException("feature " + name + ": labels name the codes 1.." + (size - 1)
                    + " of a categorical feature; got " + labels.size() + " labels for a vocabulary of size " + size);
        }
        if (!labels.isEmpty() && kind == FeatureKind.MULTI_HOT && (labels.size() != size || fromInteractions)) {
            throw new IllegalArgumentException("feature " + name + ": labels name the " + size + " columns of a multi-hot "
                    + "feature that is not a history; got " + labels.size() + " labels" + (fromInteractions ? " for a history" : ""));
        }
        if (!labels.isEmpty() && kind == FeatureKind.NUMERIC) {
            throw new IllegalArgumentException("feature " + name + ": a numeric feature has no labels, got " + labels);
        }
        if (scale != null && kind != FeatureKind.NUMERIC) {
            throw new IllegalArgumentException("feature " + name + ": only a numeric feature has a scale; this one is " + kind);
        }
        if (new HashSet<>(labels).size() != labels.size()) {
            throw new IllegalArgumentException("feature " + name + ": labels must be distinct, got " + labels);
        }
        if (id && fromInteractions) {
            throw new IllegalArgumentException("feature " + name + ": an id feature is not derived from interactions");
        }
        if (perInteraction && (id || kind == FeatureKind.MULTI_HOT)) {
            throw new IllegalArgumentException("feature " + name + ": only a numeric or categorical feature that is not an id "
                    + "can take a value per interaction");
        }
        if (pair && (kind != FeatureKind.NUMERIC || entity != Entity.ITEM || !fromInteractions || !perInteraction || scale != null)) {
            throw new IllegalArgumentException("feature " + name + ": a pair feature is numeric, on the item side, derived from "
                    + "interactions, takes a value per interaction and has no scale");
        }
        if (historyScale != null && (!fromInteractions || kind != FeatureKind.MULTI_HOT)) {
            throw new IllegalArgumentException("feature " + name + ": only a history (a multi-hot feature derived from"
                    + " interactions) has a history scale; this one is " + (fromInteractions ? "" : "not derived from interactions, ")
                    + kind);
        }
    }

    /**
     * Reads a feature as model files store it; files written before a component existed lack it
     * ({@code fromInteractions}, {@code perInteraction}, {@code pair}: false; {@code historyScale}:
     * null, so that a model reads its histories as it was trained to).
     */
    @JsonCreator
    static FeatureSpec fromJson(@JsonProperty("name") String name, @JsonProperty("entity") Entity entity,
            @JsonProperty("kind") FeatureKind kind, @JsonProperty("size") int size, @JsonProperty("id") boolean id,
            @JsonProperty("labels") List<String> labels, @JsonProperty("fromInteractions") Boolean fromInteractions,
            @JsonProperty("scale") NumericScale scale, @JsonProperty("perInteraction") Boolean perInteraction,
            @JsonProperty("pair") Boolean pair, @JsonProperty("historyScale") Histories.Scale historyScale) {
        return new FeatureSpec(name, entity, kind, size, id, labels, Boolean.TRUE.equals(fromInteractions), scale,
                Boolean.TRUE.equals(perInteraction), Boolean.TRUE.equals(pair), historyScale);
    }

    /** A feature that is not a history with a declared scale. */
    public FeatureSpec(String name, Entity entity, FeatureKind kind, int size, boolean id, List<String> labels,
            boolean fromInteractions, NumericScale scale, boolean perInteraction, boolean pair) {
        this(name, entity, kind, size, id, labels, fromInteractions, scale, perInteraction, pair, null);
    }

    /** A feature that is not a pair feature. */
    public FeatureSpec(String name, Entity entity, FeatureKind kind, int size, boolean id, List<String> labels,
            boolean fromInteractions, NumericScale scale, boolean perInteraction) {
        this(name, entity, kind, size, id, labels, fromInteractions, scale, perInteraction, false);
    }

    /** A feature with one value per entity. */
    public FeatureSpec(String name, Entity entity, FeatureKind kind, int size, boolean id, List<String> labels,
            boolean fromInteractions, NumericScale scale) {
        this(name, entity, kind, size, id, labels, fromInteractions, scale, false);
    }

    /** A feature without a numeric scale. */
    public FeatureSpec(String name, Entity entity, FeatureKind kind, int size, boolean id, List<String> labels,
            boolean fromInteractions) {
        this(name, entity, kind, size, id, labels, fromInteractions, null);
    }

    /** A feature that is not derived from interactions. */
    public FeatureSpec(String name, Entity entity, FeatureKind kind, int size, boolean id, List<String> labels) {
        this(name, entity, kind, size, id, labels, false, null);
    }

    /** A feature without labels, not derived from interactions. */
    public FeatureSpec(String name, Entity entity, FeatureKind kind, int size, boolean id) {
        this(name, entity, kind, size, id, List.of(), false, null);
    }

    /** A categorical feature. */
    public static FeatureSpec categorical(String name, Entity entity, int vocabularySize) {
        return new FeatureSpec(name, entity, FeatureKind.CATEGORICAL, vocabularySize, false);
    }

    /**
     * A categorical feature whose codes {@code 1..labels.size()} are the raw values
     * {@code labels} (code 0 stays unknown).
     */
    public static FeatureSpec categorical(String name, Entity entity, List<String> labels) {
        return new FeatureSpec(name, entity, FeatureKind.CATEGORICAL, labels.size() + 1, false, labels);
    }

    /** The entity's identifier, a categorical feature. */
    public static FeatureSpec identifier(String name, Entity entity, int vocabularySize) {
        return new FeatureSpec(name, entity, FeatureKind.CATEGORICAL, vocabularySize, true);
    }

    /** A multi-hot (or any dense vector) feature. */
    public static FeatureSpec multiHot(String name, Entity entity, int width) {
        return new FeatureSpec(name, entity, FeatureKind.MULTI_HOT, width, false);
    }

    /**
     * A multi-hot feature whose columns are named {@code labels} (a genre, a tag): its values are
     * flags, 0 or 1, and serving takes the names that are set (or a list of 0s and 1s; other
     * numbers are refused).
     */
    public static FeatureSpec multiHot(String name, Entity entity, List<String> labels) {
        return new FeatureSpec(name, entity, FeatureKind.MULTI_HOT, labels.size(), false, labels);
    }

    /**
     * A multi-hot vector computed from the entity's training interactions, for example the items a
     * user rated ({@link #fromInteractions()}). Its columns are the other side's entities:
     * {@code width} is the number of items for a user's history, of users for an item's (the
     * runtime checks it), and on the row (user, item) it is read without the row's own
     * interaction, the other entries as they are stored. {@link Histories#of} builds the values.
     * Prefer {@link #history(String, Entity, int, Histories.Scale)}, which says how they were scaled.
     */
    public static FeatureSpec history(String name, Entity entity, int width) {
        return new FeatureSpec(name, entity, FeatureKind.MULTI_HOT, width, false, List.of(), true);
    }

    /**
     * As {@link #history(String, Entity, int)}, for rows built by {@link Histories#sparse} or
     * {@link Histories#of} with {@code scale}. A row that holds its own interaction is read
     * without it and scaled as if it had been built without it, as a row that does not hold it (a
     * test pair's, a sampled negative's) reads: with {@code m} the entries the row stores, by
     * {@code m / (m - 1)} for {@link Histories.Scale#MEAN} and its square root for
     * {@link Histories.Scale#ROOT}. That is exactly the history of the other interactions when no
     * pair repeats and no value is 0 (a value of 0 is not stored; a repeat is one entry), which
     * {@link Histories#declared} checks.
     *
     * @param scale how the rows were scaled; null to have them read as stored (as {@link
     *              #history(String, Entity, int)})
     */
    public static FeatureSpec history(String name, Entity entity, int width, Histories.Scale scale) {
        return new FeatureSpec(name, entity, FeatureKind.MULTI_HOT, width, false, List.of(), true, null, false, false, scale);
    }

    /** A numeric feature. */
    public static FeatureSpec numeric(String name, Entity entity) {
        return new FeatureSpec(name, entity, FeatureKind.NUMERIC, 1, false);
    }

    /** A numeric feature whose raw values are encoded by {@code scale} (null: read as they are). */
    public static FeatureSpec numeric(String name, Entity entity, NumericScale scale) {
        return new FeatureSpec(name, entity, FeatureKind.NUMERIC, 1, false, List.of(), false, scale);
    }

    /**
     * The mean of the entity's latest training interactions' values, as of each interaction
     * ({@link RecentValues}): numeric, derived from interactions (unknown where the entity's id is,
     * like a history), one value per interaction row ({@link #perInteraction()}).
     */
    public static FeatureSpec recent(String name, Entity entity) {
        return new FeatureSpec(name, entity, FeatureKind.NUMERIC, 1, false, List.of(), true, null, true);
    }

    /**
     * A value of the (user, item) pair computed by the runtime from the training interactions
     * ({@link #pair()}), such as a neighbourhood score.
     */
    public static FeatureSpec pair(String name) {
        return new FeatureSpec(name, Entity.ITEM, FeatureKind.NUMERIC, 1, false, List.of(), true, null, true, true);
    }

    /**
     * @return true for a value of the moment ({@link #perInteraction()} and not {@link #pair()}):
     *     what a request's {@code context} or a {@code predict} column may give for a row
     */
    public boolean contextual() {
        return perInteraction && !pair;
    }

    /** @return the code of a raw value, or -1 when the feature has no labels or does not know it */
    public int codeOf(String label) {
        int i = kind == FeatureKind.CATEGORICAL ? labels.indexOf(label) : -1;
        return i < 0 ? -1 : i + 1;
    }

    /**
     * @return the column of a multi-hot feature named {@code label}, or -1 when the feature has no
     *         column names or not this one
     */
    public int columnOf(String label) {
        return kind == FeatureKind.MULTI_HOT ? labels.indexOf(label) : -1;
    }
}
