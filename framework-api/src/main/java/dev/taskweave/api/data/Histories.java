package dev.taskweave.api.data;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.InvalidConfigException;
import java.util.Locale;

/**
 * Builds the rows of a history feature ({@link FeatureSpec#history}): for each user the items
 * they interacted with, or for each item the users who interacted with it, in the columns of the
 * other side's entity indices. The encoder reads a history as it is (it does not normalise it as it
 * does other multi-hot features), so the scaling chosen here is what the model sees:
 * {@link Scale#MEAN} divides by the entity's number of interactions {@code n} (the encoded value is
 * the mean of the counterparts' embeddings, the usual choice for 0/1 interactions);
 * {@link Scale#ROOT} divides by {@code sqrt(n)} (SVD++'s normalisation, the usual choice for
 * signed values such as centred ratings, whose mean would cancel out towards zero). The runtime
 * leaves a row's own interaction out when it reads the feature, so a history must hold exactly the
 * training interactions, one column per entity of the other side; a source that declares the scale
 * ({@link FeatureSpec#history(String, Entity, int, Scale)}) has such a row read as if it had been
 * built without that interaction, at the scale of {@code n - 1}.
 *
 * <p>{@link #sparse} stores a history's non-zero entries only ({@link SparseRows}, 8 bytes per
 * training interaction), which the built-in data sources use: its size follows the interactions,
 * whatever the numbers of users and items. {@link #of} builds the dense form, {@code rows x width}
 * floats whichever entries are zero (users x items x 4 bytes per side; training needs several
 * times that): a data source that stores that calls {@link #checkSize} with the numbers of users
 * and items before it builds anything a history needs, so that a table that cannot fit is refused
 * with the configuration value that asked for it rather than found by an {@link OutOfMemoryError}.
 * Either way a batch holds its rows' histories densely ({@code batch x width} floats).
 */
public final class Histories {
    private Histories() {}

    /**
     * The largest share of the JVM's maximum heap ({@link Runtime#maxMemory()}) the history tables of
     * one dataset may take together. Training keeps them on the heap for the whole run, next to the
     * interactions, their splits and features and the collector's headroom: before the data
     * fingerprint stopped copying each table, a run with 0.37 GiB of tables ran out of heap at
     * {@code -Xmx700m} and trained at 800m (300m sufficed without histories); the 1.5 GiB of
     * 10,000 users x 20,000 items trained under the default {@code -Xmx4g}, which this share
     * (1.6 GiB) still admits. Native memory comes on top: every batch copies its rows' histories.
     */
    public static final double HEAP_SHARE = 0.4;

    /** The most cells one table may have: a Java array's largest length. */
    public static final long MAX_CELLS = Integer.MAX_VALUE;

    /**
     * Refuses history tables that would not fit, before anything is built: the tables of
     * {@code users} users and {@code items} items must each have at most {@link #MAX_CELLS} cells,
     * and together take at most {@link #HEAP_SHARE} of the JVM's maximum heap.
     *
     * @param users           the number of users (the rows of the user history, the width of the item history)
     * @param items           the number of items
     * @param userHistoryPath the configuration value that asks for the user history, relative to the
     *                        data source's params (for example {@code history} or {@code userHistory});
     *                        null without a user history
     * @param itemHistoryPath the same for the item history; null without one
     * @param oneSide         how to keep a history on one side only (for example
     *                        {@code userHistory: none or itemHistory: none}), named among the ways
     *                        out when both sides ask for one; null when the source cannot
     * @throws InvalidConfigException naming the path that asked for the table, with the tables'
     *                                sizes, the limit and ways out
     */
    public static void checkSize(int users, int items, String userHistoryPath, String itemHistoryPath, String oneSide) {
        checkSize(users, items, userHistoryPath, itemHistoryPath, oneSide, Runtime.getRuntime().maxMemory());
    }

