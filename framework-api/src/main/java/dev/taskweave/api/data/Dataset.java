package dev.taskweave.api.data;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a data source produces: the feature schema, the user and item tables, and named
 * splits. A split named {@code train} is required; {@code valid} drives early stopping when
 * present; any other split (for example {@code test}, {@code test_cold_user}) is evaluated after
 * training. Ranking candidate lists may be attached per split name.
 *
 * @param name        a short description of the data, recorded in the model's provenance
 * @param features    the feature schema; every feature is present in its entity's table
 * @param users       the user table
 * @param items       the item table
 * @param splits      the named splits, in the order they should be reported
 * @param rankings    ranking candidate lists by split name (may be empty)
 * @param description facts worth recording with a trained model (file names, sizes, options);
 *                    a key starting with {@value #WARNING} holds a warning about the data, which
 *                    {@code check} lists with the runtime's own
 * @param attributes  entity attributes usable as task labels, by name (may be empty)
 * @param attributeEvaluation per split name, per attribute name, the entities whose attribute is
 *                    evaluated on that split, each with a known label; the runtime never trains on
 *                    them (a split named here need not have interactions)
 */
public record Dataset(
        String name,
        List<FeatureSpec> features,
        EntityTable users,
        EntityTable items,
        Map<String, Interactions> splits,
        Map<String, RankingCandidates> rankings,
        Map<String, String> description,
        Map<String, EntityAttribute> attributes,
        Map<String, Map<String, int[]>> attributeEvaluation) {

    /** The split the model trains on. */
    public static final String TRAIN = "train";
    /** The split that drives early stopping. */
    public static final String VALID = "valid";
    /** The prefix of a {@link #description()} key whose value is a warning about the data. */
    public static final String WARNING = "warning.";

    public Dataset {
        requireNonNull(name, "name is null");
        features = List.copyOf(features);
        requireNonNull(users, "users is null");
        requireNonNull(items, "items is null");
        splits = Collections.unmodifiableMap(new LinkedHashMap<>(splits));
        rankings = Collections.unmodifiableMap(new LinkedHashMap<>(rankings));
        description = Collections.unmodifiableMap(new LinkedHashMap<>(description));
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        attributeEvaluation = Collections.unmodifiableMap(new LinkedHashMap<>(attributeEvaluation));
        for (Map.Entry<String, Map<String, int[]>> split : attributeEvaluation.entrySet()) {
            for (Map.Entry<String, int[]> evaluated : split.getValue().entrySet()) {
                String attribute = evaluated.getKey();
                if (!attributes.containsKey(attribute)) {
                    throw new IllegalArgumentException("split " + split.getKey() + " evaluates unknown attribute " + attribute);
                }
                boolean[] known = attributes.get(attribute).known();
                for (int entity : evaluated.getValue()) {
                    // an entity without a label would be scored against filler values
                    if (entity < 0 || entity >= known.length || !known[entity]) {
                        throw new IllegalArgumentException("split " + split.getKey() + " evaluates attribute " + attribute + " on "
                                + "entity " + entity + ", " + (entity < 0 || entity >= known.length ? "outside its "
                                + known.length + " entities" : "whose label is unknown"));
                    }
                }
            }
        }
        if (!splits.containsKey(TRAIN)) {
            throw new IllegalArgumentException("dataset " + name + " has no '" + TRAIN + "' split");
        }
        for (FeatureSpec f : features) {
            EntityTable table = f.entity() == Entity.USER ? users : items;
            if (!table.has(f.name())) {
                throw new IllegalArgumentException("feature " + f.name() + " is missing from the " + f.entity() + " table");
            }
        }
        for (Map.Entry<String, Interactions> split : splits.entrySet()) {
            for (Map.Entry<String, float[]> column : split.getValue().features().entrySet()) {
                checkFeatureColumn(split.getKey(), column.getKey(), column.getValue(), features);
            }
        }
    }

    /** A split's feature column must belong to a per-interaction feature and hold its kind of value. */
    private static void checkFeatureColumn(String split, String name, float[] values, List<FeatureSpec> features) {
        FeatureSpec spec = features.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
        if (spec == null || !spec.perInteraction()) {
            throw new IllegalArgumentException("split " + split + " records feature " + name + " per row, which is "
                    + (spec == null ? "not in the schema" : "not a per-interaction feature"));
        }
        for (int r = 0; r < values.length; r++) {
            float v = values[r];
            boolean ok = Float.isNaN(v) || (spec.kind() == FeatureKind.CATEGORICAL ? v >= 0 && v < spec.size() && v == Math.rint(v)
                    : Float.isFinite(v));
            if (!ok) {
                throw new IllegalArgumentException("split " + split + ", row " + r + ": feature " + name + " expected "
                        + (spec.kind() == FeatureKind.CATEGORICAL ? "a code from 0 to " + (spec.size() - 1) : "a finite number")
                        + ", got " + v);
            }
        }
    }

    /** A dataset without entity attributes. */
    public Dataset(String name, List<FeatureSpec> features, EntityTable users, EntityTable items,
            Map<String, Interactions> splits, Map<String, RankingCandidates> rankings, Map<String, String> description) {
        this(name, features, users, items, splits, rankings, description, Map.of(), Map.of());
    }

    /** @return the training split */
    public Interactions train() {
        return splits.get(TRAIN);
    }

    /** @return the table of an entity */
    public EntityTable table(Entity entity) {
        return entity == Entity.USER ? users : items;
    }
}
