package dev.taskweave.api.data;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * Builds the values of a recent-mean feature ({@link FeatureSpec#recent}): how an entity's latest
 * training interactions differ from its usual, as of a moment. For a user and ratings, the mean of
 * the user's {@code window} latest ratings strictly before that moment minus the mean of all the
 * user's ratings: positive while the user is rating above their habit, negative below it.
 *
 * <p>Only interactions strictly before a row's time count, never one at the same time: ratings
 * entered together (a page of them, submitted at once) are not known when the page is scored, so
 * a value that read them would be one no live system has. On ml100k-mtl, whose split is random,
 * counting them lifted test RMSE and like AUC and counting only earlier ratings did not: the gain
 * came from the same page's other ratings (docs/benchmarks/ml100k-mtl/README.md, "Timestamps").
 * The mean of all the entity's values leaves a training row's own interaction out, so no row reads
 * its own label. An entity without an earlier interaction reads 0, as an unknown value does; of
 * interactions at the same time, the latest are the ones later in the training split.
 */
public final class RecentValues {
    private final int window;
    private final int[] trainEntity;
    /** Per entity, its training rows sorted by time (ties by row order). */
    private final int[][] rows;
    /** Per entity, the times of {@link #rows}, in the same order. */
    private final long[][] times;
    /** Per training row, its value. */
    private final float[] values;
    /** Per entity, the sum of its values. */
    private final double[] sums;
    /** Per training row, its position in its entity's {@link #rows}. */
    private final int[] position;

    private RecentValues(int window, int[] trainEntity, int[][] rows, long[][] times, float[] values, double[] sums) {
        this.window = window;
        this.position = new int[trainEntity.length];
        for (int[] own : rows) {
            for (int p = 0; p < own.length; p++) {
                position[own[p]] = p;
            }
        }
        this.trainEntity = trainEntity;
        this.rows = rows;
        this.times = times;
        this.values = values;
        this.sums = sums;
    }

    /**
     * @param train    the training interactions (only these: recent values built from validation or
     *                 test rows leak them)
     * @param times    per training row, when it happened (any unit that orders them)
     * @param values   per training row, the value averaged (for example the rating)
     * @param entity   whose interactions: {@link Entity#USER} gives each user's latest
     * @param entities the number of entities on that side
     * @param window   how many of the latest interactions are averaged, at least 1
     */
    public static RecentValues of(Interactions train, long[] times, float[] values, Entity entity, int entities, int window) {
        requireNonNull(train, "train is null");
        requireNonNull(times, "times is null");
        requireNonNull(values, "values is null");
        requireNonNull(entity, "entity is null");
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, got " + window);
        }
        int n = train.size();
        if (times.length != n || values.length != n) {
            throw new IllegalArgumentException(times.length + " times and " + values.length + " values for " + n + " interactions");
        }
        int[] owner = entity == Entity.USER ? train.users() : train.items();
        int[] counts = new int[entities];
        double[] sums = new double[entities];
        for (int r = 0; r < n; r++) {
            if (owner[r] < 0 || owner[r] >= entities) {
                throw new IllegalArgumentException("interaction " + r + ": " + entity.name().toLowerCase(java.util.Locale.ROOT)
                        + " index " + owner[r] + " is outside " + entities);
            }
            if (!Float.isFinite(values[r])) {
                throw new IllegalArgumentException("interaction " + r + ": value " + values[r] + " is not a finite number");
            }
            counts[owner[r]]++;
            sums[owner[r]] += values[r];
        }
        Integer[][] byEntity = new Integer[entities][];
        int[] fill = new int[entities];
        for (int e = 0; e < entities; e++) {
            byEntity[e] = new Integer[counts[e]];
        }
        for (int r = 0; r < n; r++) {
            byEntity[owner[r]][fill[owner[r]]++] = r;
        }
        int[][] rows = new int[entities][];
        long[][] sortedTimes = new long[entities][];
        for (int e = 0; e < entities; e++) {
            Arrays.sort(byEntity[e], (a, b) -> times[a] != times[b] ? Long.compare(times[a], times[b]) : Integer.compare(a, b));
            rows[e] = Arrays.stream(byEntity[e]).mapToInt(Integer::intValue).toArray();
            sortedTimes[e] = Arrays.stream(rows[e]).mapToLong(r -> times[r]).toArray();
        }
        return new RecentValues(window, owner.clone(), rows, sortedTimes, values.clone(), sums);
    }

    /** @return per entity, its value as of after its last training interaction (the current value) */
    public float[] current() {
        float[] out = new float[rows.length];
        for (int e = 0; e < rows.length; e++) {
            out[e] = value(e, rows[e].length, -1);
        }
        return out;
    }

    /**
     * @return per row of the training split, its value: the entity's interactions before the row's
     *     time, against the mean of all its interactions but the row's own
     */
    public float[] training() {
        float[] out = new float[trainEntity.length];
        for (int r = 0; r < out.length; r++) {
            int e = trainEntity[r];
            out[r] = value(e, before(e, times[e][position[r]]), r);
        }
        return out;
    }

    /**
     * @param entityOfRow per row, the entity's index (-1 or an entity without training
     *                    interactions reads 0)
     * @param at          per row, its time, in the unit of the training times
     * @return per row of a split other than training, its value as of its time (the entity's
     *     training interactions strictly before it)
     */
    public float[] at(int[] entityOfRow, long[] at) {
        if (entityOfRow.length != at.length) {
            throw new IllegalArgumentException(entityOfRow.length + " rows but " + at.length + " times");
        }
        float[] out = new float[at.length];
        for (int r = 0; r < at.length; r++) {
            int e = entityOfRow[r];
            out[r] = e < 0 || e >= rows.length ? 0f : value(e, before(e, at[r]), -1);
        }
        return out;
    }

    /** @return how many of entity {@code e}'s interactions happened strictly before {@code time} */
    private int before(int e, long time) {
        long[] t = times[e];
        int low = 0;
        int high = t.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (t[mid] < time) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /**
     * @param count   the entity's interactions before the moment (the first {@code count})
     * @param without a training row to leave out of the mean of all, or -1
     */
    private float value(int e, int count, int without) {
        int[] own = rows[e];
        int others = own.length - (without >= 0 ? 1 : 0);
        if (others == 0) {
            return 0f;
        }
        // the latest window of the first count (a training row is never among them: its time is
        // not before itself)
        int taken = Math.min(window, count);
        if (taken == 0) {
            return 0f;
        }
        double recent = 0;
        for (int p = count - taken; p < count; p++) {
            recent += values[own[p]];
        }
        double usual = (sums[e] - (without >= 0 ? values[without] : 0)) / others;
        return (float) (recent / taken - usual);
    }
}
