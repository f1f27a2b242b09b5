package dev.taskweave.plugins.files;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.ValidatedConfig;
import dev.taskweave.api.data.Entity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code data.params} of the {@code files} source: an interactions file (required), optional
 * users and items files of side features, how to split, history features, recent-value features,
 * ranking lists and which side features are also attributes that tasks can predict. See the
 * plugin's README.md.
 */
public final class FilesConfig implements ValidatedConfig {
    /** The largest {@code attributeHoldout}. */
    static final double MAX_ATTRIBUTE_HOLDOUT = 0.5;

    /** Whether users and items get their training interactions as features. */
    public enum History {
        /** No history feature. */
        @JsonProperty("none") NONE,
        /** The counterparts the entity interacted with in training, each 1, divided by their number. */
        @JsonProperty("implicit") IMPLICIT,
        /**
         * As {@code implicit}, each entry the row's {@code historyLabel} minus that label's training
         * mean (0 where the row has no such label), divided by the square root of their number (SVD++).
         */
        @JsonProperty("values") VALUES
    }

    /** What kind of column a side feature comes from. */
    enum Kind {
        CATEGORICAL, NUMERIC, MULTI_VALUED, FLAGS
    }

    /** Where a feature's values come from. */
    enum Origin {
        /** A column of the users or items file: one value per entity. */
        SIDE_FILE,
        /** A column of the interactions file ({@code interactions.context}): one value per row. */
        CONTEXT,
        /** The recent values of a label ({@code recent}): one value per row. */
        RECENT
    }

    /**
     * A feature the source reads or computes, and where it comes from.
     *
     * @param source the column it is read from, or for {@link Origin#RECENT} the label
     */
    record Feature(String name, Entity entity, Kind kind, String source, Origin origin) {
        /** @return true for a feature that takes a value per interaction row */
        boolean perInteraction() {
            return origin != Origin.SIDE_FILE;
        }

        /** @return where the feature comes from, in words, for errors */
        String described() {
            return origin == Origin.RECENT ? "recent values of label '" + source + "'"
                    : (origin == Origin.CONTEXT ? "context column '" : "column '") + source + "'";
        }
    }

    @JsonProperty
    private InteractionsConfig interactions;
    @JsonProperty
    private SplitConfig split = new SplitConfig();
    @JsonProperty
    private EntitiesConfig users;
    @JsonProperty
    private EntitiesConfig items;
    @JsonProperty
    private History history = History.NONE;
    @JsonProperty
    private History userHistory;
    @JsonProperty
    private History itemHistory;
    @JsonProperty
    private String historyLabel;
    @JsonProperty
    private List<RecentConfig> recent = new ArrayList<>();
    @JsonProperty
    private RankingConfig ranking;
    @JsonProperty
    private List<String> attributes = new ArrayList<>();
    @JsonProperty
    private double attributeHoldout;
    @JsonProperty
    private double attributeValid;
    @JsonProperty
    private Long seed;

    public FilesConfig() {}

