package dev.taskweave.plugins.movielens;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.ValidatedConfig;

/**
 * The {@code data.params} of the {@code movielens} source. {@code directory} is required; at most
 * one of {@code benchmark} and {@code fold} chooses the split mode; with neither, u.data is split
 * at random by {@code validFraction} and {@code testFraction}. {@code attributeHoldout} holds out
 * a seeded share of users (and, outside benchmark mode, of items) whose attributes are evaluated
 * rather than trained on.
 */
public final class MovieLensConfig implements ValidatedConfig {
    static final double DEFAULT_VALID_FRACTION = 0.1;
    static final double DEFAULT_TEST_FRACTION = 0.1;
    /** The largest {@code attributeHoldout}. */
    static final double MAX_ATTRIBUTE_HOLDOUT = 0.5;
    /** The largest {@code recentRatings}. */
    static final int MAX_RECENT_RATINGS = 10_000;
    static final int MAX_VALID_RANKING_NEGATIVES = 1_000;

    @JsonProperty
    private String directory;
    @JsonProperty
    private String benchmark;
    @JsonProperty
    private String fold;
    @JsonProperty
    private double validFraction = DEFAULT_VALID_FRACTION;
    @JsonProperty
    private double testFraction = DEFAULT_TEST_FRACTION;
    @JsonProperty
    private double attributeHoldout;
    @JsonProperty
    private double genreValidFraction;
    @JsonProperty
    private GenreValidFeatures genreValidFeatures = GenreValidFeatures.HIDDEN;
    @JsonProperty
    private Long seed;
    @JsonProperty
    private History history = History.NONE;
    @JsonProperty
    private History userHistory;
    @JsonProperty
    private History itemHistory;
    @JsonProperty
    private int recentRatings;
    @JsonProperty
    private int validRankings;

    public MovieLensConfig() {}

    /** Whether users and items get their training interactions as features. */
    public enum History {
        /** No history features. */
        @com.fasterxml.jackson.annotation.JsonProperty("none") NONE,
        /**
         * {@code user_history}: the items the user rated in the training split, a multi-hot vector
         * divided by their count (the mean of their embeddings, SVD++-style implicit feedback); {@code item_history}: the users
         * who rated the item, the same way.
         */
        @com.fasterxml.jackson.annotation.JsonProperty("implicit") IMPLICIT,
        /** As {@code implicit}, with each entry the rating minus the training mean instead of 1. */
        @com.fasterxml.jackson.annotation.JsonProperty("ratings") RATINGS
    }

    /** Whether the {@code genreValidFraction} items keep their genres as a feature. */
    public enum GenreValidFeatures {
        /**
         * Their {@code item_genres} feature is all zero, as for the benchmark's genre-hidden items:
         * the validation rows then look like the test's in every model.
         */
        @com.fasterxml.jackson.annotation.JsonProperty("hidden") HIDDEN,
        /**
         * Their {@code item_genres} feature stays for the other tasks' rows (only the genre task's
         * labels are held out). The genre task's own rows never read it (it is their label); a
         * model whose genre rows also hide {@code item_id} ({@code hideFeatures}) reads nothing of
         * the item there that was trained with its genres, and the other tasks keep the feature.
         */
        @com.fasterxml.jackson.annotation.JsonProperty("visible") VISIBLE
    }

    /** How the rows are split into train, valid and test. */
    public enum SplitMode {
        /** The fixed ml100k-mtl benchmark files. */
        BENCHMARK,
        /** One of MovieLens's canonical folds, u1 to u5, with valid carved from the base file. */
        FOLD,
        /** A seeded random split of u.data. */
        RANDOM
    }

