package dev.taskweave.plugins.synthetic;

import static java.util.Objects.requireNonNull;

import java.util.SplittableRandom;

/**
 * The hidden structure a synthetic dataset is drawn from: latent vectors, segments, categories,
 * tags, biases and popularity. Kept so that tests (and curious users) can check that the planted
 * signal is recoverable.
 */
final class PlantedModel {
    /** Standard deviation of a user's or item's latent vector around its centroid. */
    static final double LATENT_NOISE = 0.5;
    /** An item has a tag when the cosine between its latent vector and the tag's direction exceeds this. */
    static final double TAG_THRESHOLD = 0.3;
    /** Standard deviation of the user rating bias. */
    static final double USER_BIAS_SD = 0.3;
    /** Weight of the item's log-popularity in its rating bias. */
    static final double ITEM_BIAS_POPULARITY_WEIGHT = 0.2;
    /** Standard deviation of the item rating bias around its popularity part. */
    static final double ITEM_BIAS_SD = 0.25;

    private final int latentDim;
    private final int[] userSegment;
    private final double[][] userLatent;
    private final double[] userBias;
    private final double[] userActivity;
    private final int[] itemCategory;
    private final double[][] itemLatent;
    private final double[] itemBias;
    private final double[] itemPopularity;
    private final boolean[][] itemTags;

    private PlantedModel(int latentDim, int[] userSegment, double[][] userLatent, double[] userBias, double[] userActivity,
            int[] itemCategory, double[][] itemLatent, double[] itemBias, double[] itemPopularity, boolean[][] itemTags) {
        this.latentDim = latentDim;
        this.userSegment = userSegment;
        this.userLatent = userLatent;
        this.userBias = userBias;
        this.userActivity = userActivity;
        this.itemCategory = itemCategory;
        this.itemLatent = itemLatent;
        this.itemBias = itemBias;
        this.itemPopularity = itemPopularity;
        this.itemTags = itemTags;
    }

    /** Draws a model; the same config and random state give the same model. */
    static PlantedModel draw(SyntheticConfig config, SplittableRandom random) {
        requireNonNull(config, "config is null");
        requireNonNull(random, "random is null");
        int d = config.latentDim();
        double[][] segmentCentroids = gaussianMatrix(random, config.segments(), d);
        double[][] categoryCentroids = gaussianMatrix(random, config.categories(), d);
        double[][] tagDirections = gaussianMatrix(random, config.tags(), d);

        int users = config.users();
        int[] userSegment = new int[users];
        double[][] userLatent = new double[users][];
        double[] userBias = new double[users];
        double[] userActivity = new double[users];
        for (int u = 0; u < users; u++) {
            userSegment[u] = random.nextInt(config.segments());
            userLatent[u] = aroundCentroid(random, segmentCentroids[userSegment[u]]);
            userBias[u] = USER_BIAS_SD * gaussian(random);
            userActivity[u] = gaussian(random);
        }

        int items = config.items();
        int[] itemCategory = new int[items];
        double[][] itemLatent = new double[items][];
        double[] itemBias = new double[items];
        double[] itemPopularity = new double[items];
        boolean[][] itemTags = new boolean[items][config.tags()];
        for (int i = 0; i < items; i++) {
            itemCategory[i] = random.nextInt(config.categories());
            itemLatent[i] = aroundCentroid(random, categoryCentroids[itemCategory[i]]);
            itemPopularity[i] = gaussian(random);
            itemBias[i] = ITEM_BIAS_POPULARITY_WEIGHT * itemPopularity[i] + ITEM_BIAS_SD * gaussian(random);
            for (int t = 0; t < config.tags(); t++) {
                itemTags[i][t] = cosine(itemLatent[i], tagDirections[t]) > TAG_THRESHOLD;
            }
        }
        return new PlantedModel(d, userSegment, userLatent, userBias, userActivity,
                itemCategory, itemLatent, itemBias, itemPopularity, itemTags);
    }

    /** @return the planted affinity {@code u·v / sqrt(latentDim)} of a user for an item */
    double affinity(int user, int item) {
        double[] u = userLatent[user];
        double[] v = itemLatent[item];
        double dot = 0;
        for (int k = 0; k < latentDim; k++) {
            dot += u[k] * v[k];
        }
        return dot / Math.sqrt(latentDim);
    }

    int userSegment(int user) {
        return userSegment[user];
    }

    double userBias(int user) {
        return userBias[user];
    }

    /** @return the user's planted log-activity, a standard normal draw */
    double userActivity(int user) {
        return userActivity[user];
    }

    int itemCategory(int item) {
        return itemCategory[item];
    }

    double itemBias(int item) {
        return itemBias[item];
    }

    /** @return the item's planted log-popularity, a standard normal draw */
    double itemPopularity(int item) {
        return itemPopularity[item];
    }

    boolean itemHasTag(int item, int tag) {
        return itemTags[item][tag];
    }

    static double gaussian(SplittableRandom random) {
        // Box-Muller on SplittableRandom, which has no nextGaussian on Java 17
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    private static double[][] gaussianMatrix(SplittableRandom random, int rows, int columns) {
        double[][] m = new double[rows][columns];
        for (double[] row : m) {
            for (int k = 0; k < columns; k++) {
                row[k] = gaussian(random);
            }
        }
        return m;
    }

    private static double[] aroundCentroid(SplittableRandom random, double[] centroid) {
        double[] v = new double[centroid.length];
        for (int k = 0; k < v.length; k++) {
            v[k] = centroid[k] + LATENT_NOISE * gaussian(random);
        }
        return v;
    }

    private static double cosine(double[] a, double[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int k = 0; k < a.length; k++) {
            dot += a[k] * b[k];
            na += a[k] * a[k];
            nb += b[k] * b[k];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
