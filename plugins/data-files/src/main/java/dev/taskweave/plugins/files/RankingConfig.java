package dev.taskweave.plugins.files;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;

/**
 * {@code ranking}: leave-one-out candidate lists on the test split, for HR@K and NDCG@K. Each
 * user with a test row gets one list: that row's item (the latest by timestamp, or a seeded choice
 * without one) and {@code negatives} items drawn from the items with training rows that the user
 * has no row with in any split.
 */
public final class RankingConfig {
    static final int DEFAULT_NEGATIVES = 99;

    @JsonProperty
    private int negatives = DEFAULT_NEGATIVES;

    public RankingConfig() {}

    void validate() {
        if (negatives < 1) {
            throw new InvalidConfigException("negatives", "expected an integer >= 1, got " + negatives);
        }
    }

    /** @return the negatives per list */
    public int negatives() {
        return negatives;
    }
}
