package dev.taskweave.plugins.synthetic;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.ValidatedConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The {@code data.params} of the {@code synthetic} source; every field has a default. */
public final class SyntheticConfig implements ValidatedConfig {
    /** The largest {@code attributeHoldout}. */
    static final double MAX_ATTRIBUTE_HOLDOUT = 0.5;
    /** What an extra score label may be called. */
    static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /**
     * Labels the source emits itself, the runtime reserves, or its attributes use (a task's label
     * names an attribute before a label column, so a score of that name would never be read),
     * which a score may not shadow.
     */
    static final Set<String> RESERVED_LABELS = Collections.unmodifiableSet(new java.util.TreeSet<>(Set.of("rating", "like",
            "dislike", "observed", SyntheticGenerator.USER_SEGMENT, SyntheticGenerator.ITEM_CATEGORY, SyntheticGenerator.ITEM_TAGS)));
    /** The most values one of the generator's arrays may hold: a Java array's largest length, about. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** The most interactions the generator draws: its row buffers double, and must not pass {@link #MAX_ARRAY}. */
    static final long MAX_ROWS = 1L << 30;

    @JsonProperty
    private int users = 2000;
    @JsonProperty
    private int items = 500;
    @JsonProperty
    private int latentDim = 8;
    @JsonProperty
    private int segments = 6;
    @JsonProperty
    private int categories = 10;
    @JsonProperty
    private int tags = 12;
    @JsonProperty
    private double meanInteractionsPerUser = 40;
    @JsonProperty
    private double ratingNoise = 0.5;
    @JsonProperty
    private double validFraction = 0.1;
    @JsonProperty
    private double testFraction = 0.1;
    @JsonProperty
    private double coldUserFraction = 0.05;
    @JsonProperty
    private double attributeHoldout = 0.1;
    @JsonProperty
    private double attributeValid = 0.0;
    @JsonProperty
    private boolean history = false;
    @JsonProperty
    private Long seed;
    @JsonProperty
    private Map<String, Double> scores = new LinkedHashMap<>();
    @JsonProperty
    private ConflictConfig conflict;
    @JsonProperty
    private OpposedScoresConfig opposedScores;
    @JsonProperty
    private ContextConfig context;

    public SyntheticConfig() {}

