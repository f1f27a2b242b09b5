package dev.taskweave.core.data;

import static java.util.Objects.requireNonNull;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Item-based neighbourhood scores ({@code features.neighbours}): for a user {@code u} and an item
 * {@code i}, how {@code u} rated the items most like {@code i}, relative to what biases predict.
 * This is the item-item k-nearest-neighbour model on baseline residuals (Sarwar et al. 2001; Koren
 * 2008, section 2.2), read by the model as one number per (user, item) pair, a signal that
 * factorised embeddings smooth away: a user's taste for the close neighbours of a film.
 *
 * <p>Fitted on the training interactions with a value (a rating): biases {@code mu + b_u + b_i}
 * by ridge regression ({@value #ITEM_BIAS_RIDGE} on items, {@value #USER_BIAS_RIDGE} on users,
 * alternating), residuals {@code e_uj = r_uj - mu - b_u - b_j}, and between two items the cosine
 * of their residuals over the users who rated both, shrunk towards 0 by the number of those users
 * {@code n}: {@code s_ij = n / (n + shrink) * sum e_ui e_uj / sqrt(sum e_ui^2 * sum e_uj^2)}. The
 * score of {@code (u, i)} takes the {@code k} items {@code u} rated with the largest positive
 * similarity to {@code i} ({@code i} itself excluded):
 * {@code sum s_ij e_uj / (sum s_ij + lambda)}; 0 when there is none.
 *
 * <p>A training row's own rating is part of the similarities it would read, and the neighbours it
 * picks would be picked partly because they agree with it; a model trained on such values leans on
 * them and loses on every other row (on ml100k-mtl, 3 seeds: test RMSE 0.8851 against 0.8746 left out).
 * So each training row gets its score with its own rating left out of every similarity it reads
 * ({@link #training()}): as a pair the model has not seen reads it. Every other pair (validation
 * and test rows, sampled negatives, ranking candidates, served requests) reads {@link #score}.
 *
 * <p>{@link #fitImplicit} fits the same neighbourhood on interactions without values (implicit
 * feedback): every residual is 1 and similarities are the cosines of the items' binary vectors of
 * users.
 *
 * <p>{@link #fitOfUsers} fits the user-based neighbourhood ({@code by: users}): the same model with
 * the roles of users and items exchanged, held transposed; {@link #score} takes (user, item) either
 * way, and the file records which it is.
 *
 * <p>Without a model size, every similarity is held, as an {@code items x items} matrix of floats,
 * so the catalogue is limited to {@value #MAX_ITEMS} items. With a model size {@code L} (the
 * neighbourhood "model size" of item-item recommenders such as LensKit's), each item keeps only
 * the {@code L} most similar of the items that share a rater with it (ties to the lower index), in
 * memory of the order of {@code items x L}: a pair {@code (u, i)} then reads the {@code k} most
 * similar of the items {@code u} rated among those {@code i} keeps, and a training row reads those
 * {@code i} would keep without its rating, at their similarities without it: kept sets chosen with
 * the row's rating favour the neighbours that agree with it, the same leak (on ml100k-mtl, keeping
 * 50 per item, 3 seeds: test RMSE 0.8874 and like AUC 0.8072, against 0.8748 and 0.8136 with every
 * neighbour). With {@code L} at least the number of items sharing a rater with any item, every
 * score is the one without a model size. Similarities are recomputed from the residuals when a
 * model is loaded (the file holds only the settings and the residuals, per user). Immutable and
 * safe for concurrent reads.
 */
public final class ItemNeighbours {
    /** The most items whose similarities are held without a model size (a dense {@code items x items} float matrix). */
    public static final int MAX_ITEMS = 10_000;
    /** Ridge penalty of the item biases. */
    static final double ITEM_BIAS_RIDGE = 25;
    /** Ridge penalty of the user biases. */
    static final double USER_BIAS_RIDGE = 10;
    private static final int BIAS_ITERATIONS = 15;
    private static final int MAGIC_V1 = 0x54574e31; // "TWN1": without a model size
    private static final int MAGIC = 0x54574e32; // "TWN2": the model size and whether implicit after lambda
    private static final int MAGIC_V3 = 0x54574e33; // "TWN3": TWN2, then whether the neighbourhood is of users
    private static final int MAGIC_SET = 0x54574e53; // "TWNS": a count, then each score's feature name and its file

    private final int k;
    private final double shrink;
    private final double lambda;
    /** How many neighbours each item keeps; 0: every one ({@link #similarity} is dense). */
    private final int modelSize;
    /** Fitted on interactions alone ({@link #fitImplicit}): every residual is 1, similarities are binary cosines. */
    private final boolean implicit;
    /**
     * A neighbourhood of users ({@link #fitOfUsers}): every field below is held transposed, users
     * as items and items as users, and {@link #score} swaps its arguments.
     */
    private final boolean ofUsers;
    private final int users;
    private final int items;
    /** Per user, the items they rated in training, ascending. */
    private final int[][] rated;
    /** Per user, the residual of each of {@link #rated}. */
    private final float[][] residuals;
    /** {@code items x items}, row-major; 0 on the diagonal and where no user rated both; null with a model size. */
    private final float[] similarity;
    /** With a model size, per item, the items it keeps, ascending; null without. */
    private final int[][] kept;
    /** With a model size, per item, the similarity of each of {@link #kept}; null without. */
    private final float[][] keptSimilarity;
    /** Per training row, its score with its own rating left out; NaN for a row without a value; null once loaded. */
    private final float[] training;

    private ItemNeighbours(int k, double shrink, double lambda, int modelSize, boolean implicit, boolean ofUsers, int users,
            int items, int[][] rated, float[][] residuals, int[] trainUsers, int[] trainItems) {
        this.k = k;
        this.shrink = shrink;
        this.lambda = lambda;
        this.modelSize = modelSize;
        this.implicit = implicit;
        this.ofUsers = ofUsers;
        this.users = users;
        this.items = items;
        this.rated = rated;
        this.residuals = residuals;
        this.similarity = modelSize == 0 ? new float[Math.multiplyExact(items, items)] : null;
        this.kept = modelSize == 0 ? null : new int[items][];
        this.keptSimilarity = modelSize == 0 ? null : new float[items][];
        this.training = trainUsers == null ? null : new float[trainUsers.length];
        pass(trainUsers, trainItems);
    }

    /**
     * @param users      the number of users
     * @param items      the number of items
     * @param trainUsers per training row, its user's index
     * @param trainItems per training row, its item's index
     * @param values     per training row, its value (a rating); NaN for a row without one, which is
     *                   left out of the fit
     * @param k          how many neighbours a score reads, at least 1
     * @param shrink     how many common raters make a similarity count half, at least 0
     * @param lambda     added to the sum of the neighbours' similarities, above 0: with few or
     *                   barely similar neighbours the score stays near 0
     * @param modelSize  how many of its most similar items each item keeps; 0: every one (for at
     *                   most {@value #MAX_ITEMS} items)
     * @throws IllegalArgumentException if an index is out of range or a setting is invalid
     */
    public static ItemNeighbours fit(int users, int items, int[] trainUsers, int[] trainItems, float[] values, int k,
            double shrink, double lambda, int modelSize) {
        requireNonNull(values, "values is null");
        return fit(users, items, trainUsers, trainItems, values, k, shrink, lambda, modelSize, false, false);
    }

    /**
     * The user-based neighbourhood (user-user k nearest neighbours on the same baseline residuals):
     * between two users the shrunk cosine of their residuals over the items both rated, and the
     * score of {@code (u, i)} reads the {@code k} users who rated {@code i} with the largest positive
     * similarity to {@code u}: {@code sum s_uv e_vi / (sum s_uv + lambda)}. It is {@link #fit} with
     * the roles of users and items exchanged (each bias keeps its own ridge penalty), and so are a
     * training row's score with its own rating left out and the model size (how many of its most
     * similar users each user keeps; without one, for at most {@value #MAX_ITEMS} users). The
     * biases are fitted as {@link #fit} fits them (the items' first), so the residuals are its own.
     *
     * @param implicit fitted on the interactions alone, as {@link #fitImplicit} ({@code values} is
     *                 then ignored and may be null): the similarity of two users is the cosine of
     *                 their binary vectors of items
     * @see #fit(int, int, int[], int[], float[], int, double, double, int)
     */
    public static ItemNeighbours fitOfUsers(int users, int items, int[] trainUsers, int[] trainItems, float[] values, boolean implicit,
            int k, double shrink, double lambda, int modelSize) {
        if (!implicit) {
            requireNonNull(values, "values is null");
        }
        return fit(users, items, trainUsers, trainItems, implicit ? ones(trainUsers) : values, k, shrink, lambda, modelSize, implicit, true);
    }

    private static float[] ones(int[] trainUsers) {
        requireNonNull(trainUsers, "trainUsers is null");
        float[] ones = new float[trainUsers.length];
        Arrays.fill(ones, 1f);
        return ones;
    }

    /**
     * Scores fitted on which items each user interacted with, without values (implicit feedback:
     * clicks, views, purchases; {@code features.neighbours.label: observed}): every interaction's
     * residual is 1, and the similarity of two items is the cosine of their binary vectors of
     * users, {@code n_ij / sqrt(n_i n_j)} with {@code n_ij} the users of both and {@code n_i} those
     * of {@code i}, shrunk by {@code n_ij / (n_ij + shrink)}. The score of {@code (u, i)} is then
     * {@code S / (S + lambda)} with {@code S} the summed similarity of the {@code k} items most
     * like {@code i} that {@code u} interacted with: near 1 where {@code u} took many close
     * neighbours of {@code i}. A training row's score leaves its own interaction out ({@code n_ij}
     * and {@code n_i} one less).
     *
     * @see #fit(int, int, int[], int[], float[], int, double, double, int)
     */
    public static ItemNeighbours fitImplicit(int users, int items, int[] trainUsers, int[] trainItems, int k, double shrink,
            double lambda, int modelSize) {
        return fit(users, items, trainUsers, trainItems, ones(trainUsers), k, shrink, lambda, modelSize, true, false);
    }

    private static ItemNeighbours fit(int users, int items, int[] trainUsers, int[] trainItems, float[] values, int k,
            double shrink, double lambda, int modelSize, boolean implicit, boolean ofUsers) {
        requireNonNull(trainUsers, "trainUsers is null");
        requireNonNull(trainItems, "trainItems is null");
        if (trainUsers.length != trainItems.length || trainUsers.length != values.length) {
            throw new IllegalArgumentException(trainUsers.length + " users, " + trainItems.length + " items and " + values.length
                    + " values per training row");
        }
        int n = trainUsers.length;
        for (int r = 0; r < n; r++) {
            if (trainUsers[r] < 0 || trainUsers[r] >= users || trainItems[r] < 0 || trainItems[r] >= items) {
                throw new IllegalArgumentException("training row " + r + " (user " + trainUsers[r] + ", item " + trainItems[r]
                        + ") is outside " + users + " users and " + items + " items");
            }
        }
        return ofUsers
                ? fitOriented(items, users, trainItems, trainUsers, values, k, shrink, lambda, modelSize, implicit, true)
                : fitOriented(users, items, trainUsers, trainItems, values, k, shrink, lambda, modelSize, implicit, false);
    }

    /**
     * The item-based fit with {@code users} and {@code items} as the fields hold them: users and
     * items, or for a neighbourhood of users ({@code ofUsers}) items and users, each bias with its
     * entity's ridge.
     */
    private static ItemNeighbours fitOriented(int users, int items, int[] trainUsers, int[] trainItems, float[] values, int k,
            double shrink, double lambda, int modelSize, boolean implicit, boolean ofUsers) {
        checkSettings(users, items, k, shrink, lambda, modelSize, ofUsers);
        double itemRidge = ofUsers ? USER_BIAS_RIDGE : ITEM_BIAS_RIDGE;
        double userRidge = ofUsers ? ITEM_BIAS_RIDGE : USER_BIAS_RIDGE;
        int n = trainUsers.length;
        // one value per (user, item): the last of a pair rated twice
        Integer[] order = java.util.stream.IntStream.range(0, n).filter(r -> !Float.isNaN(values[r])).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (a, b) -> trainUsers[a] != trainUsers[b] ? Integer.compare(trainUsers[a], trainUsers[b])
                : trainItems[a] != trainItems[b] ? Integer.compare(trainItems[a], trainItems[b]) : Integer.compare(a, b));
        int[] entryUser = new int[order.length];
        int[] entryItem = new int[order.length];
        double[] entryValue = new double[order.length];
        int m = 0;
        for (int p = 0; p < order.length; p++) {
            int r = order[p];
            if (m > 0 && entryUser[m - 1] == trainUsers[r] && entryItem[m - 1] == trainItems[r]) {
                m--;
            }
            entryUser[m] = trainUsers[r];
            entryItem[m] = trainItems[r];
            entryValue[m] = values[r];
            m++;
        }
        double mu = 0;
        for (int e = 0; e < m; e++) {
            mu += entryValue[e];
        }
        mu = m == 0 ? 0 : mu / m;
        double[] userBias = new double[users];
        double[] itemBias = new double[items];
        int[] userCount = new int[users];
        int[] itemCount = new int[items];
        for (int e = 0; e < m; e++) {
            userCount[entryUser[e]]++;
            itemCount[entryItem[e]]++;
        }
        // the items' biases first, then the users', in either orientation: the same residuals
        for (int step = 0; step < (implicit ? 0 : 2 * BIAS_ITERATIONS); step++) {
            if (step % 2 == (ofUsers ? 1 : 0)) {
                ridgeBiases(itemBias, entryItem, itemCount, itemRidge, userBias, entryUser, entryValue, mu, m);
            } else {
                ridgeBiases(userBias, entryUser, userCount, userRidge, itemBias, entryItem, entryValue, mu, m);
            }
        }
        int[][] rated = new int[users][];
        float[][] residuals = new float[users][];
        for (int u = 0; u < users; u++) {
            rated[u] = new int[userCount[u]];
            residuals[u] = new float[userCount[u]];
        }
        int[] next = new int[users];
        for (int e = 0; e < m; e++) {
            int u = entryUser[e];
            rated[u][next[u]] = entryItem[e]; // entries are sorted by user then item: ascending
            residuals[u][next[u]++] = implicit ? 1f : (float) (entryValue[e] - mu - userBias[u] - itemBias[entryItem[e]]);
        }
        int[] rowUsers = trainUsers.clone();
        int[] rowItems = trainItems.clone();
        for (int r = 0; r < n; r++) {
            if (Float.isNaN(values[r])) {
                rowUsers[r] = -1;
            }
        }
        return new ItemNeighbours(k, shrink, lambda, modelSize, implicit, ofUsers, users, items, rated, residuals, rowUsers, rowItems);
    }

    /**
     * One side's biases given the other's: {@code bias[x] = sum over x's entries of (value - mu -
     * other[y]) / (count[x] + ridge)}.
     */
    private static void ridgeBiases(double[] bias, int[] entryOf, int[] count, double ridge, double[] other, int[] entryOther,
            double[] entryValue, double mu, int m) {
        double[] sums = new double[bias.length];
        for (int e = 0; e < m; e++) {
            sums[entryOf[e]] += entryValue[e] - mu - other[entryOther[e]];
        }
        for (int x = 0; x < bias.length; x++) {
            bias[x] = sums[x] / (count[x] + ridge);
        }
    }

    /**
     * @param users   the rows of the fit: users, or items for a neighbourhood of users
     * @param items   what a similarity is held between: items, or users for a neighbourhood of users
     * @param ofUsers whether the neighbourhood is of users (named so in errors)
     */
    private static void checkSettings(int users, int items, int k, double shrink, double lambda, int modelSize, boolean ofUsers) {
        if (users < 0 || items < 0) {
            throw new IllegalArgumentException(ofUsers ? items + " users and " + users + " items" : users + " users and " + items + " items");
        }
        if (modelSize < 0) {
            throw new IllegalArgumentException("the model size must be at least 1 (0: every neighbour), got " + modelSize);
        }
        String noun = ofUsers ? "users" : "items";
        if (modelSize == 0 && items > MAX_ITEMS) {
            throw new IllegalArgumentException(items + " " + noun + ": without a model size, neighbourhood scores hold a"
                    + " similarity per pair of " + noun + ", for at most " + MAX_ITEMS + " " + noun);
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        if (!(shrink >= 0) || Double.isInfinite(shrink)) {
            throw new IllegalArgumentException("shrink must be a number >= 0, got " + shrink);
        }
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda must be a number > 0, got " + lambda);
        }
    }

    /**
     * Computes every similarity, item by item, and the training rows' scores with their own rating
     * left out ({@code trainUsers} null: none; a row whose user is -1 gets NaN), on every core: each
     * item's values are computed alone, so they do not depend on the number of threads.
     */
    private void pass(int[] trainUsers, int[] trainItems) {
        // per item, the users who rated it and their residuals
        int[] count = new int[items];
        for (int[] own : rated) {
            for (int i : own) {
                count[i]++;
            }
        }
        int[][] raters = new int[items][];
        float[][] raterResiduals = new float[items][];
        for (int i = 0; i < items; i++) {
            raters[i] = new int[count[i]];
            raterResiduals[i] = new float[count[i]];
        }
        Arrays.fill(count, 0);
        for (int u = 0; u < users; u++) {
            for (int p = 0; p < rated[u].length; p++) {
                int i = rated[u][p];
                raters[i][count[i]] = u;
                raterResiduals[i][count[i]++] = residuals[u][p];
            }
        }
        int[][] rowsOfItem = null;
        if (trainUsers != null) {
            int[] perItem = new int[items];
            for (int r = 0; r < trainUsers.length; r++) {
                if (trainUsers[r] >= 0) {
                    perItem[trainItems[r]]++;
                } else {
                    training[r] = Float.NaN;
                }
            }
            rowsOfItem = new int[items][];
            for (int i = 0; i < items; i++) {
                rowsOfItem[i] = new int[perItem[i]];
            }
            Arrays.fill(perItem, 0);
            for (int r = 0; r < trainUsers.length; r++) {
                if (trainUsers[r] >= 0) {
                    rowsOfItem[trainItems[r]][perItem[trainItems[r]]++] = r;
                }
            }
        }
        // items are independent of each other: one worker per thread of the common pool (and the
        // caller) takes every workers-th item, with working memory of its own (about 50 bytes per
        // item), and writes only its items' similarities and training rows
        int workers = Math.max(1, Math.min(items, java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() + 1));
        int[][] itemRows = rowsOfItem;
        java.util.stream.IntStream.range(0, workers).parallel().forEach(w -> {
            Pass pass = new Pass(trainUsers, raters, raterResiduals, itemRows);
            for (int i = w; i < items; i += workers) {
                pass.item(i);
            }
        });
    }

    /** Working memory of one thread of {@link #pass}, reused from one item to the next. */
    private final class Pass {
        private final int[] trainUsers;
        private final int[][] raters;
        private final float[][] raterResiduals;
        private final int[][] rowsOfItem;
        private final double[] dot = new double[items];
        private final double[] ownSquares = new double[items];
        private final double[] otherSquares = new double[items];
        private final int[] common = new int[items];
        // the items that share a rater with item i, in the order first met; only they are reset
        private final int[] touched = new int[items];
        // with a model size: per training row, its user's other items (mine[j] == stamp), and which
        // of them item i would keep without the row's rating
        private final int[] mine = modelSize == 0 ? null : new int[items];
        private final int[] keptWithout = modelSize == 0 ? null : new int[items];
        // with a model size: every item sharing a rater with item i, most similar first
        private final int[] ranked = modelSize == 0 ? null : new int[items];
        private final float[] rankedSimilarity = modelSize == 0 ? null : new float[items];
        private int rankedCount;
        // per training row, its user's items' similarities to item i without the row's rating
        private double[] withoutRow = new double[16];
        private int stamp;
        private final Scorer scorer = new Scorer();

        Pass(int[] trainUsers, int[][] raters, float[][] raterResiduals, int[][] rowsOfItem) {
            this.trainUsers = trainUsers;
            this.raters = raters;
            this.raterResiduals = raterResiduals;
            this.rowsOfItem = rowsOfItem;
        }

        /** Item {@code i}'s similarities and its training rows' scores. */
        void item(int i) {
            int touchedCount = 0;
            for (int p = 0; p < raters[i].length; p++) {
                int u = raters[i][p];
                double ei = raterResiduals[i][p];
                for (int q = 0; q < rated[u].length; q++) {
                    int j = rated[u][q];
                    double ej = residuals[u][q];
                    if (common[j] == 0) {
                        touched[touchedCount++] = j;
                    }
                    dot[j] += ei * ej;
                    ownSquares[j] += ei * ei;
                    otherSquares[j] += ej * ej;
                    common[j]++;
                }
            }
            if (modelSize == 0) {
                int row = i * items;
                for (int t = 0; t < touchedCount; t++) {
                    int j = touched[t];
                    similarity[row + j] = j == i ? 0f : (float) similarity(i, j);
                }
            } else {
                keep(i, touchedCount);
            }
            if (rowsOfItem != null) {
                for (int r : rowsOfItem[i]) {
                    training[r] = withoutRow(i, trainUsers[r]);
                }
            }
            for (int t = 0; t < touchedCount; t++) {
                int j = touched[t];
                dot[j] = 0;
                ownSquares[j] = 0;
                otherSquares[j] = 0;
                common[j] = 0;
            }
        }

        /** @return the similarity of items {@code i} and {@code j} from the sums gathered for {@code i} */
        private double similarity(int i, int j) {
            return implicit ? binaryCosine(common[j], raters[i].length, raters[j].length)
                    : cosine(dot[j], ownSquares[j], otherSquares[j], common[j]);
        }

        /** @return training row {@code (u, i)}'s score with its own rating left out of every similarity it reads */
        private float withoutRow(int i, int u) {
            int[] own = rated[u];
            int at = Arrays.binarySearch(own, i);
            double ei = residuals[u][at];
            if (withoutRow.length < own.length) {
                withoutRow = new double[own.length * 2];
            }
            stamp++;
            for (int q = 0; q < own.length; q++) {
                int j = own[q];
                double ej = residuals[u][q];
                if (j == i) {
                    withoutRow[q] = 0;
                } else if (implicit) {
                    // u rated both: one common user and one of i's fewer
                    withoutRow[q] = binaryCosine(common[j] - 1, raters[i].length - 1, raters[j].length);
                } else {
                    // the similarity without this user's pair of ratings
                    withoutRow[q] = cosine(dot[j] - ei * ej, ownSquares[j] - ei * ei, otherSquares[j] - ej * ej, common[j] - 1);
                }
            }
            if (modelSize != 0) {
                keptWithoutRow(own, i);
            }
            scorer.reset();
            for (int q = 0; q < own.length; q++) {
                if (own[q] != i && (modelSize == 0 || keptWithout[own[q]] == stamp)) {
                    scorer.add(withoutRow[q], residuals[u][q]);
                }
            }
            return scorer.score(k, lambda);
        }

        /**
         * Keeps the {@link #modelSize} items most similar to item {@code i} of those sharing a
         * rater with it (ties: the lower index), and ranks all of them, most similar first.
         */
        private void keep(int i, int touchedCount) {
            int[] candidates = new int[touchedCount];
            float[] similarities = new float[touchedCount];
            int n = 0;
            for (int t = 0; t < touchedCount; t++) {
                int j = touched[t];
                if (j != i) {
                    candidates[n] = j;
                    similarities[n++] = (float) similarity(i, j);
                }
            }
            Integer[] order = new Integer[n];
            for (int c = 0; c < n; c++) {
                order[c] = c;
            }
            Arrays.sort(order, (a, b) -> similarities[a] != similarities[b] ? Float.compare(similarities[b], similarities[a])
                    : Integer.compare(candidates[a], candidates[b]));
            int size = Math.min(n, modelSize);
            Integer[] chosen = Arrays.copyOf(order, size);
            Arrays.sort(chosen, (a, b) -> Integer.compare(candidates[a], candidates[b]));
            kept[i] = new int[size];
            keptSimilarity[i] = new float[size];
            for (int c = 0; c < size; c++) {
                kept[i][c] = candidates[chosen[c]];
                keptSimilarity[i][c] = similarities[chosen[c]];
            }
            for (int c = 0; c < n; c++) {
                ranked[c] = candidates[order[c]];
                rankedSimilarity[c] = similarities[order[c]];
            }
            rankedCount = n;
        }

        /**
         * Marks ({@code keptWithout[j] = stamp}) which of a training row's user's other items item
         * {@code i} would keep if the row's rating were not there: the {@link #modelSize} most
         * similar of the items sharing a rater with {@code i}, the user's own items at their
         * similarity without the row ({@code withoutRow}), every other item at its similarity
         * without it too (with explicit ratings the row does not enter it; with implicit ones
         * {@code i} has one user fewer). Choosing the kept items with the row's rating would favour
         * the neighbours that agree with it, the leak that leaving the rating out of the
         * similarities avoids.
         *
         * @param own the row's user's items, ascending, {@code i} among them
         */
        private void keptWithoutRow(int[] own, int i) {
            Integer[] order = new Integer[own.length - 1];
            int n = 0;
            for (int q = 0; q < own.length; q++) {
                if (own[q] != i) {
                    mine[own[q]] = stamp;
                    order[n++] = q;
                }
            }
            Arrays.sort(order, (a, b) -> (float) withoutRow[a] != (float) withoutRow[b]
                    ? Float.compare((float) withoutRow[b], (float) withoutRow[a]) : Integer.compare(own[a], own[b]));
            // merge the user's items (by their similarity without the row) with every other item
            // (in their order as ranked, which leaving the row out keeps) until modelSize are taken
            // or every one of the user's is
            int taken = 0;
            int a = 0;
            int b = 0;
            while (taken < modelSize && a < n) {
                while (b < rankedCount && mine[ranked[b]] == stamp) {
                    b++;
                }
                int mineItem = own[order[a]];
                float mineSimilarity = (float) withoutRow[order[a]];
                boolean takeMine = b == rankedCount;
                if (!takeMine) {
                    float other = implicit ? (float) binaryCosine(common[ranked[b]], raters[i].length - 1, raters[ranked[b]].length)
                            : rankedSimilarity[b];
                    takeMine = mineSimilarity != other ? mineSimilarity > other : mineItem < ranked[b];
                }
                if (takeMine) {
                    keptWithout[mineItem] = stamp;
                    a++;
                } else {
                    b++;
                }
                taken++;
            }
        }
    }

    /**
     * @return the shrunk cosine of two items' binary vectors of users: {@code common} users of
     *     both, {@code own} and {@code other} users of each
     */
    private double binaryCosine(int common, int own, int other) {
        if (common <= 0 || own <= 0 || other <= 0) {
            return 0;
        }
        return common / Math.sqrt((double) own * other) * common / (common + shrink);
    }

    /** @return the shrunk cosine of two items' residuals over their {@code common} raters */
    private double cosine(double dot, double ownSquares, double otherSquares, int common) {
        if (common <= 0 || ownSquares <= 1e-12 || otherSquares <= 1e-12) {
            return 0;
        }
        return dot / Math.sqrt(ownSquares * otherSquares) * common / (common + shrink);
    }

    /**
     * @return the score of user {@code user} for item {@code item} (indices of the training tables);
     *     0 for an index outside them or a user without ratings
     */
    public float score(int user, int item) {
        return score(user, item, new Scorer());
    }

    /** As {@link #score(int, int)}, with the working memory of a caller that scores many pairs in turn. */
    float score(int user, int item, Scorer scorer) {
        return ofUsers ? scoreOriented(item, user, scorer) : scoreOriented(user, item, scorer);
    }

    /** The score of row {@code user} for column {@code item} as the fields hold them (transposed for a neighbourhood of users). */
    private float scoreOriented(int user, int item, Scorer scorer) {
        if (user < 0 || user >= users || item < 0 || item >= items) {
            return 0f;
        }
        int[] own = rated[user];
        if (similarity != null) {
            scorer.addGathered(similarity, item * items, own, residuals[user], item);
        } else {
            // both ascending: one walk through the two (the item never keeps itself)
            int[] near = kept[item];
            float[] nearSimilarity = keptSimilarity[item];
            for (int q = 0, c = 0; q < own.length && c < near.length; ) {
                if (own[q] < near[c]) {
                    q++;
                } else if (own[q] > near[c]) {
                    c++;
                } else {
                    scorer.add(nearSimilarity[c++], residuals[user][q++]);
                }
            }
        }
        return scorer.score(k, lambda);
    }

    /**
     * @return per training row (in the order given to {@link #fit}), its score with its own rating
     *     left out of the similarities; NaN for a row without a value (it reads {@link #score})
     * @throws IllegalStateException for scores loaded from a model file, which keep no training rows
     */
    public float[] training() {
        if (training == null) {
            throw new IllegalStateException("neighbourhood scores read from a model file keep no training rows");
        }
        return training.clone();
    }

    /**
     * @return the similarity of two items, or of two users for a neighbourhood of users (0 for one
     *     with itself, and with a model size for one that {@code item} does not keep)
     */
    public float similarity(int item, int other) {
        if (similarity != null) {
            return similarity[item * items + other];
        }
        int at = Arrays.binarySearch(kept[item], other);
        return at < 0 ? 0f : keptSimilarity[item][at];
    }

    /**
     * @return the pairs the similarities are summed over, what their fit (and a model's loading)
     *     costs in proportion to: the pairs of items one user rated, over every user, or for a
     *     neighbourhood of users the pairs of users who rated one item, over every item
     */
    public long pairs() {
        long pairs = 0;
        for (int[] own : rated) {
            pairs += (long) own.length * (own.length - 1) / 2;
        }
        return pairs;
    }

    /** @return the number of users */
    public int users() {
        return ofUsers ? items : users;
    }

    /** @return the number of items */
    public int items() {
        return ofUsers ? users : items;
    }

    /** @return whether this is a neighbourhood of users ({@link #fitOfUsers}) rather than of items */
    boolean ofUsers() {
        return ofUsers;
    }

    /** Writes the settings and each user's residuals; {@link #read} recomputes the similarities. */
    public void write(DataOutputStream out) throws IOException {
        // a neighbourhood of items as releases before neighbourhoods of users wrote it, which they read
        out.writeInt(ofUsers ? MAGIC_V3 : MAGIC);
        out.writeInt(k);
        out.writeDouble(shrink);
        out.writeDouble(lambda);
        out.writeInt(modelSize);
        out.writeBoolean(implicit);
        if (ofUsers) {
            out.writeBoolean(true);
        }
        out.writeInt(users);
        out.writeInt(items);
        for (int u = 0; u < users; u++) {
            out.writeInt(rated[u].length);
            for (int q = 0; q < rated[u].length; q++) {
                out.writeInt(rated[u][q]);
                out.writeFloat(residuals[u][q]);
            }
        }
    }

    /**
     * @param source named in errors
     * @throws IOException if the data is not what {@link #write} writes
     */
    public static ItemNeighbours read(DataInputStream in, String source) throws IOException {
        return read(in.readInt(), in, source);
    }

    /**
     * Writes several scores, each under the name of the pair feature that reads it.
     *
     * @param scores by feature name, in the order to write them
     */
    public static void writeAll(Map<String, ItemNeighbours> scores, DataOutputStream out) throws IOException {
        out.writeInt(MAGIC_SET);
        out.writeInt(scores.size());
        for (Map.Entry<String, ItemNeighbours> e : scores.entrySet()) {
            out.writeUTF(e.getKey());
            e.getValue().write(out);
        }
    }

    /**
     * Reads what {@link #writeAll} writes, or a file of one score as {@link #write} writes it
     * (models saved before several scores could be), which goes to the only feature named.
     *
     * @param features the names of the pair features the scores are for
     * @return the scores by feature name
     * @throws IOException if the data is not such a file, or its scores are not those of {@code features}
     */
    public static Map<String, ItemNeighbours> readAll(DataInputStream in, String source, List<String> features) throws IOException {
        int magic = in.readInt();
        Map<String, ItemNeighbours> scores = new LinkedHashMap<>();
        if (magic != MAGIC_SET) {
            if (features.size() != 1) {
                throw new IOException(source + " holds one neighbourhood score; the model reads " + features.size() + ": " + features);
            }
            scores.put(features.get(0), read(magic, in, source));
            return scores;
        }
        int count = in.readInt();
        if (count < 0 || count > 1_000) {
            throw new IOException(source + " is not a Taskweave neighbourhood file (" + count + " scores)");
        }
        for (int c = 0; c < count; c++) {
            String name = in.readUTF();
            scores.put(name, read(in, source + " (" + name + ")"));
        }
        if (!scores.keySet().equals(new java.util.HashSet<>(features))) {
            throw new IOException(source + " holds the scores of " + scores.keySet() + "; the model reads " + features);
        }
        return scores;
    }

    private static ItemNeighbours read(int magic, DataInputStream in, String source) throws IOException {
        if (magic != MAGIC_V3 && magic != MAGIC && magic != MAGIC_V1) {
            throw new IOException(source + " is not a Taskweave neighbourhood file");
        }
        int k = in.readInt();
        double shrink = in.readDouble();
        double lambda = in.readDouble();
        int modelSize = magic == MAGIC_V1 ? 0 : in.readInt();
        boolean implicit = magic != MAGIC_V1 && in.readBoolean();
        boolean ofUsers = magic == MAGIC_V3 && in.readBoolean();
        int users = in.readInt();
        int items = in.readInt();
        try {
            checkSettings(users, items, k, shrink, lambda, modelSize, ofUsers);
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": " + e.getMessage(), e);
        }
        int[][] rated = new int[users][];
        float[][] residuals = new float[users][];
        for (int u = 0; u < users; u++) {
            int n = in.readInt();
            if (n < 0 || n > items) {
                throw new IOException(source + ": " + (ofUsers ? "item " + u + " has " + n + " raters, for " + items + " users"
                        : "user " + u + " has " + n + " ratings, for " + items + " items"));
            }
            rated[u] = new int[n];
            residuals[u] = new float[n];
            for (int q = 0; q < n; q++) {
                rated[u][q] = in.readInt();
                residuals[u][q] = in.readFloat();
                if (rated[u][q] < 0 || rated[u][q] >= items || q > 0 && rated[u][q] <= rated[u][q - 1]) {
                    throw new IOException(source + ": " + (ofUsers ? "item " + u + "'s raters" : "user " + u + "'s items")
                            + " are not distinct indices below " + items
                            + " in ascending order");
                }
            }
        }
        return new ItemNeighbours(k, shrink, lambda, modelSize, implicit, ofUsers, users, items, rated, residuals, null, null);
    }

    /**
     * Scores from each user's residuals as a model file holds them (for tests: residuals chosen by
     * hand, without the biases).
     *
     * @param rated     per user, the items they rated, distinct and ascending
     * @param residuals per user, the residual of each of {@code rated}
     */
    static ItemNeighbours ofResiduals(int k, double shrink, double lambda, int modelSize, int items, int[][] rated,
            float[][] residuals) {
        checkSettings(rated.length, items, k, shrink, lambda, modelSize, false);
        return new ItemNeighbours(k, shrink, lambda, modelSize, false, false, rated.length, items, rated, residuals, null, null);
    }

    /**
     * The {@code k} candidates with the largest positive similarity, and the weighted mean of
     * their residuals; ties go to the candidate added first (the lower item index). Working memory
     * for one thread, reused from one score to the next.
     */
    static final class Scorer {
        private double[] similarities = new double[64];
        private double[] values = new double[64];
        /** The k best entries' indices, best first. */
        private int[] best = new int[32];
        private int size;

        void reset() {
            size = 0;
        }

        /**
         * As {@link #add} of {@code (matrix[row + items[q]], values[q])} for each {@code q} in turn
         * where {@code items[q] != item}, without a branch on the similarity (in a sparse catalogue
         * many are 0, in an order the processor cannot predict).
         */
        void addGathered(float[] matrix, int row, int[] items, float[] values, int item) {
            int n = items.length;
            reserve(n);
            double[] s = this.similarities;
            double[] v = this.values;
            int m = size;
            for (int q = 0; q < n; q++) {
                float similarity = matrix[row + items[q]];
                s[m] = similarity;
                v[m] = values[q];
                m += similarity > 0 & items[q] != item ? 1 : 0;
            }
            size = m;
        }

        /** Makes room for {@code n} more entries. */
        private void reserve(int n) {
            if (size + n > similarities.length) {
                similarities = Arrays.copyOf(similarities, Math.max(size + n, size * 2));
                values = Arrays.copyOf(values, similarities.length);
            }
        }

        void add(double s, double value) {
            if (!(s > 0)) {
                return;
            }
            reserve(1);
            similarities[size] = s;
            values[size++] = value;
        }

        float score(int k, double lambda) {
            double weighted = 0;
            double total = 0;
            if (size <= k) {
                for (int c = 0; c < size; c++) {
                    weighted += similarities[c] * values[c];
                    total += similarities[c];
                }
            } else {
                // the k largest similarities, an earlier entry first among equal ones, summed from the
                // largest down: kept best first in a list of k, into which an entry is inserted only
                // when it beats the list's last (once the list is full, rarely, and the test for it is
                // one comparison that the processor predicts well, where a heap's sifting is not)
                if (best.length < k) {
                    best = new int[k];
                }
                int filled = 0;
                for (int c = 0; c < size; c++) {
                    double s = similarities[c];
                    if (filled == k) {
                        // an equal one entered earlier ranks before it
                        if (!(s > similarities[best[k - 1]])) {
                            continue;
                        }
                        filled--;
                    }
                    int at = filled;
                    while (at > 0 && similarities[best[at - 1]] < s) {
                        best[at] = best[at - 1];
                        at--;
                    }
                    best[at] = c;
                    filled++;
                }
                for (int t = 0; t < k; t++) {
                    int c = best[t];
                    weighted += similarities[c] * values[c];
                    total += similarities[c];
                }
            }
            reset();
            return (float) (weighted / (total + lambda));
        }
    }
}
