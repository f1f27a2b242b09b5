package dev.taskweave.core.data;

import dev.taskweave.api.data.Interactions;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Draws, for a user, an item among the items the user was not observed with: uniformly, or in
 * proportion to {@code (n_i + 1)^exponent} where {@code n_i} is the item's number of rows in the
 * popularity split ({@link #popularity}): the negatives of word2vec and of most sampled-softmax
 * recommenders (exponent 0.75), which make the model tell a user's items apart from the popular
 * ones rather than from the long tail alone.
 *
 * <p>Training negatives avoid the training positives only; evaluation negatives avoid every
 * positive the sampler was given. Weighted draws use Walker's alias method (one uniform index and
 * one uniform number per draw).
 */
public final class NegativeSampler {
    private static final int MAX_TRIES = 1000;
    private final int itemCount;
    private final Set<Long> positives = new HashSet<>();
    /** Alias tables, or null for uniform draws. */
    private final double[] keep;
    private final int[] alias;

    /**
     * A uniform sampler.
     *
     * @param itemCount the number of items to draw from
     * @param observed  the splits whose rows count as positives
     */
    public NegativeSampler(int itemCount, Iterable<Interactions> observed) {
        this(itemCount, observed, null);
    }

    private NegativeSampler(int itemCount, Iterable<Interactions> observed, double[] weights) {
        if (itemCount < 2) {
            throw new IllegalArgumentException("negative sampling needs at least 2 items, got " + itemCount);
        }
        this.itemCount = itemCount;
        for (Interactions split : observed) {
            for (int i = 0; i < split.size(); i++) {
                positives.add(key(split.users()[i], split.items()[i]));
            }
        }
        if (weights == null) {
            keep = null;
            alias = null;
        } else {
            keep = new double[itemCount];
            alias = new int[itemCount];
            buildAlias(weights, keep, alias);
        }
    }

    /**
     * A sampler that draws item {@code i} with probability proportional to
     * {@code (n_i + 1)^exponent} (before the user's positives are excluded), {@code n_i} being the
     * item's rows in {@code popularity}; exponent 0 is the uniform sampler, draw for draw.
     *
     * @throws IllegalArgumentException when the exponent is negative or not finite
     */
    public static NegativeSampler popularity(int itemCount, Iterable<Interactions> observed, Interactions popularity, double exponent) {
        if (!(exponent >= 0) || !Double.isFinite(exponent)) {
            throw new IllegalArgumentException("the popularity exponent must be finite and >= 0, got " + exponent);
        }
        if (exponent == 0) {
            return new NegativeSampler(itemCount, observed);
        }
        double[] counts = new double[itemCount];
        for (int item : popularity.items()) {
            counts[item]++;
        }
        for (int i = 0; i < itemCount; i++) {
            counts[i] = Math.pow(counts[i] + 1, exponent);
        }
        return new NegativeSampler(itemCount, observed, counts);
    }

    /** @return an item the user was not observed with (or any item if the user has seen almost all) */
    public int sample(int user, SplittableRandom random) {
        int item = draw(random);
        for (int tries = 0; tries < MAX_TRIES && positives.contains(key(user, item)); tries++) {
            item = draw(random);
        }
        return item;
    }

    private int draw(SplittableRandom random) {
        int column = random.nextInt(itemCount);
        if (keep == null) {
            return column;
        }
        return random.nextDouble() < keep[column] ? column : alias[column];
    }

    /** @return the probability of drawing {@code item} before positives are excluded */
    double probability(int item) {
        if (keep == null) {
            return 1.0 / itemCount;
        }
        double p = keep[item];
        for (int i = 0; i < itemCount; i++) {
            if (alias[i] == item && keep[i] < 1) {
                p += 1 - keep[i];
            }
        }
        return p / itemCount;
    }

    /** @return true when the pair was observed */
    public boolean isPositive(int user, int item) {
        return positives.contains(key(user, item));
    }

    private static long key(int user, int item) {
        return ((long) user << 32) | (item & 0xffffffffL);
    }

    /**
     * Vose's construction of Walker's alias tables: column {@code i} keeps itself with probability
     * {@code keep[i]} and otherwise gives {@code alias[i]}.
     */
    private static void buildAlias(double[] weights, double[] keep, int[] alias) {
        int n = weights.length;
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double[] scaled = new double[n];
        int[] small = new int[n];
        int[] large = new int[n];
        int smalls = 0;
        int larges = 0;
        for (int i = 0; i < n; i++) {
            scaled[i] = weights[i] * n / total;
            if (scaled[i] < 1) {
                small[smalls++] = i;
            } else {
                large[larges++] = i;
            }
        }
        while (smalls > 0 && larges > 0) {
            int s = small[--smalls];
            int l = large[--larges];
            keep[s] = scaled[s];
            alias[s] = l;
            scaled[l] = scaled[l] + scaled[s] - 1;
            if (scaled[l] < 1) {
                small[smalls++] = l;
            } else {
                large[larges++] = l;
            }
        }
        // what remains is 1 up to rounding
        while (larges > 0) {
            int l = large[--larges];
            keep[l] = 1;
            alias[l] = l;
        }
        while (smalls > 0) {
            int s = small[--smalls];
            keep[s] = 1;
            alias[s] = s;
        }
    }
}
