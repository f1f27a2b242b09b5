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
 * users and items files of side features, how to split, history features, ranking lists and
 * which side features are also attributes that tasks can predict. See the plugin's README.md.
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

    /** A side feature and where it comes from. */
    record Feature(String name, Entity entity, Kind kind, String source) {}

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
            throw new InvalidConfigException("history", "expected none, implicit or values");
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
            if (f == null || f.kind() == Kind.NUMERIC) {
                List<String> eligible = features.values().stream().filter(x -> x.kind() != Kind.NUMERIC).map(Feature::name).toList();
                throw new InvalidConfigException("attributes[" + i + "]", (f == null ? "unknown feature '" + name + "'"
                        : "'" + name + "' is numeric") + "; an attribute is a categorical, multi-valued or flags feature of "
                        + "the users or items file, one of " + eligible);
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
     * @return every side feature by name, users first, in the order of the files' configuration
     * @throws InvalidConfigException when two columns give one name or a name is reserved
     */
    Map<String, Feature> features() {
        Map<String, Feature> out = new LinkedHashMap<>();
        addFeatures(out, Entity.USER, users, "users");
        addFeatures(out, Entity.ITEM, items, "items");
        return out;
    }

    private static void addFeatures(Map<String, Feature> out, Entity entity, EntitiesConfig table, String path) {
        if (table == null) {
            return;
        }
        List<String> reserved = List.of(FeatureNames.prefix(entity) + "id", FeatureNames.prefix(entity) + "history");
        for (int i = 0; i < table.categorical().size(); i++) {
            add(out, reserved, entity, Kind.CATEGORICAL, table.categorical().get(i), path + ".categorical[" + i + "]");
        }
        for (int i = 0; i < table.numeric().size(); i++) {
            add(out, reserved, entity, Kind.NUMERIC, table.numeric().get(i), path + ".numeric[" + i + "]");
        }
        for (String column : table.multiValued().keySet()) {
            add(out, reserved, entity, Kind.MULTI_VALUED, column, path + ".multiValued." + column);
        }
        for (String name : table.flags().keySet()) {
            add(out, reserved, entity, Kind.FLAGS, name, path + ".flags." + name);
        }
    }

    private static void add(Map<String, Feature> out, List<String> reserved, Entity entity, Kind kind, String column, String path) {
        String name = FeatureNames.of(entity, column);
        if (name == null) {
            throw new InvalidConfigException(path, "column '" + column + "' gives no feature name (it needs a letter or digit)");
        }
        if (reserved.contains(name)) {
            throw new InvalidConfigException(path, "column '" + column + "' would be feature " + name
                    + ", a name the source keeps for itself; rename the column");
        }
        Feature previous = out.put(name, new Feature(name, entity, kind, column));
        if (previous != null) {
            throw new InvalidConfigException(path, "column '" + column + "' would be feature " + name + ", as column '"
                    + previous.source() + "' already is");
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