    /** {@link #checkSize(int, int, String, String, String)} against a given maximum heap, in bytes. */
    static void checkSize(int users, int items, String userHistoryPath, String itemHistoryPath, String oneSide, long maxHeap) {
        if (users < 0 || items < 0) {
            throw new IllegalArgumentException(users + " users and " + items + " items");
        }
        if (userHistoryPath == null && itemHistoryPath == null) {
            return;
        }
        long cells = (long) users * items;
        long bytes = cells * Float.BYTES;
        int tables = (userHistoryPath != null ? 1 : 0) + (itemHistoryPath != null ? 1 : 0);
        long total = bytes * tables;
        long limit = (long) (maxHeap * HEAP_SHARE);
        String path = userHistoryPath != null ? userHistoryPath : itemHistoryPath;
        StringBuilder what = new StringBuilder();
        if (userHistoryPath != null) {
            what.append("the user history is ").append(users).append(" users x ").append(items).append(" items x 4 bytes = ")
                    .append(gb(bytes));
        }
        if (itemHistoryPath != null) {
            what.append(what.length() > 0 ? ", and the item history " : "the item history is ").append(items).append(" items x ")
                    .append(users).append(" users x 4 bytes = ").append(gb(bytes));
            if (userHistoryPath != null && !userHistoryPath.equals(itemHistoryPath)) {
                what.append(" (").append(itemHistoryPath).append(')');
            }
        }
        if (tables == 2) {
            what.append(" (together ").append(gb(total)).append(')');
        }
        if (cells > MAX_CELLS) {
            throw new InvalidConfigException(path, what + ": a table of " + cells + " cells is more than the " + MAX_CELLS
                    + " one Java array holds, whatever the heap. Histories built by Histories.of are dense users x items tables"
                    + " (either side's table is as large; Histories.sparse stores only the interactions): use fewer users or items (users x items"
                    + " at most " + MAX_CELLS + "), or no history");
        }
        if (total > limit) {
            StringBuilder out = new StringBuilder();
            if (tables == 2 && bytes <= limit && oneSide != null) {
                out.append("a history on one side only (").append(oneSide).append("), ");
            }
            out.append("fewer users or items, or a larger heap: JAVA_OPTS=-Xmx").append(heapFor(total))
                    .append("g or more (it replaces the launcher's default, -Xmx4g)");
            throw new InvalidConfigException(path, what + ", more than " + gb(limit) + ", " + Math.round(HEAP_SHARE * 100)
                    + "% of the JVM's maximum heap (" + gb(maxHeap) + "): histories built by Histories.of are dense users"
                    + " x items tables (Histories.sparse stores only the interactions), and training needs several times their size. Ways out: "
                    + out);
        }
    }

    /** @return the smallest whole number of GB of heap of which {@link #HEAP_SHARE} holds {@code bytes} */
    private static long heapFor(long bytes) {
        return xmxGibFor((long) Math.ceil(bytes / HEAP_SHARE));
    }

    /**
     * The share of {@code -Xmx} a JVM reports as its maximum heap ({@link Runtime#maxMemory()}) at
     * the least, among the usual collectors: they leave one survivor space out of it. Measured on
     * JDK 17 at {@code -Xmx4g}: G1 and ZGC 4.00 GiB, serial (the launcher's batch default) 3.87,
     * parallel 3.56 (0.889).
     */
    public static final double MAX_MEMORY_OF_XMX = 0.88;

    /**
     * The {@code -Xmx} to advise, in whole GiB, for a JVM whose {@link Runtime#maxMemory()} must be
     * at least {@code maxMemory} bytes whatever its collector (see {@link #MAX_MEMORY_OF_XMX}).
     */
    public static long xmxGibFor(long maxMemory) {
        return Math.max(1, (long) Math.ceil(maxMemory / MAX_MEMORY_OF_XMX / (1L << 30)));
    }