    @Override
    public void validate() {
        ConfigChecks.atLeast("users", users, 2);
        ConfigChecks.atLeast("items", items, 2);
        ConfigChecks.atLeast("latentDim", latentDim, 1);
        ConfigChecks.atLeast("segments", segments, 1);
        ConfigChecks.atLeast("categories", categories, 1);
        ConfigChecks.atLeast("tags", tags, 1);
        // the tables are arrays: sizes past a Java array's length failed with NegativeArraySizeException
        if ((long) items * tags > MAX_ARRAY) {
            throw new InvalidConfigException("tags", "items x tags = " + (long) items * tags + " tag flags, more than the "
                    + MAX_ARRAY + " one array holds; use fewer items or tags");
        }
        if ((long) Math.max(users, items) * latentDim > MAX_ARRAY) {
            throw new InvalidConfigException("latentDim", Math.max(users, items) + " " + (users >= items ? "users" : "items") + " x "
                    + latentDim + " latent factors, more than the " + MAX_ARRAY + " one array holds");
        }
        if (!(meanInteractionsPerUser >= 1) || meanInteractionsPerUser > items / 2.0) {
            throw new InvalidConfigException("meanInteractionsPerUser", "expected a number in [1, items/2 = "
                    + items / 2.0 + "] so that every user keeps unobserved items, got " + meanInteractionsPerUser);
        }
        if (users * meanInteractionsPerUser > MAX_ROWS) {
            throw new InvalidConfigException("meanInteractionsPerUser", "users x meanInteractionsPerUser = "
                    + String.format(java.util.Locale.ROOT, "%.0f", users * meanInteractionsPerUser) + " interactions, more than the "
                    + MAX_ROWS + " the generator draws; use fewer users or interactions per user");
        }
        ConfigChecks.nonNegative("ratingNoise", ratingNoise);
        fraction("validFraction", validFraction);
        fraction("testFraction", testFraction);
        fraction("coldUserFraction", coldUserFraction);
        if (validFraction + testFraction >= 1) {
            throw new InvalidConfigException("testFraction", "validFraction + testFraction must be below 1, got "
                    + validFraction + " + " + testFraction);
        }
        if (!(attributeHoldout >= 0 && attributeHoldout <= MAX_ATTRIBUTE_HOLDOUT)) {
            throw new InvalidConfigException("attributeHoldout", "expected a fraction in [0, " + MAX_ATTRIBUTE_HOLDOUT
                    + "], got " + attributeHoldout);
        }
        if (!(attributeValid >= 0 && attributeValid <= MAX_ATTRIBUTE_HOLDOUT)) {
            throw new InvalidConfigException("attributeValid", "expected a fraction in [0, " + MAX_ATTRIBUTE_HOLDOUT
                    + "], got " + attributeValid);
        }
        if (scores == null) {
            throw new InvalidConfigException("scores", "expected a map of label name to noise standard deviation, got null");
        }
        for (Map.Entry<String, Double> e : scores.entrySet()) {
            String path = "scores." + e.getKey();
            if (!LABEL_NAME.matcher(e.getKey()).matches() || RESERVED_LABELS.contains(e.getKey())) {
                throw new InvalidConfigException(path, "expected a label name matching " + LABEL_NAME.pattern()
                        + " other than " + RESERVED_LABELS + ", got '" + e.getKey() + "'");
            }
            Double noise = e.getValue();
            if (noise == null || !(noise >= 0) || Double.isInfinite(noise)) {
                throw new InvalidConfigException(path, "expected a finite noise standard deviation >= 0, got " + noise);
            }
        }
        if (conflict != null) {
            try {
                conflict.validate();
            } catch (InvalidConfigException e) {
                throw e.under("conflict");
            }
        }
        if (opposedScores != null) {
            try {
                opposedScores.validate();
            } catch (InvalidConfigException e) {
                throw e.under("opposedScores");
            }
            for (String label : new String[] {opposedScores.plusLabel(), opposedScores.minusLabel()}) {
                if (scores.containsKey(label)) {
                    throw new InvalidConfigException("opposedScores.name", "label '" + label
                            + "' is already declared under scores");
                }
            }
        }
        if (context != null) {
            try {
                context.validate();
            } catch (InvalidConfigException e) {
                throw e.under("context");
            }
        }
        if (coldUsers() >= users) {
            throw new InvalidConfigException("coldUserFraction", "leaves no warm user: " + coldUsers()
                    + " of " + users + " users would be cold");
        }
    }

    /**
     * @return warnings about shares that leave a slice empty: a positive share of entities that
     *     rounds to none of them (the slice asked for, or given by a default, silently empty), and
     *     attribute holdouts that leave no entity to train on. Warnings rather than refusals: a model
     *     trained on such data keeps loading
     */
    java.util.List<String> sliceWarnings() {
        java.util.List<String> out = new java.util.ArrayList<>();
        roundedAway(out, "coldUserFraction", coldUserFraction, users, "users", "no cold-user slice (test_cold_user is empty)");
        roundedAway(out, "attributeHoldout", attributeHoldout, users, "users", "no user_segment held out for attribute_test");
        roundedAway(out, "attributeHoldout", attributeHoldout, items, "items", "no item attributes held out for attribute_test");
        roundedAway(out, "attributeValid", attributeValid, users, "users", "no user_segment for validation");
        roundedAway(out, "attributeValid", attributeValid, items, "items", "no item attributes for validation");
        // the validating entities are drawn from those not held out: at most the rest
        int validUsers = Math.min(attributeValidUsers(), users - attributeHoldoutUsers());
        int validItems = Math.min(attributeValidItems(), items - attributeHoldoutItems());
        if (attributeHoldoutUsers() + validUsers >= users) {
            out.add("attributeHoldout + attributeValid leave no user to train user_segment on: " + attributeHoldoutUsers()
                    + " held out + " + validUsers + " validating of " + users + " users");
        }
        if (attributeHoldoutItems() + validItems >= items) {
            out.add("attributeHoldout + attributeValid leave no item to train item_category and item_tags on: "
                    + attributeHoldoutItems() + " held out + " + validItems + " validating of " + items + " items");
        }
        return out;
    }