    @Override
    public void validate() {
        if (interactions == null) {
            throw new InvalidConfigException("interactions", "required: {file, user, item} at least, the file of "
                    + "(user, item) rows and its id columns");
        }
        under("interactions", interactions::validate);
        if (split == null) {
            throw new InvalidConfigException("split", "expected a mapping such as {by: random, valid: 0.1, test: 0.1}, got null");
        }
        under("split", () -> split.validate(interactions.timestamp() != null));
        if (users != null) {
            under("users", users::validate);
        }
        if (items != null) {
            under("items", items::validate);
        }
        if (history == null) {
            throw new InvalidConfigException("history", "missing; expected one of [none, implicit, values]");
        }
        boolean values = userHistory() == History.VALUES || itemHistory() == History.VALUES;
        if (values && historyLabel == null) {
            throw new InvalidConfigException("historyLabel", "required with values histories: the label whose centred "
                    + "values fill them; one of " + interactions.labels().keySet());
        }
        if (historyLabel != null && !interactions.labels().containsKey(historyLabel)) {
            throw new InvalidConfigException("historyLabel", "unknown label '" + historyLabel + "'; interactions.labels has "
                    + interactions.labels().keySet());
        }
        if (historyLabel != null && !values) {
            throw new InvalidConfigException("historyLabel", "only used by values histories (history, userHistory or "
                    + "itemHistory: values)");
        }
        if (recent == null) {
            throw new InvalidConfigException("recent", "expected a list such as [{label: rating, window: 5}], got null");
        }
        if (!recent.isEmpty() && interactions.timestamp() == null) {
            throw new InvalidConfigException("recent", "needs interactions.timestamp, the column that orders each user's rows "
                    + "(a recent value is as of the row's time)");
        }
        for (int i = 0; i < recent.size(); i++) {
            RecentConfig r = recent.get(i);
            if (r == null) {
                throw new InvalidConfigException("recent[" + i + "]", "expected {label: <label>, window: <n>}, got null");
            }
            under("recent[" + i + "]", () -> r.validate(interactions.labels().keySet()));
            for (int j = 0; j < i; j++) {
                if (recent.get(j).label().equals(r.label())) {
                    throw new InvalidConfigException("recent[" + i + "].label", "label '" + r.label() + "' is listed twice "
                            + "(recent[" + j + "]); each label gives one feature, user_recent_<label>");
                }
            }
        }
        if (ranking != null) {
            under("ranking", ranking::validate);
        }
        if (ranking != null && split.by() == SplitConfig.By.FILES && split.testFile() == null) {
            throw new InvalidConfigException("ranking", "ranks the test split's users, and split.testFile is not set");
        }
        if (ranking != null && (split.by() == SplitConfig.By.RANDOM || split.by() == SplitConfig.By.TIME) && split.testFraction() == 0) {
            throw new InvalidConfigException("ranking", "ranks the test split's users, and split.test is 0");
        }
        Map<String, Feature> features = features();
        if (attributes == null) {
            throw new InvalidConfigException("attributes", "expected a list of feature names, got null");
        }
        for (int i = 0; i < attributes.size(); i++) {
            String name = attributes.get(i);
            Feature f = features.get(name);
            if (f == null || f.kind() == Kind.NUMERIC || f.perInteraction()) {
                List<String> eligible = features.values().stream().filter(x -> x.kind() != Kind.NUMERIC && !x.perInteraction())
                        .map(Feature::name).toList();
                throw new InvalidConfigException("attributes[" + i + "]", (f == null ? "unknown feature '" + name + "'"
                        : f.perInteraction() ? "'" + name + "' takes a value per interaction" : "'" + name + "' is numeric")
                        + "; an attribute is a categorical, multi-valued or flags feature of the users or items file, one of "
                        + eligible);
            }
            if (attributes.indexOf(name) != i) {
                throw new InvalidConfigException("attributes[" + i + "]", "'" + name + "' is listed twice");
            }
        }
        if (!(attributeHoldout >= 0 && attributeHoldout <= MAX_ATTRIBUTE_HOLDOUT)) {
            throw new InvalidConfigException("attributeHoldout", "expected a fraction in [0, " + MAX_ATTRIBUTE_HOLDOUT
                    + "], got " + attributeHoldout);
        }
        if (attributeHoldout > 0 && attributes.isEmpty()) {
            throw new InvalidConfigException("attributeHoldout", "holds out entities whose attributes are evaluated, "
                    + "and attributes lists none");
        }
        if (!(attributeValid >= 0 && attributeValid <= MAX_ATTRIBUTE_HOLDOUT)) {
            throw new InvalidConfigException("attributeValid", "expected a fraction in [0, " + MAX_ATTRIBUTE_HOLDOUT
                    + "], got " + attributeValid);
        }
        if (attributeValid > 0 && attributes.isEmpty()) {
            throw new InvalidConfigException("attributeValid", "holds out entities whose attributes validate, "
                    + "and attributes lists none");
        }
        if (attributeHoldout + attributeValid > MAX_ATTRIBUTE_HOLDOUT) {
            throw new InvalidConfigException("attributeValid", "attributeHoldout + attributeValid must be at most "
                    + MAX_ATTRIBUTE_HOLDOUT + ", got " + attributeHoldout + " + " + attributeValid);
        }
    }

    private static void under(String prefix, Runnable check) {
        try {
            check.run();
        } catch (InvalidConfigException e) {
            throw e.under(prefix);
        }
    }