    private static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }

    /** How a row is scaled by its number of interactions {@code n}. */
    public enum Scale {
        /** Divide by {@code n}: the row's values sum to their mean. */
        MEAN,
        /** Divide by {@code sqrt(n)} (SVD++). */
        ROOT
    }

    /**
     * The scale to declare for a history ({@link FeatureSpec#history(String, Entity, int, Scale)})
     * whose rows {@link #sparse} built from {@code interactions} with {@code scale}: {@code scale}
     * when a training row's history without its own entry, rescaled by the entries its row stores,
     * is exactly the history of the other interactions, that is when every interaction is one stored
     * entry; null when it would not be, because a (user, item) pair repeats (one entry, counted more
     * than once) or a value is 0 (counted, not stored): the rows are then read as stored.
     */
    public static Scale declared(SparseRows rows, Interactions interactions, Scale scale) {
        requireNonNull(scale, "scale is null");
        return rows.entries() == interactions.size() ? scale : null;
    }

    /**
     * The same history as {@link #of}, stored sparsely ({@link EntityTable.Builder#sparse}): one
     * entry per distinct (row, column) pair of the interactions, 8 bytes each, whatever the numbers
     * of users and items. Entry for entry it holds what {@link #of} would: where an interaction
     * repeats, the last value, scaled by the row's number of interactions repeats included; entries
     * whose value is 0 (a rating equal to the mean it is centred on) are not stored, as they read 0.
     *
     * @param interactions the training interactions (only these: a history built from valid or
     *                     test rows leaks them)
     * @param entity       whose history: {@link Entity#USER} gives one row per user over the items
     * @param users        the number of users
     * @param items        the number of items
     * @param values       per interaction, the value to store instead of 1; null for 1
     * @param scale        how each row is scaled by its number of interactions
     * @return the rows, for {@link EntityTable.Builder#sparse}
     */
    public static SparseRows sparse(Interactions interactions, Entity entity, int users, int items, float[] values, Scale scale) {
        requireNonNull(interactions, "interactions is null");
        requireNonNull(scale, "scale is null");
        requireNonNull(entity, "entity is null");
        int[] rowOf = entity == Entity.USER ? interactions.users() : interactions.items();
        int[] columnOf = entity == Entity.USER ? interactions.items() : interactions.users();
        if (values != null && values.length != rowOf.length) {
            throw new IllegalArgumentException(values.length + " values for " + rowOf.length + " interactions");
        }
        int rows = entity == Entity.USER ? users : items;
        int width = entity == Entity.USER ? items : users;
        int[] counts = new int[rows];
        for (int k = 0; k < rowOf.length; k++) {
            int row = rowOf[k];
            int column = columnOf[k];
            if (row < 0 || row >= rows || column < 0 || column >= width) {
                throw new IllegalArgumentException("interaction " + k + " (user " + interactions.users()[k] + ", item "
                        + interactions.items()[k] + ") is outside " + users + " users and " + items + " items");
            }
            counts[row]++;
        }
        // the interactions by row, each row's in their order (a counting sort), then by column
        int[] starts = new int[rows + 1];
        for (int r = 0; r < rows; r++) {
            starts[r + 1] = starts[r] + counts[r];
        }
        int[] next = java.util.Arrays.copyOf(starts, rows);
        long[] keyed = new long[rowOf.length];
        for (int k = 0; k < rowOf.length; k++) {
            // column high, interaction low: sorting a row's keys orders by column, repeats by their order
            keyed[next[rowOf[k]]++] = ((long) columnOf[k] << 32) | k;
        }
        int[] columns = new int[rowOf.length];
        float[] stored = new float[rowOf.length];
        int[] outStarts = new int[rows + 1];
        int n = 0;
        for (int r = 0; r < rows; r++) {
            java.util.Arrays.sort(keyed, starts[r], starts[r + 1]);
            float factor = counts[r] == 0 ? 1f : scale == Scale.MEAN ? 1f / counts[r] : (float) (1 / Math.sqrt(counts[r]));
            for (int j = starts[r]; j < starts[r + 1]; j++) {
                int column = (int) (keyed[j] >>> 32);
                if (j + 1 < starts[r + 1] && (int) (keyed[j + 1] >>> 32) == column) {
                    continue; // a repeat: the last one's value stays, as in the dense table
                }
                int k = (int) keyed[j];
                float v = (values == null ? 1f : values[k]) * factor;
                if (v != 0f) {
                    columns[n] = column;
                    stored[n++] = v;
                }
            }
            outStarts[r + 1] = n;
        }
        return SparseRows.of(width, outStarts, java.util.Arrays.copyOf(columns, n), java.util.Arrays.copyOf(stored, n));
    }

    /**
     * @param interactions the training interactions (only these: a history built from valid or
     *                     test rows leaks them)
     * @param entity       whose history: {@link Entity#USER} gives one row per user over the items
     * @param users        the number of users
     * @param items        the number of items
     * @param values       per interaction, the value to store instead of 1 (for example the rating
     *                     minus the training mean); null for 1
     * @param scale        how each row is scaled by its number of interactions
     * @return {@code rows x width} values, row-major, for {@link EntityTable.Builder#dense}
     */
    public static float[] of(Interactions interactions, Entity entity, int users, int items, float[] values, Scale scale) {
        requireNonNull(entity, "entity is null");
        int rows = entity == Entity.USER ? users : items;
        int width = entity == Entity.USER ? items : users;
        if ((long) rows * width > MAX_CELLS - 8) {
            throw new IllegalArgumentException("a history of " + rows + " rows x " + width + " columns has " + (long) rows * width
                    + " cells, more than one array holds (check it first with Histories.checkSize)");
        }
        // the same entries, zeros written out
        return sparse(interactions, entity, users, items, values, scale).toDense();
    }
}
