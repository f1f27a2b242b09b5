package dev.taskweave.api.data;

import static java.util.Objects.requireNonNull;

/**
 * Leave-one-out ranking lists: for each user, one held-out positive item and a fixed set of
 * negative items; HR@K and NDCG@K rank the positive among all of them.
 *
 * @param users     user entity index per list
 * @param positives the positive item entity index per list
 * @param negatives the negative item entity indices per list
 */
public record RankingCandidates(int[] users, int[] positives, int[][] negatives) {
    public RankingCandidates {
        requireNonNull(users, "users is null");
        requireNonNull(positives, "positives is null");
        requireNonNull(negatives, "negatives is null");
        if (users.length != positives.length || users.length != negatives.length) {
            throw new IllegalArgumentException("users, positives and negatives differ in length");
        }
    }

    /** @return the number of lists */
    public int size() {
        return users.length;
    }
}
