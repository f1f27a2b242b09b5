package dev.taskweave.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ItemNeighboursTest {
    private static final double EPS = 1e-6;

    /**
     * Four users rate three items; every user's and every item's ratings average the global mean 3,
     * so the biases are 0 and the residuals are the ratings minus 3: users 0 and 2 rate (+1, +1, -2),
     * users 1 and 3 rate (-1, -1, +2). Items 0 and 1 agree (cosine 1 over 4 common raters), item 2
     * opposes both (cosine -1).
     */
    private static final int[] USERS = {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3};
    private static final int[] ITEMS = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2};
    private static final float[] RATINGS = {4, 4, 1, 2, 2, 5, 4, 4, 1, 2, 2, 5};

    @Test
    void scoresAPairFromTheUsersRatingsOfTheItemsNearestNeighbours() {
        ItemNeighbours n = ItemNeighbours.fit(4, 3, USERS, ITEMS, RATINGS, 20, 2, 1, 0);
        // shrink 2 with 4 common raters: 4 / (4 + 2) = 2/3 of the cosine
        assertEquals(2.0 / 3, n.similarity(0, 1), EPS);
        assertEquals(2.0 / 3, n.similarity(1, 0), EPS);
        assertEquals(-2.0 / 3, n.similarity(0, 2), EPS);
        assertEquals(0, n.similarity(1, 1), EPS);
        // user 0 on item 0: its one positive neighbour is item 1 (residual +1): (2/3 * 1) / (2/3 + 1)
        assertEquals(0.4, n.score(0, 0), EPS);
        assertEquals(-0.4, n.score(1, 0), EPS);
        assertEquals(0.4, n.score(2, 1), EPS);
        // item 2's neighbours are both negative: no neighbour, score 0
        assertEquals(0, n.score(0, 2), EPS);
        // outside the tables
        assertEquals(0, n.score(4, 0), EPS);
        assertEquals(0, n.score(0, -1), EPS);
        // each of the 4 users rated 3 items: 3 pairs each
        assertEquals(12, n.pairs());
    }

    @Test
    void aTrainingRowsScoreLeavesItsOwnRatingOutOfTheSimilarities() {
        float[] training = ItemNeighbours.fit(4, 3, USERS, ITEMS, RATINGS, 20, 2, 1, 0).training();
        // row (user 0, item 0): without user 0, items 0 and 1 have 3 common raters whose residuals
        // agree (cosine 1), shrunk by 3 / (3 + 2): s = 0.6; the score is (0.6 * 1) / (0.6 + 1)
        assertEquals(0.375, training[0], EPS);
        assertEquals(0.375, training[1], EPS);
        assertEquals(0, training[2], EPS);
        assertEquals(-0.375, training[3], EPS);
        assertEquals(-0.375, training[10], EPS);
    }

    @Test
    void kReadsOnlyTheMostSimilarNeighbours() {
        // residuals given directly (as a model file holds them): item 0 against items 1 and 2
        // user 0 rated 0 (+1), 1 (+1), 2 (-1); user 1 rated 0 (+1), 1 (+1), 2 (+1); user 2 rated 0 (-1), 1 (-1)
        // item 0 with item 1: 3 common raters, dot 3, squares 3 and 3: cosine 1, shrunk by 3 / (3 + 1) = 0.75
        // item 0 with item 2: 2 common raters, dot 0: cosine 0
        // user 3 rated items 1 (+2) and 2 (+4), not item 0
        ItemNeighbours n = ItemNeighbours.ofResiduals(1, 1, 1, 0, 3, new int[][] {{0, 1, 2}, {0, 1, 2}, {0, 1}, {1, 2}},
                new float[][] {{1, 1, -1}, {1, 1, 1}, {-1, -1}, {2, 4}});
        assertEquals(0.75, n.similarity(0, 1), EPS);
        assertEquals(0, n.similarity(0, 2), EPS);
        // user 3 on item 0: item 1 only (item 2 is not similar): 0.75 * 2 / (0.75 + 1)
        assertEquals(1.5 / 1.75, n.score(3, 0), EPS);
        // item 1 with item 2: common raters 0, 1, 3: dot -1 + 1 + 8 = 8, squares 1 + 1 + 4 = 6 and
        // 1 + 1 + 16 = 18: cosine 8 / sqrt(108), shrunk by 3 / 4
        double s12 = 8 / Math.sqrt(108) * 0.75;
        assertEquals(s12, n.similarity(1, 2), EPS);
        // user 0 on item 1, k = 1: item 0 (0.75) beats item 2 (s12 = 0.577)
        assertTrue(0.75 > s12);
        assertEquals(0.75 * 1 / 1.75, n.score(0, 1), EPS);
        ItemNeighbours two = ItemNeighbours.ofResiduals(2, 1, 1, 0, 3, new int[][] {{0, 1, 2}, {0, 1, 2}, {0, 1}, {1, 2}},
                new float[][] {{1, 1, -1}, {1, 1, 1}, {-1, -1}, {2, 4}});
        assertEquals((0.75 * 1 + s12 * -1) / (0.75 + s12 + 1), two.score(0, 1), EPS);
    }

    @Test
    void withAModelSizeAnItemKeepsOnlyItsMostSimilarItems() throws IOException {
        // the residuals of kReadsOnlyTheMostSimilarNeighbours: item 1 is 0.75 like item 0 and s12 like item 2
        double s12 = 8 / Math.sqrt(108) * 0.75;
        int[][] rated = {{0, 1, 2}, {0, 1, 2}, {0, 1}, {1, 2}};
        float[][] residuals = {{1, 1, -1}, {1, 1, 1}, {-1, -1}, {2, 4}};
        ItemNeighbours one = ItemNeighbours.ofResiduals(2, 1, 1, 1, 3, rated, residuals);
        // item 1 keeps item 0 only; item 2 keeps item 1 (s12 against 0 for item 0)
        assertEquals(0.75, one.similarity(1, 0), EPS);
        assertEquals(0, one.similarity(1, 2), EPS);
        assertEquals(s12, one.similarity(2, 1), EPS);
        assertEquals(0, one.similarity(2, 0), EPS);
        // user 0 on item 1 with k = 2 reads item 0 alone, where every neighbour adds item 2
        assertEquals(0.75 * 1 / 1.75, one.score(0, 1), EPS);
        // user 3 on item 2 reads item 1 (+2): s12 * 2 / (s12 + 1)
        assertEquals(s12 * 2 / (s12 + 1), one.score(3, 2), EPS);
        // user 2 rated items 0 (-1) and 1 (-1); item 2 keeps item 1 alone
        assertEquals(s12 * -1 / (s12 + 1), one.score(2, 2), EPS);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        one.write(new DataOutputStream(bytes));
        ItemNeighbours read = ItemNeighbours.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), "test");
        for (int u = 0; u < 4; u++) {
            for (int i = 0; i < 3; i++) {
                assertEquals(one.score(u, i), read.score(u, i), 0f, "user " + u + ", item " + i);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> ItemNeighbours.ofResiduals(2, 1, 1, -1, 3, rated, residuals));
    }

    @Test
    void severalScoresShareOneFileUnderTheirFeaturesNames() throws IOException {
        ItemNeighbours ratings = ItemNeighbours.fit(4, 3, USERS, ITEMS, RATINGS, 20, 2, 1, 0);
        ItemNeighbours taken = ItemNeighbours.fitImplicit(4, 3, USERS, ITEMS, 20, 2, 1, 2);
        java.util.Map<String, ItemNeighbours> both = new java.util.LinkedHashMap<>();
        both.put("neighbours_rating", ratings);
        both.put("neighbours_observed", taken);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ItemNeighbours.writeAll(both, new DataOutputStream(bytes));
        java.util.Map<String, ItemNeighbours> read = ItemNeighbours.readAll(new DataInputStream(new ByteArrayInputStream(
                bytes.toByteArray())), "test", java.util.List.of("neighbours_observed", "neighbours_rating"));
        for (int u = 0; u < 4; u++) {
            for (int i = 0; i < 3; i++) {
                assertEquals(ratings.score(u, i), read.get("neighbours_rating").score(u, i), 0f);
                assertEquals(taken.score(u, i), read.get("neighbours_observed").score(u, i), 0f);
            }
        }
        IOException e = assertThrows(IOException.class, () -> ItemNeighbours.readAll(new DataInputStream(new ByteArrayInputStream(
                bytes.toByteArray())), "model/neighbours.bin", java.util.List.of("neighbours_rating")));
        assertTrue(e.getMessage().contains("model/neighbours.bin holds the scores of"), e.getMessage());
        // a file of one score, as models wrote it before: it goes to the model's one pair feature
        ByteArrayOutputStream single = new ByteArrayOutputStream();
        ratings.write(new DataOutputStream(single));
        java.util.Map<String, ItemNeighbours> one = ItemNeighbours.readAll(new DataInputStream(new ByteArrayInputStream(
                single.toByteArray())), "test", java.util.List.of("neighbours_rating"));
        assertEquals(ratings.score(0, 0), one.get("neighbours_rating").score(0, 0), 0f);
        e = assertThrows(IOException.class, () -> ItemNeighbours.readAll(new DataInputStream(new ByteArrayInputStream(
                single.toByteArray())), "test", java.util.List.of("neighbours_rating", "neighbours_observed")));
        assertTrue(e.getMessage().contains("holds one neighbourhood score; the model reads 2"), e.getMessage());
    }

    @Test
    void aModelFileWithoutAModelSizeStillReads() throws IOException {
        // the first file format: no model size after lambda
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x54574e31);
        out.writeInt(1);
        out.writeDouble(1);
        out.writeDouble(1);
        out.writeInt(2);
        out.writeInt(2);
        for (int u = 0; u < 2; u++) {
            out.writeInt(2);
            out.writeInt(0);
            out.writeFloat(1);
            out.writeInt(1);
            out.writeFloat(1);
        }
        ItemNeighbours read = ItemNeighbours.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), "test");
        // cosine 1 over 2 common raters, shrunk by 2 / 3; user 0 on item 0 reads item 1 (+1)
        assertEquals(2.0 / 3, read.similarity(0, 1), EPS);
        assertEquals((2.0 / 3) / (2.0 / 3 + 1), read.score(0, 0), EPS);
    }

    /**
     * Every score and every training row's score, with and without a model size, against a
     * direct computation of the definitions (biases, residuals, similarities from scratch for each
     * pair and each left-out rating, kept sets by sorting) on random ratings.
     */
    @Test
    void agreesWithTheDefinitionsOnRandomRatingsAndInteractions() {
        int users = 25;
        int items = 14;
        Rows rows = Rows.random(7, users, items);
        int n = rows.users().length;
        int[] rowUsers = rows.users();
        int[] rowItems = rows.items();
        float[] values = rows.values();
        for (boolean implicit : new boolean[] {false, true}) {
            Reference reference = new Reference(users, items, rowUsers, rowItems, implicit ? null : values, 3, 2.0, 1.0,
                    ItemNeighbours.ITEM_BIAS_RIDGE, ItemNeighbours.USER_BIAS_RIDGE, false);
            for (int modelSize : new int[] {0, 1, 3, items}) {
                ItemNeighbours fitted = implicit ? ItemNeighbours.fitImplicit(users, items, rowUsers, rowItems, 3, 2, 1, modelSize)
                        : ItemNeighbours.fit(users, items, rowUsers, rowItems, values, 3, 2, 1, modelSize);
                assertAgrees(reference, fitted, rowUsers, rowItems, modelSize, (implicit ? "implicit" : "ratings") + ", model size "
                        + modelSize);
            }
        }
        // with every item kept, the scores are those without a model size, to the bit
        ItemNeighbours every = ItemNeighbours.fit(users, items, rowUsers, rowItems, values, 3, 2, 1, 0);
        ItemNeighbours all = ItemNeighbours.fit(users, items, rowUsers, rowItems, values, 3, 2, 1, items);
        assertArrayEquals(every.training(), all.training(), 0f);
        for (int u = 0; u < users; u++) {
            for (int i = 0; i < items; i++) {
                assertEquals(every.score(u, i), all.score(u, i), 0f);
            }
        }
    }

    private static void assertAgrees(Reference reference, ItemNeighbours fitted, int[] rowUsers, int[] rowItems, int modelSize,
            String what) {
        float[] training = fitted.training();
        for (int r = 0; r < rowUsers.length; r++) {
            assertEquals(reference.score(rowUsers[r], rowItems[r], rowUsers[r], modelSize), training[r], 1e-5,
                    "training row " + r + ", " + what);
        }
        for (int u = 0; u < fitted.users(); u++) {
            for (int i = 0; i < fitted.items(); i++) {
                assertEquals(reference.score(u, i, -1, modelSize), fitted.score(u, i), 1e-5, "user " + u + ", item " + i + ", " + what);
            }
        }
    }

    @Test
    void userBasedScoresReadHowTheMostSimilarUsersRatedTheItem() {
        ItemNeighbours n = ItemNeighbours.fitOfUsers(4, 3, USERS, ITEMS, RATINGS, false, 20, 2, 1, 0);
        assertTrue(n.ofUsers());
        assertEquals(4, n.users());
        assertEquals(3, n.items());
        // users 0 and 2 have the residuals (+1, +1, -2) on 3 common items: cosine 1, shrunk by 3 / (3 + 2)
        assertEquals(0.6, n.similarity(0, 2), EPS);
        assertEquals(-0.6, n.similarity(0, 1), EPS);
        // user 0 on item 0: its one positive neighbour among the item's raters is user 2 (residual +1): 0.6 / (0.6 + 1)
        assertEquals(0.375, n.score(0, 0), EPS);
        assertEquals(-0.375, n.score(1, 0), EPS);
        // item 2: user 2 rated it 2 below the mean
        assertEquals(0.6 * -2 / 1.6, n.score(0, 2), EPS);
        assertEquals(0, n.score(4, 0), EPS);
        assertEquals(0, n.score(0, 3), EPS);
        // row (user 0, item 0) without its rating: users 0 and 2 share items 1 and 2, (+1, -2) each:
        // cosine 1 shrunk by 2 / (2 + 2) = 0.5; the score is (0.5 * 1) / (0.5 + 1)
        float[] training = n.training();
        assertEquals(1.0 / 3, training[0], EPS);
        assertEquals(-1.0 / 3, training[3], EPS);
        // each of the 3 items has 4 raters: 6 pairs each
        assertEquals(18, n.pairs());
    }

    @Test
    void userBasedScoresAgreeWithTheDefinitionsWithUsersAndItemsExchanged() {
        int users = 16;
        int items = 23;
        Rows rows = Rows.random(11, users, items);
        int n = rows.users().length;
        int[] rowUsers = rows.users();
        int[] rowItems = rows.items();
        float[] values = rows.values();
        for (boolean implicit : new boolean[] {false, true}) {
            // the item-based definitions on the transposed table: items rate users; each bias keeps its entity's
            // ridge, and the items' biases are fitted first (the residuals are the item-based score's)
            Reference reference = new Reference(items, users, rowItems, rowUsers, implicit ? null : values, 3, 2.0, 1.0,
                    ItemNeighbours.USER_BIAS_RIDGE, ItemNeighbours.ITEM_BIAS_RIDGE, true);
            for (int modelSize : new int[] {0, 1, 3, users}) {
                ItemNeighbours fitted = ItemNeighbours.fitOfUsers(users, items, rowUsers, rowItems, implicit ? null : values, implicit,
                        3, 2, 1, modelSize);
                String what = (implicit ? "implicit" : "ratings") + ", model size " + modelSize;
                float[] training = fitted.training();
                for (int r = 0; r < n; r++) {
                    assertEquals(reference.score(rowItems[r], rowUsers[r], rowItems[r], modelSize), training[r], 1e-5,
                            "training row " + r + ", " + what);
                }
                for (int u = 0; u < users; u++) {
                    for (int i = 0; i < items; i++) {
                        assertEquals(reference.score(i, u, -1, modelSize), fitted.score(u, i), 1e-5,
                                "user " + u + ", item " + i + ", " + what);
                    }
                }
            }
        }
    }

    @Test
    void aUserBasedModelFileReadsBackAsOneAndAnItemBasedOneKeepsItsFormat() throws IOException {
        ItemNeighbours fitted = ItemNeighbours.fitOfUsers(4, 3, USERS, ITEMS, RATINGS, false, 20, 2, 1, 2);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        fitted.write(new DataOutputStream(bytes));
        ItemNeighbours read = ItemNeighbours.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), "test");
        assertTrue(read.ofUsers());
        assertEquals(4, read.users());
        assertEquals(3, read.items());
        for (int u = 0; u < 4; u++) {
            for (int i = 0; i < 3; i++) {
                assertEquals(fitted.score(u, i), read.score(u, i), 0f, "user " + u + ", item " + i);
            }
        }
        // "TWN3" for a neighbourhood of users; one of items is written as before ("TWN2"), which earlier releases read
        assertEquals(0x54574e33, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())).readInt());
        ByteArrayOutputStream items = new ByteArrayOutputStream();
        ItemNeighbours.fit(4, 3, USERS, ITEMS, RATINGS, 20, 2, 1, 0).write(new DataOutputStream(items));
        assertEquals(0x54574e32, new DataInputStream(new ByteArrayInputStream(items.toByteArray())).readInt());
        assertEquals(false, ItemNeighbours.read(new DataInputStream(new ByteArrayInputStream(items.toByteArray())), "test").ofUsers());
        // the bound without a model size is on the users a user-based neighbourhood compares
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ItemNeighbours.fitOfUsers(
                ItemNeighbours.MAX_ITEMS + 1, 3, USERS, ITEMS, RATINGS, false, 20, 2, 1, 0));
        assertTrue(e.getMessage().contains((ItemNeighbours.MAX_ITEMS + 1) + " users"), e.getMessage());
        ItemNeighbours.fitOfUsers(4, ItemNeighbours.MAX_ITEMS + 1, USERS, ITEMS, RATINGS, false, 20, 2, 1, 0);
    }

    @Test
    void implicitScoresReadTheBinaryCosinesOfWhoInteractedWithWhat() {
        // user 0 took items 0 and 1, user 1 items 0, 1 and 2, user 2 items 1 and 2; shrink 0
        int[] users = {0, 0, 1, 1, 1, 2, 2};
        int[] items = {0, 1, 0, 1, 2, 1, 2};
        ItemNeighbours n = ItemNeighbours.fitImplicit(3, 3, users, items, 20, 0, 1, 0);
        // n_0 = 2, n_1 = 3, n_2 = 2; n_01 = 2, n_02 = 1, n_12 = 2
        assertEquals(2 / Math.sqrt(6), n.similarity(0, 1), EPS);
        assertEquals(0.5, n.similarity(0, 2), EPS);
        assertEquals(2 / Math.sqrt(6), n.similarity(2, 1), EPS);
        // user 2 on item 0: S = s01 + s02, score S / (S + 1)
        double s = 2 / Math.sqrt(6) + 0.5;
        assertEquals(s / (s + 1), n.score(2, 0), EPS);
        float[] training = n.training();
        // row (user 0, item 0) without itself: n_0 = 1, n_01 = 1: s = 1 / sqrt(3), score s / (s + 1)
        double left = 1 / Math.sqrt(3);
        assertEquals(left / (left + 1), training[0], EPS);
        // row (user 1, item 2): n_2 = 1, n_02 = 0, n_12 = 1: the same
        assertEquals(left / (left + 1), training[4], EPS);
    }

    /** Training rows: each (user, item) pair with probability 0.45, in random order, rated 1 to 5 at random. */
    private record Rows(int[] users, int[] items, float[] values) {
        static Rows random(long seed, int users, int items) {
            java.util.Random random = new java.util.Random(seed);
            java.util.List<int[]> pairs = new java.util.ArrayList<>();
            for (int u = 0; u < users; u++) {
                for (int i = 0; i < items; i++) {
                    if (random.nextDouble() < 0.45) {
                        pairs.add(new int[] {u, i});
                    }
                }
            }
            java.util.Collections.shuffle(pairs, random);
            int n = pairs.size();
            Rows rows = new Rows(new int[n], new int[n], new float[n]);
            for (int r = 0; r < n; r++) {
                rows.users[r] = pairs.get(r)[0];
                rows.items[r] = pairs.get(r)[1];
                rows.values[r] = 1 + random.nextInt(5);
            }
            return rows;
        }
    }

    /** The definitions of {@link ItemNeighbours}, computed directly in doubles. */
    private static final class Reference {
        private final double[][] residual; // NaN where not rated
        private final boolean implicit;
        private final int k;
        private final double shrink;
        private final double lambda;

        /**
         * @param values    null: implicit, every row an interaction of residual 1
         * @param itemRidge the ridge penalty of the biases of {@code items}
         * @param userRidge the ridge penalty of the biases of {@code users}
         * @param usersFirst whether each round of the biases starts with those of {@code users}
         */
        Reference(int users, int items, int[] rowUsers, int[] rowItems, float[] values, int k, double shrink, double lambda,
                double itemRidge, double userRidge, boolean usersFirst) {
            this.implicit = values == null;
            this.k = k;
            this.shrink = shrink;
            this.lambda = lambda;
            double[][] rating = new double[users][items];
            for (double[] row : rating) {
                java.util.Arrays.fill(row, Double.NaN);
            }
            double mu = 0;
            for (int r = 0; r < rowUsers.length; r++) {
                rating[rowUsers[r]][rowItems[r]] = implicit ? 1 : values[r];
                mu += implicit ? 0 : values[r];
            }
            mu /= rowUsers.length;
            double[] bu = new double[users];
            double[] bi = new double[items];
            for (int step = 0; step < (implicit ? 0 : 30); step++) {
                if (step % 2 == (usersFirst ? 0 : 1)) {
                    for (int u = 0; u < users; u++) {
                        double sum = 0;
                        int count = 0;
                        for (int i = 0; i < items; i++) {
                            if (!Double.isNaN(rating[u][i])) {
                                sum += rating[u][i] - mu - bi[i];
                                count++;
                            }
                        }
                        bu[u] = sum / (count + userRidge);
                    }
                } else {
                    for (int i = 0; i < items; i++) {
                        double sum = 0;
                        int count = 0;
                        for (int u = 0; u < users; u++) {
                            if (!Double.isNaN(rating[u][i])) {
                                sum += rating[u][i] - mu - bu[u];
                                count++;
                            }
                        }
                        bi[i] = sum / (count + itemRidge);
                    }
                }
            }
            residual = new double[users][items];
            for (int u = 0; u < users; u++) {
                for (int i = 0; i < items; i++) {
                    residual[u][i] = implicit ? rating[u][i] : rating[u][i] - mu - bu[u] - bi[i];
                }
            }
        }

        /** The similarity of two items over their common raters other than {@code without} (-1: none); NaN when they share none. */
        double similarity(int i, int j, int without) {
            double dot = 0;
            double a = 0;
            double b = 0;
            int common = 0;
            boolean shared = false;
            for (int u = 0; u < residual.length; u++) {
                if (Double.isNaN(residual[u][i]) || Double.isNaN(residual[u][j])) {
                    continue;
                }
                shared = true;
                if (u == without) {
                    continue;
                }
                dot += residual[u][i] * residual[u][j];
                a += residual[u][i] * residual[u][i];
                b += residual[u][j] * residual[u][j];
                common++;
            }
            if (!shared) {
                return Double.NaN;
            }
            if (implicit) {
                // without: that user's interaction with i alone is left out (i has one user fewer)
                int usersOfI = 0;
                int usersOfJ = 0;
                for (int u = 0; u < residual.length; u++) {
                    usersOfI += !Double.isNaN(residual[u][i]) && u != without ? 1 : 0;
                    usersOfJ += !Double.isNaN(residual[u][j]) ? 1 : 0;
                }
                return common == 0 || usersOfI == 0 ? 0 : common / Math.sqrt((double) usersOfI * usersOfJ) * common / (common + shrink);
            }
            return common == 0 || a <= 1e-12 || b <= 1e-12 ? 0 : dot / Math.sqrt(a * b) * common / (common + shrink);
        }

        /**
         * The score of (u, i); {@code without}: the user whose ratings are left out of the
         * similarities, those that decide which items {@code i} keeps included (-1: none).
         */
        double score(int u, int i, int without, int modelSize) {
            int items = residual[0].length;
            java.util.List<Integer> keep = new java.util.ArrayList<>();
            for (int j = 0; j < items; j++) {
                if (j != i && !Double.isNaN(similarity(i, j, -1))) {
                    keep.add(j);
                }
            }
            keep.sort((x, y) -> {
                float sx = (float) similarity(i, x, without);
                float sy = (float) similarity(i, y, without);
                return sx != sy ? Float.compare(sy, sx) : Integer.compare(x, y);
            });
            if (modelSize > 0 && keep.size() > modelSize) {
                keep = keep.subList(0, modelSize);
            }
            java.util.List<double[]> neighbours = new java.util.ArrayList<>();
            for (int j : keep) {
                double s = similarity(i, j, without);
                if (!Double.isNaN(residual[u][j]) && s > 0) {
                    neighbours.add(new double[] {s, residual[u][j], j});
                }
            }
            neighbours.sort((x, y) -> x[0] != y[0] ? Double.compare(y[0], x[0]) : Double.compare(x[2], y[2]));
            double weighted = 0;
            double total = 0;
            for (int c = 0; c < Math.min(k, neighbours.size()); c++) {
                weighted += neighbours.get(c)[0] * neighbours.get(c)[1];
                total += neighbours.get(c)[0];
            }
            return weighted / (total + lambda);
        }
    }

    @Test
    void rowsWithoutAValueAreLeftOutAndScoredAsPairs() {
        float[] ratings = RATINGS.clone();
        int[] users = java.util.Arrays.copyOf(USERS, 13);
        int[] items = java.util.Arrays.copyOf(ITEMS, 13);
        float[] values = java.util.Arrays.copyOf(ratings, 13);
        // a 13th row: user 0 again on item 0, without a rating
        users[12] = 0;
        items[12] = 0;
        values[12] = Float.NaN;
        ItemNeighbours n = ItemNeighbours.fit(4, 3, users, items, values, 20, 2, 1, 0);
        float[] training = n.training();
        assertTrue(Float.isNaN(training[12]));
        assertEquals(0.375, training[0], EPS);
        assertEquals(0.4, n.score(0, 0), EPS);
    }

    @Test
    void aPairRatedTwiceCountsItsLastRating() {
        // user 0 first rated item 0 with 1, then with 4 (the fixture's value)
        int[] users = new int[13];
        int[] items = new int[13];
        float[] values = new float[13];
        users[0] = 0;
        items[0] = 0;
        values[0] = 1;
        System.arraycopy(USERS, 0, users, 1, 12);
        System.arraycopy(ITEMS, 0, items, 1, 12);
        System.arraycopy(RATINGS, 0, values, 1, 12);
        ItemNeighbours n = ItemNeighbours.fit(4, 3, users, items, values, 20, 2, 1, 0);
        assertEquals(0.4, n.score(1, 0) * -1, EPS);
        float[] training = n.training();
        assertEquals(0.375, training[0], EPS);
        assertEquals(0.375, training[1], EPS);
        // the pair counts once
        assertEquals(12, n.pairs());
    }

    @Test
    void residualsAreTakenFromRidgeBiases() {
        // everyone rates item 1 one star above the fixture: the mean is 40 / 12 = 3.3333; every
        // user's ratings sum to 10 = 3 * mean, so the user biases stay 0, and item 1's bias is
        // (2 * (5 - 3.3333) + 2 * (3 - 3.3333)) / (4 + 25) = 0.09195, items 0's and 2's -0.04598.
        // Residuals of items 0 and 1 for users 0 and 2: 4 - 3.3333 + 0.04598 = 0.71264 and
        // 5 - 3.3333 - 0.09195 = 1.57471; for users 1 and 3: -1.28736 and -0.42529. Their cosine:
        // 2 (0.71264 * 1.57471 + 1.28736 * 0.42529) / sqrt(2 (0.71264^2 + 1.28736^2) * 2 (1.57471^2 + 0.42529^2))
        // = 3.33939 / 4.80025 = 0.69567, shrunk by 4 / 6: 0.46378
        float[] shifted = RATINGS.clone();
        for (int r = 0; r < shifted.length; r++) {
            if (ITEMS[r] == 1) {
                shifted[r] += 1;
            }
        }
        ItemNeighbours n = ItemNeighbours.fit(4, 3, USERS, ITEMS, shifted, 20, 2, 1, 0);
        assertEquals(0.46378, n.similarity(0, 1), 1e-5);
        // user 0 on item 0 reads item 1's residual 1.57471: 0.46378 * 1.57471 / 1.46378
        assertEquals(0.46378 * 1.57471 / 1.46378, n.score(0, 0), 1e-5);
    }

    @Test
    void aModelFileRecomputesTheSameScores() throws IOException {
        ItemNeighbours fitted = ItemNeighbours.fit(4, 3, USERS, ITEMS, RATINGS, 20, 2, 1, 0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        fitted.write(new DataOutputStream(bytes));
        ItemNeighbours read = ItemNeighbours.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), "test");
        for (int u = 0; u < 4; u++) {
            for (int i = 0; i < 3; i++) {
                assertEquals(fitted.score(u, i), read.score(u, i), 0f, "user " + u + ", item " + i);
                assertEquals(fitted.similarity(u % 3, i), read.similarity(u % 3, i), 0f);
            }
        }
        assertThrows(IllegalStateException.class, read::training);
        byte[] damaged = bytes.toByteArray();
        damaged[0] = 0;
        IOException e = assertThrows(IOException.class,
                () -> ItemNeighbours.read(new DataInputStream(new ByteArrayInputStream(damaged)), "model/neighbours.bin"));
        assertTrue(e.getMessage().contains("model/neighbours.bin"), e.getMessage());
    }

    @Test
    void refusesBadSettingsAndRowsOutsideTheTables() {
        assertThrows(IllegalArgumentException.class, () -> ItemNeighbours.fit(4, 3, USERS, ITEMS, RATINGS, 0, 2, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> ItemNeighbours.fit(4, 3, USERS, ITEMS, RATINGS, 20, -1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> ItemNeighbours.fit(4, 3, USERS, ITEMS, RATINGS, 20, 2, 0, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ItemNeighbours.fit(3, 3, USERS, ITEMS, RATINGS, 20, 2, 1, 0));
        assertTrue(e.getMessage().contains("training row 9"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ItemNeighbours.fit(4, ItemNeighbours.MAX_ITEMS + 1, USERS, ITEMS,
                RATINGS, 20, 2, 1, 0));
        assertTrue(e.getMessage().contains("at most " + ItemNeighbours.MAX_ITEMS), e.getMessage());
    }

    @Test
    void trainingScoresAreACopy() {
        ItemNeighbours n = ItemNeighbours.fit(4, 3, USERS, ITEMS, RATINGS, 20, 2, 1, 0);
        float[] first = n.training();
        first[0] = 99;
        assertArrayEquals(new float[] {0.375f}, new float[] {n.training()[0]}, 1e-6f);
    }
}