    private static void roundedAway(java.util.List<String> out, String field, double fraction, int entities, String what,
            String consequence) {
        if (fraction > 0 && Math.round(fraction * entities) == 0) {
            out.add(field + " " + fraction + " of " + entities + " " + what + " rounds to none: " + consequence
                    + " (at least " + Math.ceil(0.5 / entities * 1e4) / 1e4 + " gives one)");
        }
    }

    private static void fraction(String field, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new InvalidConfigException(field, "expected a fraction in [0, 1), got " + value);
        }
    }

    /** @return the number of cold users: {@code round(coldUserFraction * users)} */
    public int coldUsers() {
        return (int) Math.round(coldUserFraction * users);
    }

    public int users() {
        return users;
    }

    public int items() {
        return items;
    }

    public int latentDim() {
        return latentDim;
    }

    public int segments() {
        return segments;
    }

    public int categories() {
        return categories;
    }

    public int tags() {
        return tags;
    }

    public double meanInteractionsPerUser() {
        return meanInteractionsPerUser;
    }

    public double ratingNoise() {
        return ratingNoise;
    }

    public double validFraction() {
        return validFraction;
    }

    public double testFraction() {
        return testFraction;
    }

    public double coldUserFraction() {
        return coldUserFraction;
    }

    /** @return whether users and items get their training interactions as history features */
    public boolean history() {
        return history;
    }

    /**
     * @return the share of users (for {@code user_segment}) and of items (for {@code item_category}
     *     and {@code item_tags}) whose attributes are evaluated, not trained on
     */
    public double attributeHoldout() {
        return attributeHoldout;
    }

    /**
     * @return the share of users and of items, besides the {@code attributeHoldout} ones, whose
     *     attributes form the {@code valid} split's attribute rows (for early stopping and
     *     calibration), not trained on
     */
    public double attributeValid() {
        return attributeValid;
    }

    /** @return the number of users whose attributes validate: {@code round(attributeValid * users)} */
    public int attributeValidUsers() {
        return (int) Math.round(attributeValid * users);
    }

    /** @return the number of items whose attributes validate: {@code round(attributeValid * items)} */
    public int attributeValidItems() {
        return (int) Math.round(attributeValid * items);
    }

    /** @return the number of users held out for attributes: {@code round(attributeHoldout * users)} */
    public int attributeHoldoutUsers() {
        return (int) Math.round(attributeHoldout * users);
    }

    /** @return the number of items held out for attributes: {@code round(attributeHoldout * items)} */
    public int attributeHoldoutItems() {
        return (int) Math.round(attributeHoldout * items);
    }

    /** @return the configured seed, or null to use the experiment's */
    public Long seed() {
        return seed;
    }

    /**
     * @return the extra regression labels: label name to the standard deviation of their own
     *     Gaussian noise around the planted (unrounded) rating signal, in declaration order
     */
    public Map<String, Double> scores() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(scores));
    }

    /** @return the planted conflicting task's settings, or null when no {@code dislike} label is emitted */
    public ConflictConfig conflict() {
        return conflict;
    }

    /** @return the planted opposed-noise pair's settings, or null when no such pair is emitted */
    public OpposedScoresConfig opposedScores() {
        return opposedScores;
    }

    /** @return the planted device context's settings, or null when rows have no device */
    public ContextConfig context() {
        return context;
    }
}