    @Override
    public void validate() {
        if (directory == null || directory.isBlank()) {
            throw new InvalidConfigException("directory", "required: the ml-100k directory holding u.data, u.user, "
                    + "u.item, u.genre and u.occupation");
        }
        if (benchmark != null && fold != null) {
            throw new InvalidConfigException("fold", "benchmark and fold are both set: choose one split mode "
                    + "(benchmark, fold, or neither for a random split of u.data)");
        }
        if (benchmark != null && benchmark.isBlank()) {
            throw new InvalidConfigException("benchmark", "expected the path of the ml100k-mtl directory, found an empty string");
        }
        if (fold != null && !fold.matches("u[1-5]")) {
            throw new InvalidConfigException("fold", "expected one of u1, u2, u3, u4, u5, found '" + fold + "'");
        }
        if (!(validFraction >= 0 && validFraction < 1)) {
            throw new InvalidConfigException("validFraction", "expected a fraction in [0, 1), got " + validFraction);
        }
        if (!(testFraction >= 0 && testFraction < 1)) {
            throw new InvalidConfigException("testFraction", "expected a fraction in [0, 1), got " + testFraction);
        }
        SplitMode mode = splitMode();
        if (mode == SplitMode.RANDOM && validFraction + testFraction >= 1) {
            throw new InvalidConfigException("testFraction", "validFraction + testFraction must be below 1, got "
                    + validFraction + " + " + testFraction);
        }
        if (mode == SplitMode.BENCHMARK && validFraction != DEFAULT_VALID_FRACTION) {
            throw new InvalidConfigException("validFraction", "not used with benchmark: its valid.tsv is the valid split");
        }
        if (mode != SplitMode.RANDOM && testFraction != DEFAULT_TEST_FRACTION) {
            throw new InvalidConfigException("testFraction", "only used by the random split: with "
                    + (mode == SplitMode.BENCHMARK ? "benchmark the test files" : "fold the uN.test file") + " are the test split");
        }
        if (!(attributeHoldout >= 0 && attributeHoldout <= MAX_ATTRIBUTE_HOLDOUT)) {
            throw new InvalidConfigException("attributeHoldout", "expected a fraction in [0, " + MAX_ATTRIBUTE_HOLDOUT
                    + "], got " + attributeHoldout);
        }
        if (!(genreValidFraction >= 0 && genreValidFraction <= MAX_ATTRIBUTE_HOLDOUT)) {
            throw new InvalidConfigException("genreValidFraction", "expected a fraction in [0, " + MAX_ATTRIBUTE_HOLDOUT
                    + "], got " + genreValidFraction);
        }
        if (genreValidFeatures == null) {
            throw new InvalidConfigException("genreValidFeatures", "expected hidden or visible");
        }
        if (recentRatings < 0 || recentRatings > MAX_RECENT_RATINGS) {
            throw new InvalidConfigException("recentRatings", "expected how many of a user's latest ratings to average, from 1 to "
                    + MAX_RECENT_RATINGS + " (0: no such feature), got " + recentRatings);
        }
        if (history == null) {
            throw new InvalidConfigException("history", "expected none, implicit or ratings");
        }
        if (validRankings < 0 || validRankings > MAX_VALID_RANKING_NEGATIVES) {
            throw new InvalidConfigException("validRankings", "expected the number of negatives per validation ranking list, from 1"
                    + " to " + MAX_VALID_RANKING_NEGATIVES + " (99 as rank_candidates.tsv; 0: no lists), got " + validRankings);
        }
        if (validRankings > 0 && mode != SplitMode.BENCHMARK) {
            throw new InvalidConfigException("validRankings", "only with benchmark: the other split modes have no ranking lists");
        }
        if (mode == SplitMode.BENCHMARK && seed != null && attributeHoldout == 0 && genreValidFraction == 0 && validRankings == 0) {
            throw new InvalidConfigException("seed", "not used with benchmark: its splits are fixed files (a seed only "
                    + "chooses the attributeHoldout users, the genreValidFraction items and the validRankings lists there)");
        }
    }

    /** @return the split mode these values choose */
    public SplitMode splitMode() {
        return benchmark != null ? SplitMode.BENCHMARK : fold != null ? SplitMode.FOLD : SplitMode.RANDOM;
    }

    /** @return the ml-100k directory, relative to the experiment file or absolute */
    public String directory() {
        return directory;
    }

    /** @return the ml100k-mtl directory, or null */
    public String benchmark() {
        return benchmark;
    }

    /** @return the canonical fold (u1..u5), or null */
    public String fold() {
        return fold;
    }

    public double validFraction() {
        return validFraction;
    }

    public double testFraction() {
        return testFraction;
    }

    /**
     * @return the share of users (all modes) and items (fold and random modes) whose attributes are
     *     held out for evaluation under the split {@code attribute_test}; 0 holds out none
     */
    public double attributeHoldout() {
        return attributeHoldout;
    }

    /**
     * @return the share of the items with training ratings and visible genres whose genres are held
     *     out as the {@code valid} split's genre rows (their feature as {@link #genreValidFeatures}); 0
     *     holds out none
     */
    public double genreValidFraction() {
        return genreValidFraction;
    }

    /** @return whether the {@code genreValidFraction} items keep their {@code item_genres} feature */
    public GenreValidFeatures genreValidFeatures() {
        return genreValidFeatures;
    }

    /**
     * @return with {@code recentRatings: k > 0}, the feature {@code user_recent_rating}: on each
     *     rating, the mean of the user's {@code k} latest training ratings before it minus the mean
     *     of all the user's training ratings (but the rating itself, on a training row); for
     *     serving, the value after the user's last training rating; 0 for none
     */
    public int recentRatings() {
        return recentRatings;
    }

    /**
     * @return with {@code validRankings: n > 0} (benchmark mode), the {@code valid} split's ranking
     *     lists: per user with a validation rating, one of them as the positive and {@code n}
     *     negatives drawn from the items with training ratings the user rated in neither
     *     {@code train} nor {@code valid} (the test files are not read for them), so that ranking
     *     metrics can choose settings on validation as {@code rank_candidates.tsv} scores them on
     *     test; 0 for none
     */
    public int validRankings() {
        return validRankings;
    }

    /** @return the history features to add, for both sides unless one is overridden */
    public History history() {
        return history;
    }

    /** @return the user side's history: {@code userHistory} when set, else {@code history} */
    public History userHistory() {
        return userHistory != null ? userHistory : history;
    }

    /** @return the item side's history: {@code itemHistory} when set, else {@code history} */
    public History itemHistory() {
        return itemHistory != null ? itemHistory : history;
    }

    /** @return the configured seed, or null to use the experiment's */
    public Long seed() {
        return seed;
    }
}