    /**
     * @return every feature but the ids and histories by name: the side files' (users first, in
     *     the order of their configuration), then the context columns' (categorical, then
     *     numeric), then the recent values' ({@code recent}'s order)
     * @throws InvalidConfigException when two columns give one name or a name is reserved
     */
    Map<String, Feature> features() {
        Map<String, Feature> out = new LinkedHashMap<>();
        addFeatures(out, Entity.USER, users, "users");
        addFeatures(out, Entity.ITEM, items, "items");
        List<String> reserved = reserved(Entity.USER);
        ContextConfig context = interactions.context();
        if (context != null) {
            for (int i = 0; i < context.categorical().size(); i++) {
                String column = context.categorical().get(i);
                add(out, reserved, new Feature(FeatureNames.of(Entity.USER, column), Entity.USER, Kind.CATEGORICAL, column,
                        Origin.CONTEXT), "interactions.context.categorical[" + i + "]");
            }
            for (int i = 0; i < context.numeric().size(); i++) {
                String column = context.numeric().get(i);
                add(out, reserved, new Feature(FeatureNames.of(Entity.USER, column), Entity.USER, Kind.NUMERIC, column,
                        Origin.CONTEXT), "interactions.context.numeric[" + i + "]");
            }
        }
        for (int i = 0; i < recent.size(); i++) {
            String label = recent.get(i).label();
            add(out, reserved, new Feature(FeatureNames.of(Entity.USER, "recent_" + label), Entity.USER, Kind.NUMERIC, label,
                    Origin.RECENT), "recent[" + i + "].label");
        }
        return out;
    }

    private static List<String> reserved(Entity entity) {
        return List.of(FeatureNames.prefix(entity) + "id", FeatureNames.prefix(entity) + "history");
    }

    private static void addFeatures(Map<String, Feature> out, Entity entity, EntitiesConfig table, String path) {
        if (table == null) {
            return;
        }
        List<String> reserved = reserved(entity);
        for (int i = 0; i < table.categorical().size(); i++) {
            addColumn(out, reserved, entity, Kind.CATEGORICAL, table.categorical().get(i), path + ".categorical[" + i + "]");
        }
        for (int i = 0; i < table.numeric().size(); i++) {
            addColumn(out, reserved, entity, Kind.NUMERIC, table.numeric().get(i), path + ".numeric[" + i + "]");
        }
        for (String column : table.multiValued().keySet()) {
            addColumn(out, reserved, entity, Kind.MULTI_VALUED, column, path + ".multiValued." + column);
        }
        for (String name : table.flags().keySet()) {
            addColumn(out, reserved, entity, Kind.FLAGS, name, path + ".flags." + name);
        }
    }

    private static void addColumn(Map<String, Feature> out, List<String> reserved, Entity entity, Kind kind, String column, String path) {
        add(out, reserved, new Feature(FeatureNames.of(entity, column), entity, kind, column, Origin.SIDE_FILE), path);
    }

    /** Adds a feature (its name null when its column gives none), checking its name is free. */
    private static void add(Map<String, Feature> out, List<String> reserved, Feature feature, String path) {
        String name = feature.name();
        if (name == null) {
            throw new InvalidConfigException(path, feature.described() + " gives no feature name: a feature name "
                    + "keeps the column's ASCII letters and digits (a-z, 0-9), and it has none; rename the column");
        }
        if (reserved.contains(name)) {
            throw new InvalidConfigException(path, feature.described() + " would be feature " + name
                    + ", a name the source keeps for itself; rename the column");
        }
        Feature previous = out.put(name, feature);
        if (previous != null) {
            throw new InvalidConfigException(path, feature.described() + " would be feature " + name + ", as "
                    + previous.described() + " already is");
        }
    }

    public InteractionsConfig interactions() {
        return interactions;
    }

    public SplitConfig split() {
        return split;
    }

    /** @return the users file's configuration, or null */
    public EntitiesConfig users() {
        return users;
    }

    /** @return the items file's configuration, or null */
    public EntitiesConfig items() {
        return items;
    }

    /** @return the user side's history: {@code userHistory} when set, else {@code history} */
    public History userHistory() {
        return userHistory != null ? userHistory : history;
    }

    /** @return the item side's history: {@code itemHistory} when set, else {@code history} */
    public History itemHistory() {
        return itemHistory != null ? itemHistory : history;
    }

    /** @return the label of values histories, or null */
    public String historyLabel() {
        return historyLabel;
    }

    /** @return the recent-value features' configuration, in order (empty for none) */
    public List<RecentConfig> recent() {
        return List.copyOf(recent);
    }

    /** @return the ranking lists' configuration, or null for none */
    public RankingConfig ranking() {
        return ranking;
    }

    /** @return the features that are also attributes */
    public List<String> attributes() {
        return List.copyOf(attributes);
    }

    /** @return the share of entities whose attributes are held out for evaluation */
    public double attributeHoldout() {
        return attributeHoldout;
    }

    /** @return the share of entities whose attributes are held out as validation */
    public double attributeValid() {
        return attributeValid;
    }

    /** @return the configured seed, or null to use the experiment's */
    public Long seed() {
        return seed;
    }
}
