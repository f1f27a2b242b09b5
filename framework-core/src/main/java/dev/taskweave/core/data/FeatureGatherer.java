package dev.taskweave.core.data;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureKind;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.SparseRows;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Builds the encoder's input arrays for a batch of (user, item) rows by looking up each entity's
 * side features.
 */
public final class FeatureGatherer {
    private final List<FeatureSpec> features;
    private final EntityTable users;
    private final EntityTable items;
    /** Per feature: a categorical one's int[] codes, a dense one's float[] rows, or a sparse one's SparseRows. */
    private final Object[] columns;
    /**
     * Per history with a declared scale ({@link FeatureSpec#historyScale()}) that leaves the row's
     * own interaction out, per entity row, the factor that rescales the row without it ({@link
     * #ownRescale}); null for other features.
     */
    private final float[][] withoutOwnScale;
    private final boolean[] hiddenOnAttributeRows;
    /**
     * Rows whose other side is -1 stand for one side of pairs ({@link #asOneSideOfPairs}), not for
     * entity-attribute rows: nothing is hidden on them, and per-interaction values apply.
     */
    private boolean oneSideOfPairs;
    private final double[] dropout;
    private final double[] historyDropout;
    /** Histories at least this wide are gathered sparsely ({@link #sparseHistoryWidth()} unless set). */
    private int sparseHistoryWidth = sparseHistoryWidth();
    private final boolean ownUsers;
    private final boolean ownItems;
    /** True when every row's user reads as a user the model does not know ({@link #asUnknownUsers}). */
    private final boolean usersUnknown;
    /** True when every row's item reads as an item the model does not know ({@link #asUnknownItems}). */
    private final boolean itemsUnknown;
    /** Per feature, its value on each row for a per-interaction feature ({@link #forRows}), else null. */
    private final float[][] rowValues;
    /** Per feature, its value on every row ({@link #atMoment}), or NaN; a row's own value comes first. */
    private final float[] momentValues;
    /** The scores of the pair features ({@link FeatureSpec#pair()}) by feature name ({@link #withNeighbours}). */
    private final Map<String, ItemNeighbours> neighbours;
    /**
     * Scratch memory scorers gave back for the next pass ({@link #borrowScratch}): at most one per
     * scorer running at once, shared with the gatherers derived from this one (a request's moment,
     * rows of its own), which read the same features.
     */
    private final java.util.concurrent.ConcurrentLinkedDeque<Scratch> idleScratch;

    public FeatureGatherer(List<FeatureSpec> features, EntityTable users, EntityTable items) {
        this(features, users, items, Set.of());
    }

    /**
     * @param hiddenOnAttributeRows features that are also the label of an entity attribute task:
     *                              they read as unknown (code 0, zeros) on attribute rows (rows
     *                              whose other side is -1), the rows that predict them, and as
     *                              usual on interaction rows
     */
    public FeatureGatherer(List<FeatureSpec> features, EntityTable users, EntityTable items, Set<String> hiddenOnAttributeRows) {
        this(features, users, items, hiddenOnAttributeRows, true);
    }

    /**
     * @param ownUsers false when {@code users} is not the dataset's user table (a table of new
     *                 users built per request): its row indices are then not the columns of the
     *                 items' histories, and an item's history is read whole
     */
    public FeatureGatherer(List<FeatureSpec> features, EntityTable users, EntityTable items, Set<String> hiddenOnAttributeRows,
            boolean ownUsers) {
        this(features, users, items, hiddenOnAttributeRows, ownUsers, true);
    }

    /**
     * @param ownUsers false when {@code users} is not the dataset's user table (a table of new
     *                 users built per request): its row indices are then not the columns of the
     *                 items' histories, and an item's history is read whole
     * @param ownItems the same for {@code items} and the users' histories
     */
    public FeatureGatherer(List<FeatureSpec> features, EntityTable users, EntityTable items, Set<String> hiddenOnAttributeRows,
            boolean ownUsers, boolean ownItems) {
        this.ownUsers = ownUsers;
        this.ownItems = ownItems;
        this.usersUnknown = false;
        this.itemsUnknown = false;
        this.features = List.copyOf(features);
        this.rowValues = new float[this.features.size()][];
        this.momentValues = new float[this.features.size()];
        this.idleScratch = new java.util.concurrent.ConcurrentLinkedDeque<>();
        java.util.Arrays.fill(momentValues, Float.NaN);
        this.neighbours = Map.of();
        this.hiddenOnAttributeRows = new boolean[this.features.size()];
        this.dropout = new double[this.features.size()];
        this.historyDropout = new double[this.features.size()];
        for (int i = 0; i < this.features.size(); i++) {
            this.hiddenOnAttributeRows[i] = hiddenOnAttributeRows.contains(this.features.get(i).name());
        }
        this.users = requireNonNull(users, "users is null");
        this.items = requireNonNull(items, "items is null");
        this.columns = new Object[this.features.size()];
        for (int i = 0; i < this.features.size(); i++) {
            FeatureSpec f = this.features.get(i);
            EntityTable table = f.entity() == Entity.USER ? users : items;
            columns[i] = f.kind() == FeatureKind.CATEGORICAL ? table.categorical(f.name())
                    : table.isSparse(f.name()) ? table.sparse(f.name()) : table.dense(f.name());
            EntityTable counterparts = f.entity() == Entity.USER ? items : users;
            if (excludesOwn(f) && f.size() != counterparts.size()) {
                throw new IllegalArgumentException("feature " + f.name() + ": a history of the " + f.entity().name().toLowerCase(java.util.Locale.ROOT)
                        + " has one column per " + (f.entity() == Entity.USER ? "item" : "user") + " (" + counterparts.size()
                        + "), got width " + f.size());
            }
        }
        this.withoutOwnScale = new float[this.features.size()][];
        for (int i = 0; i < this.features.size(); i++) {
            FeatureSpec f = this.features.get(i);
            if (excludesOwn(f) && f.historyScale() != null) {
                withoutOwnScale[i] = ownRescale(f, columns[i], (f.entity() == Entity.USER ? users : items).size());
            }
        }
    }

    /**
     * @return per row of a history stored with {@code spec}'s scale, the factor that turns the row
     *     without one of its {@code m} stored entries into the row built from the others: {@code
     *     m / (m - 1)} for {@link dev.taskweave.api.data.Histories.Scale#MEAN}, its square root for
     *     {@code ROOT}; 1 for a row of one entry, which is empty without it
     */
    static float[] ownRescale(FeatureSpec spec, Object column, int rows) {
        float[] factors = new float[rows];
        int width = spec.size();
        for (int r = 0; r < rows; r++) {
            long m = 0;
            if (column instanceof SparseRows sparse) {
                m = sparse.start(r + 1) - sparse.start(r);
            } else {
                float[] dense = (float[]) column;
                for (int c = 0, at = r * width; c < width; c++) {
                    m += dense[at + c] != 0f ? 1 : 0;
                }
            }
            double ratio = m < 2 ? 1 : m / (m - 1.0);
            factors[r] = (float) (spec.historyScale() == dev.taskweave.api.data.Histories.Scale.MEAN ? ratio : Math.sqrt(ratio));
        }
        return factors;
    }

    private FeatureGatherer(FeatureGatherer other, float[][] rowValues, float[] momentValues) {
        this(other, other.usersUnknown, other.itemsUnknown, rowValues, momentValues, other.neighbours);
    }

    private FeatureGatherer(FeatureGatherer other, boolean usersUnknown, boolean itemsUnknown, float[][] rowValues,
            float[] momentValues, Map<String, ItemNeighbours> neighbours) {
        this.neighbours = neighbours;
        this.features = other.features;
        this.users = other.users;
        this.items = other.items;
        this.columns = other.columns;
        this.withoutOwnScale = other.withoutOwnScale;
        this.hiddenOnAttributeRows = other.hiddenOnAttributeRows;
        this.oneSideOfPairs = other.oneSideOfPairs;
        this.dropout = other.dropout;
        this.historyDropout = other.historyDropout;
        this.sparseHistoryWidth = other.sparseHistoryWidth;
        this.ownUsers = other.ownUsers;
        this.ownItems = other.ownItems;
        this.usersUnknown = usersUnknown;
        this.itemsUnknown = itemsUnknown;
        this.rowValues = rowValues;
        this.momentValues = momentValues;
        this.idleScratch = other.idleScratch;
    }

    /**
     * @return a gatherer that reads every row's user as a user the model does not know: the user
     *     id unknown (code 0), so the user's histories are unknown too, and the user's side
     *     features as they are (how a cold or new user is scored); this gatherer is unchanged
     */
    public FeatureGatherer asUnknownUsers() {
        return new FeatureGatherer(this, true, itemsUnknown, rowValues, momentValues, neighbours);
    }

    /**
     * @return a gatherer for rows that stand for one side of pairs whose other side is read apart
     *     (the factored scorer's user row, item -1): such a row is read as that side of an
     *     interaction row, not as an entity-attribute row, so the features hidden on attribute rows
     *     are read and the moment's per-interaction values ({@link #atMoment}, a request's context)
     *     apply; this gatherer is unchanged
     */
    public FeatureGatherer asOneSideOfPairs() {
        FeatureGatherer side = new FeatureGatherer(this, usersUnknown, itemsUnknown, rowValues, momentValues, neighbours);
        side.oneSideOfPairs = true;
        return side;
    }

    /**
     * @return a gatherer that reads every row's item as an item the model does not know: the item
     *     id unknown (code 0), so the item's histories are unknown too, and the item's side
     *     features as they are (how a cold or new item is scored); this gatherer is unchanged
     */
    public FeatureGatherer asUnknownItems() {
        return new FeatureGatherer(this, usersUnknown, true, rowValues, momentValues, neighbours);
    }

    /**
     * @param neighbours by pair feature ({@link FeatureSpec#pair()}, {@code features.neighbours}),
     *                   the scores it reads on a row without a value of its own: fitted on this
     *                   gatherer's user and item tables (a user or item of another table, a new one,
     *                   reads 0); empty or null for none
     * @return a gatherer that reads them; this gatherer is unchanged
     * @throws IllegalArgumentException if their tables are not the size of this gatherer's
     */
    public FeatureGatherer withNeighbours(Map<String, ItemNeighbours> neighbours) {
        Map<String, ItemNeighbours> scores = neighbours == null ? Map.of() : Map.copyOf(neighbours);
        for (Map.Entry<String, ItemNeighbours> e : scores.entrySet()) {
            ItemNeighbours n = e.getValue();
            if (ownUsers && ownItems && (n.users() != users.size() || n.items() != items.size())) {
                throw new IllegalArgumentException(e.getKey() + ": neighbourhood scores of " + n.users() + " users and " + n.items()
                        + " items for tables of " + users.size() + " and " + items.size());
            }
        }
        return new FeatureGatherer(this, usersUnknown, itemsUnknown, rowValues, momentValues, scores);
    }

    /**
     * @param columns per-interaction feature columns by feature name ({@link ExampleSet#features()},
     *                {@code Interactions.features()}), one value per row of the index arrays that
     *                {@link #gather} will get; a value of {@code NaN}, or a feature without a
     *                column, reads the entity table's value
     * @return a gatherer that reads those values on those rows (columns of features it does not
     *     read are ignored; an attribute row, whose other side is -1, reads the table as in
     *     training); this gatherer is unchanged
     * @throws IllegalArgumentException if a column names a feature that does not take a value per
     *                                  interaction
     */
    public FeatureGatherer forRows(Map<String, float[]> columns) {
        float[][] values = new float[features.size()][];
        for (Map.Entry<String, float[]> column : columns.entrySet()) {
            int f = indexOf(column.getKey());
            if (f < 0) {
                continue; // a feature the model was configured without
            }
            if (!features.get(f).perInteraction()) {
                throw new IllegalArgumentException("rows record feature " + column.getKey()
                        + ", which does not take a value per interaction");
            }
            values[f] = column.getValue();
        }
        return new FeatureGatherer(this, values, momentValues);
    }

    /**
     * @param values per-interaction feature values by feature name, encoded (a categorical code as
     *               a float, a numeric value scaled), for every row: the moment of a request
     *               ({@code /v1/recommend}'s {@code context}); a row's own value ({@link #forRows})
     *               still comes first
     * @return a gatherer that reads them on every row; this gatherer is unchanged
     * @throws IllegalArgumentException if a name is not a per-interaction feature the model reads
     */
    public FeatureGatherer atMoment(Map<String, Float> values) {
        float[] moment = momentValues.clone();
        for (Map.Entry<String, Float> value : values.entrySet()) {
            int f = indexOf(value.getKey());
            if (f < 0 || !features.get(f).perInteraction()) {
                throw new IllegalArgumentException("feature " + value.getKey() + " is not a per-interaction feature of the model");
            }
            if (features.get(f).pair()) {
                throw new IllegalArgumentException("feature " + value.getKey() + " is computed by the model for each (user, item) pair");
            }
            moment[f] = value.getValue();
        }
        return new FeatureGatherer(this, rowValues, moment);
    }

    /**
     * @return whether the moment ({@link #atMoment}) gives a value of an item-side feature: every
     *     item then reads it in place of its own, which a cache of the items' own values
     *     ({@code FactoredScorer}) does not hold
     */
    public boolean momentSetsItemFeatures() {
        for (int f = 0; f < features.size(); f++) {
            if (!Float.isNaN(momentValues[f]) && features.get(f).entity() == Entity.ITEM) {
                return true;
            }
        }
        return false;
    }

    private int indexOf(String name) {
        for (int f = 0; f < features.size(); f++) {
            if (features.get(f).name().equals(name)) {
                return f;
            }
        }
        return -1;
    }

    /**
     * @param rates per feature name, the probability of reading it as unknown on a training row
     *              (applied when {@link #gather} gets a random source, that is in training)
     * @return this gatherer with feature dropout
     */
    public FeatureGatherer withDropout(Map<String, Double> rates) {
        for (int i = 0; i < features.size(); i++) {
            dropout[i] = rates.getOrDefault(features.get(i).name(), 0.0);
        }
        return this;
    }

    /**
     * @param rates per history feature ({@link FeatureSpec#fromInteractions()}), the probability
     *              of dropping each of a training row's entries, the kept ones scaled by
     *              {@code 1 / (1 - rate)} (applied when {@link #gather} gets a random source)
     * @return this gatherer with history entry dropout
     * @throws IllegalArgumentException if a rate is outside [0, 1) or names a feature that is not
     *                                  a history
     */
    public FeatureGatherer withHistoryDropout(Map<String, Double> rates) {
        for (Map.Entry<String, Double> rate : rates.entrySet()) {
            FeatureSpec spec = features.stream().filter(f -> f.name().equals(rate.getKey())).findFirst().orElse(null);
            if (spec != null && !spec.fromInteractions()) {
                throw new IllegalArgumentException("history dropout on " + rate.getKey() + ", which is not a history feature");
            }
            if (rate.getValue() == null || !(rate.getValue() >= 0 && rate.getValue() < 1)) {
                throw new IllegalArgumentException("history dropout on " + rate.getKey() + " must be in [0, 1), got " + rate.getValue());
            }
        }
        for (int i = 0; i < features.size(); i++) {
            historyDropout[i] = rates.getOrDefault(features.get(i).name(), 0.0);
            if (historyDropout[i] > 0 && columns[i] instanceof float[] dense) {
                // thinned entry by entry: a history a source stored densely is read as its sparse rows
                columns[i] = SparseRows.fromDense(dense, features.get(i).size());
            }
        }
        return this;
    }

    /**
     * @param width the narrowest history gathered into a sparse array (1: every history; {@link
     *              #sparseHistoryWidth()} by default); for the gatherers derived from this one
     *              afterwards too
     * @return this gatherer
     */
    public FeatureGatherer withSparseHistoryWidth(int width) {
        if (width < 1) {
            throw new IllegalArgumentException("the sparse history width must be at least 1, got " + width);
        }
        this.sparseHistoryWidth = width;
        return this;
    }

    /** @return the features, in encoder input order */
    public List<FeatureSpec> features() {
        return features;
    }

    /** @return the user table */
    public EntityTable users() {
        return users;
    }

    /** @return the item table */
    public EntityTable items() {
        return items;
    }

    /**
     * Gathers the features of rows {@code order[from..to)}. An entity index of -1 (the missing
     * side of an attribute row) reads as unknown: code 0 and zero vectors.
     *
     * <p>Identifiers are gathered first (id dropout and any feature dropout set on an id), then the
     * side features. Feature dropout on a side feature applies only to rows whose entity id is
     * known after that: a row with an unknown id (an entity without one, or one whose id was just
     * dropped) keeps its side features, as a cold entity does when it is served, so the cold path
     * always trains on them. A feature derived from interactions ({@link FeatureSpec#fromInteractions()})
     * is the opposite: it reads as unknown wherever the entity's id is unknown or dropped (not where
     * an attribute task hides the id from its rows: the entity still has its history there). On
     * the row (user, item) a history never holds the row's own interaction: the user's history
     * reads without the item and the item's without the user (a training row would otherwise
     * always find itself there, and a test pair never does); a history whose scale is declared
     * ({@link FeatureSpec#historyScale()}) is then rescaled as if built without that interaction,
     * so that a positive row reads its history at the scale a negative or a test row reads its
     * own. With a random source (training),
     * history dropout ({@link #withHistoryDropout}) then thins each history that is read.
     *
     * @param userIndex user entity index per row
     * @param itemIndex item entity index per row
     * @param order     row order (null for identity)
     * @param idDropout probability of replacing an id code by 0 (unknown); 0 outside training
     * @param random    draws the dropout (may be null outside training)
     */
    public NDList gather(NDManager manager, int[] userIndex, int[] itemIndex, int[] order, int from, int to,
            double idDropout, SplittableRandom random) {
        return gather(manager, userIndex, itemIndex, order, from, to, idDropout, random, null);
    }

    /**
     * As {@link #gather(NDManager, int[], int[], int[], int, int, double, SplittableRandom)}, with
     * the dense features written into {@code scratch}'s memory instead of memory allocated for
     * this batch. The arrays returned then read that memory: they must be closed before the next
     * gather into the same scratch.
     *
     * @param scratch memory reused from one batch to the next ({@link #newScratch()}), or null
     */
    public NDList gather(NDManager manager, int[] userIndex, int[] itemIndex, int[] order, int from, int to,
            double idDropout, SplittableRandom random, Scratch scratch) {
        if (scratch != null && scratch.buffers.length != features.size()) {
            throw new IllegalArgumentException("scratch for " + scratch.buffers.length + " features, this gatherer has "
                    + features.size());
        }
        return new NDList(gather(manager, userIndex, itemIndex, order, from, to, idDropout, random, scratch, null));
    }

    /**
     * Gathers some features only of rows {@code [from, to)}, in inference (no dropout): each reads
     * exactly what {@link #gather(NDManager, int[], int[], int[], int, int, double, SplittableRandom)}
     * gives it. The ids are still read, without an array unless asked for: a history and a pair
     * feature are unknown where their entity's id is. For a scorer that has the other features
     * already (the factored scorer reads a request's pair features, {@code features.neighbours}'
     * scores, for its candidates: every feature of 1,682 candidates is 11 MB of the ml100k recipe's
     * dense user history, the cost its item-side cache avoids).
     *
     * @param positions the features to gather (input order positions, each at most once)
     * @return their arrays, in {@code positions}' order
     */
    public NDList gatherOnly(NDManager manager, int[] userIndex, int[] itemIndex, int from, int to, int[] positions) {
        boolean[] selected = new boolean[features.size()];
        for (int p : positions) {
            if (p < 0 || p >= features.size() || selected[p]) {
                throw new IllegalArgumentException("feature positions must be distinct, in [0, " + features.size() + "), got "
                        + java.util.Arrays.toString(positions));
            }
            selected[p] = true;
        }
        NDArray[] arrays = gather(manager, userIndex, itemIndex, null, from, to, 0, null, null, selected);
        NDList out = new NDList(positions.length);
        for (int p : positions) {
            out.add(arrays[p]);
        }
        return out;
    }

    /**
     * @param selected per feature, whether to gather its array (null: every feature); an id's
     *                 codes are read either way
     * @return per feature, its array, null where not selected
     */
    private NDArray[] gather(NDManager manager, int[] userIndex, int[] itemIndex, int[] order, int from, int to,
            double idDropout, SplittableRandom random, Scratch scratch, boolean[] selected) {
        int b = to - from;
        NDArray[] arrays = new NDArray[features.size()];
        int[][] idCodes = new int[2][];
        for (int f = 0; f < features.size(); f++) {
            FeatureSpec spec = features.get(f);
            if (spec.id()) {
                // the id as the entity has it (id dropout included); hidden on attribute rows only in
                // what the encoder reads, so the entity's history stays on those rows
                int[] codes = usersUnknown && spec.entity() == Entity.USER || itemsUnknown && spec.entity() == Entity.ITEM ? new int[b]
                        : gatherCodes(f, userIndex, itemIndex, order, from, b, null, idDropout, random, false);
                idCodes[spec.entity().ordinal()] = codes;
                if (selected != null && !selected[f]) {
                    continue;
                }
                int[] read = codes;
                if (hiddenOnAttributeRows[f] && !oneSideOfPairs) {
                    int[] other = spec.entity() == Entity.USER ? itemIndex : userIndex;
                    read = codes.clone();
                    for (int i = 0; i < b; i++) {
                        if (other[order == null ? from + i : order[from + i]] < 0) {
                            read[i] = 0;
                        }
                    }
                }
                arrays[f] = manager.create(read);
            }
        }
        for (int f = 0; f < features.size(); f++) {
            FeatureSpec spec = features.get(f);
            if (spec.id() || selected != null && !selected[f]) {
                continue;
            }
            int[] known = idCodes[spec.entity().ordinal()];
            if (spec.kind() == FeatureKind.CATEGORICAL) {
                arrays[f] = manager.create(gatherCodes(f, userIndex, itemIndex, order, from, b, known, 0, random, true));
            } else {
                arrays[f] = spec.pair() ? gatherPair(manager, f, userIndex, itemIndex, order, from, b, idCodes, random)
                        : gathersSparsely(spec, sparseHistoryWidth) ? gatherSparse(manager, f, userIndex, itemIndex, order, from, b, known, random)
                        : gatherDense(manager, f, userIndex, itemIndex, order, from, b, known, random, scratch);
            }
        }
        return arrays;
    }

    private int[] gatherCodes(int f, int[] userIndex, int[] itemIndex, int[] order, int from, int b, int[] idCodes,
            double idDropout, SplittableRandom random, boolean hideOnAttributeRows) {
        FeatureSpec spec = features.get(f);
        int[] entity = spec.entity() == Entity.USER ? userIndex : itemIndex;
        int[] other = !hideOnAttributeRows || !hiddenOnAttributeRows[f] || oneSideOfPairs ? null
                : spec.entity() == Entity.USER ? itemIndex : userIndex;
        double drop = random == null ? 0 : dropout[f];
        int[] codes = (int[]) columns[f];
        int[] counterpart = spec.entity() == Entity.USER ? itemIndex : userIndex;
        int[] batch = new int[b];
        for (int i = 0; i < b; i++) {
            int row = order == null ? from + i : order[from + i];
            boolean hidden = other != null && other[row] < 0 || withoutId(spec, idCodes, i) || dropped(drop, idCodes, i, random);
            int index = hidden ? -1 : entity[row];
            batch[i] = index < 0 ? 0 : (counterpart[row] >= 0 || oneSideOfPairs) && perRow(f, row) ? (int) rowValue(f, row) : codes[index];
            if (spec.id() && idDropout > 0 && random.nextDouble() < idDropout) {
                batch[i] = 0;
            }
        }
        return batch;
    }

    /**
     * What gathering feature {@code f} reads per row: its entity's and the other side's indices,
     * the other side again where the feature is hidden on attribute rows (else null), the dropout
     * rates drawn with a random source (0 without), and its column, dense or sparse.
     */
    private record Read(FeatureSpec spec, int[] entity, int[] counterpart, int[] other, double drop, double thin, float[] values,
            SparseRows sparse) {
        /** @return whether batch row {@code i} (table row {@code row}) reads its value: {@link #reads} */
        boolean row(int row, int[] idCodes, int i, SplittableRandom random) {
            return reads(spec, entity[row], other == null ? 0 : other[row], idCodes, i, drop, random);
        }
    }

    private Read read(int f, int[] userIndex, int[] itemIndex, SplittableRandom random) {
        FeatureSpec spec = features.get(f);
        int[] counterpart = spec.entity() == Entity.USER ? itemIndex : userIndex;
        return new Read(spec, spec.entity() == Entity.USER ? userIndex : itemIndex, counterpart,
                !hiddenOnAttributeRows[f] || oneSideOfPairs ? null : counterpart, random == null ? 0 : dropout[f],
                random == null ? 0 : historyDropout[f],
                columns[f] instanceof float[] dense ? dense : null, columns[f] instanceof SparseRows rows ? rows : null);
    }

    private NDArray gatherDense(NDManager manager, int f, int[] userIndex, int[] itemIndex, int[] order, int from, int b,
            int[] idCodes, SplittableRandom random, Scratch scratch) {
        Read read = read(f, userIndex, itemIndex, random);
        FeatureSpec spec = read.spec();
        int[] entity = read.entity();
        int[] counterpart = read.counterpart();
        double thin = read.thin();
        float[] values = read.values();
        SparseRows sparse = read.sparse();
        int width = spec.size();
        // written straight into native-order memory that the array then wraps (DJL copies a Java
        // float[] into such a buffer first): a history row is thousands of floats wide, and the
        // intermediate array cost about as much as the rest of gathering. A new buffer starts
        // zeroed (rows left out stay zero) and lives as long as the array; a scratch buffer holds
        // the previous batch, so rows left out are zeroed here.
        long size = (long) b * width * Float.BYTES;
        if (size > MAX_DENSE_BYTES) {
            throw new IllegalArgumentException("feature " + spec.name() + ": a batch of " + b + " rows x " + width + " values x 4 bytes"
                    + " is " + size + " bytes, more than the " + MAX_DENSE_BYTES + " one buffer holds; the largest batch it fits in is "
                    + largestBatch(width) + " rows (a multi-hot or numeric feature, or a history narrower than " + sparseHistoryWidth
                    + " columns, is gathered densely)");
        }
        ByteBuffer bytes = scratch == null ? manager.allocateDirect((int) size) : scratch.take(f, (int) size);
        FloatBuffer batch = bytes.asFloatBuffer();
        for (int i = 0; i < b; i++) {
            int row = order == null ? from + i : order[from + i];
            if (read.row(row, idCodes, i, random)) {
                float rescale = ownRescale(f, entity[row], counterpart[row]);
                if ((counterpart[row] >= 0 || oneSideOfPairs) && perRow(f, row)) {
                    batch.put(i * width, rowValue(f, row));
                } else if (sparse != null) {
                    if (scratch != null) {
                        batch.put(i * width, scratch.zeros(width), 0, width);
                    }
                    scatter(batch, i * width, sparse, entity[row], thin, random, rescale);
                } else if (rescale != 1f) {
                    for (int c = 0, at = entity[row] * width; c < width; c++) {
                        batch.put(i * width + c, values[at + c] * rescale);
                    }
                } else {
                    batch.put(i * width, values, entity[row] * width, width);
                }
                if (excludesOwn(spec) && counterpart[row] >= 0) {
                    // the row's own interaction is not part of the history it reads
                    batch.put(i * width + counterpart[row], 0f);
                }
            } else if (scratch != null) {
                batch.put(i * width, scratch.zeros(width), 0, width);
            }
        }
        return manager.create(bytes, new Shape(b, width), DataType.FLOAT32);
    }

    /**
     * As {@link #gatherDense}, into a sparse {@code [b, width]} array (COO): the non-zero entries
     * only, so that a batch of a history takes memory in proportion to the entries its rows have,
     * not to the width. The same rows are read, with the same draws of the random source in the
     * same order, as the dense gathering does; the encoder's product with the projection is then
     * the same sum of the same terms, added in another order.
     */
    private NDArray gatherSparse(NDManager manager, int f, int[] userIndex, int[] itemIndex, int[] order, int from, int b,
            int[] idCodes, SplittableRandom random) {
        Read read = read(f, userIndex, itemIndex, random);
        FeatureSpec spec = read.spec();
        int[] entity = read.entity();
        int[] counterpart = read.counterpart();
        double thin = read.thin();
        float keep = kept(thin);
        float[] values = read.values();
        SparseRows sparse = read.sparse();
        int width = spec.size();
        boolean withoutOwn = excludesOwn(spec);
        // sized for the rows' stored entries, grown when a densely stored row holds more
        long stored = 0;
        for (int i = 0; sparse != null && i < b; i++) {
            int index = entity[order == null ? from + i : order[from + i]];
            stored += index < 0 ? 0 : sparse.start(index + 1) - sparse.start(index);
        }
        Entries out = new Entries((int) Math.min(stored, MAX_ENTRIES - 16) + 16, spec.name(), b);
        for (int i = 0; i < b; i++) {
            int row = order == null ? from + i : order[from + i];
            if (!read.row(row, idCodes, i, random)) {
                continue;
            }
            // the row's own interaction is not part of the history it reads (a history, multi-hot,
            // takes no value per interaction row)
            int own = withoutOwn && counterpart[row] >= 0 ? counterpart[row] : -1;
            float rescale = ownRescale(f, entity[row], own);
            if (sparse != null) {
                int[] columns = sparse.columns();
                float[] entries = sparse.values();
                for (int k = sparse.start(entity[row]); k < sparse.start(entity[row] + 1); k++) {
                    // each stored entry draws, as in the dense gathering, before the own one is left out
                    float v = thinned(entries[k], thin, keep, random);
                    if (v != 0f && columns[k] != own) {
                        out.add(i, columns[k], v * rescale);
                    }
                }
            } else {
                for (int c = 0, at = entity[row] * width; c < width; c++) {
                    float v = values[at + c];
                    if (v != 0f && c != own) {
                        out.add(i, c, v * rescale);
                    }
                }
            }
        }
        return coo(manager, out.indices(), out.values, out.size, new Shape(b, width));
    }

    /** The most entries one sparse batch of a feature holds (its indices are one array of twice as many). */
    private static final int MAX_ENTRIES = (Integer.MAX_VALUE - 8) / 2;

    /**
     * The bytes one entry of a sparse history takes while its batch is gathered and handed over
     * (rows, columns and values on the heap, their copy in native memory and PyTorch's own copy),
     * for sizing scoring passes ({@link #passEnd}).
     */
    static final int SPARSE_ENTRY_BYTES = 64;

    /**
     * The end of a pass over rows {@code [from, n)} whose gathered features stay within about
     * {@code maxBytes}: per row, a batch of the widest dense feature ({@link #widestDense}) takes
     * its width in floats, and each history gathered sparsely {@link #SPARSE_ENTRY_BYTES} per
     * entry of the row's entity. A scorer of every item for one user reads the user's history on
     * every row, and the items' histories hold every interaction.
     *
     * @param userIndex user entity index per row (-1: none)
     * @param itemIndex item entity index per row (-1: none)
     * @return the first row after the pass, above {@code from} (a row that takes more than
     *     {@code maxBytes} alone is a pass of its own)
     */
    public int passEnd(int[] userIndex, int[] itemIndex, int from, int n, long maxBytes) {
        FeatureSpec widest = widestDense(features, sparseHistoryWidth);
        long denseRow = widest == null ? 0 : (long) widest.size() * Float.BYTES;
        long bytes = 0;
        int to = from;
        while (to < n) {
            long row = denseRow;
            for (int f = 0; f < features.size(); f++) {
                FeatureSpec spec = features.get(f);
                if (gathersSparsely(spec, sparseHistoryWidth)) {
                    int index = spec.entity() == Entity.USER ? userIndex[to] : itemIndex[to];
                    long entries = index < 0 ? 0 : columns[f] instanceof SparseRows rows ? rows.start(index + 1) - rows.start(index) : spec.size();
                    row += entries * SPARSE_ENTRY_BYTES;
                }
            }
            if (to > from && bytes + row > maxBytes) {
                break;
            }
            bytes += row;
            to++;
        }
        return to;
    }

    /** A batch's sparse entries as they are gathered: rows, columns and values, grown as needed. */
    private static final class Entries {
        private final String feature;
        private final int batch;
        private long[] rows;
        private long[] columns;
        private float[] values;
        private int size;

        Entries(int capacity, String feature, int batch) {
            this.feature = feature;
            this.batch = batch;
            this.rows = new long[capacity];
            this.columns = new long[capacity];
            this.values = new float[capacity];
        }

        void add(int row, int column, float value) {
            if (size == values.length) {
                if (size >= MAX_ENTRIES) {
                    throw new IllegalArgumentException("feature " + feature + ": a batch of " + batch + " rows holds more than "
                            + size + " history entries, more than one array may; lower the batch size");
                }
                int capacity = (int) Math.min(MAX_ENTRIES, 2L * size);
                rows = java.util.Arrays.copyOf(rows, capacity);
                columns = java.util.Arrays.copyOf(columns, capacity);
                values = java.util.Arrays.copyOf(values, capacity);
            }
            rows[size] = row;
            columns[size] = column;
            values[size++] = value;
        }

        /** @return the rows, then the columns, {@code 2 size} values */
        long[] indices() {
            long[] indices = java.util.Arrays.copyOf(rows, 2 * size);
            System.arraycopy(columns, 0, indices, size, size);
            return indices;
        }
    }

    /**
     * @param indices the entries' rows, then their columns ({@code 2 n} values)
     * @return a sparse (COO) array of {@code n} entries, whose indices and values PyTorch owns.
     *     Not {@link NDManager#createCoo}: it builds them on Java buffers and closes the arrays that
     *     held those buffers before it returns, so that a garbage collection frees the memory the
     *     sparse array still reads (a training run then failed in its first epoch with "index out
     *     of column bound: 139969766745136")
     */
    static NDArray coo(NDManager manager, long[] indices, float[] values, int n, Shape shape) {
        try (NDArray onIndices = manager.create(indices, new Shape(2, n));
                NDArray onValues = manager.create(FloatBuffer.wrap(values, 0, n), new Shape(n), DataType.FLOAT32);
                PtNDArray ownIndices = JniUtils.clone((PtNDArray) onIndices);
                PtNDArray ownValues = JniUtils.clone((PtNDArray) onValues)) {
            // the sparse array refers to the copies' storage, which outlives their handles closed here
            return JniUtils.createSparseCoo(ownIndices, ownValues, shape);
        }
    }

    /**
     * A history at least this many columns wide (the number of items for a user's history, of users
     * for an item's) is gathered into a sparse array of its entries ({@link #gatherSparse}), a
     * narrower one densely. A dense batch costs batch × width floats to fill, copy and multiply
     * whatever the rows hold, and its one buffer limits the batch ({@link #MAX_DENSE_BYTES}); below
     * this width the dense product is as fast, and the published figures were measured with it
     * (a sparse product adds the same terms in another order). {@link #SPARSE_HISTORY_WIDTH_PROPERTY}
     * sets another.
     */
    public static final int SPARSE_HISTORY_WIDTH = 8192;

    /** The JVM system property that sets another width than {@link #SPARSE_HISTORY_WIDTH}. */
    public static final String SPARSE_HISTORY_WIDTH_PROPERTY = "taskweave.sparseHistoryWidth";

    /**
     * @return the narrowest history gathered sparsely: the system property {@value
     *     #SPARSE_HISTORY_WIDTH_PROPERTY} when set (1 gathers every history sparsely), else {@link
     *     #SPARSE_HISTORY_WIDTH}
     * @throws IllegalArgumentException if the property is not a whole number of at least 1
     */
    public static int sparseHistoryWidth() {
        String value = System.getProperty(SPARSE_HISTORY_WIDTH_PROPERTY);
        if (value == null) {
            return SPARSE_HISTORY_WIDTH;
        }
        try {
            int width = Integer.parseInt(value.trim());
            if (width >= 1) {
                return width;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("system property " + SPARSE_HISTORY_WIDTH_PROPERTY + ": expected a whole number of"
                + " columns of at least 1 (the narrowest history gathered sparsely), got '" + value + "'");
    }

    /** @return true when {@code spec} is a history gathered into a sparse array at that width */
    private static boolean gathersSparsely(FeatureSpec spec, int width) {
        return spec.fromInteractions() && spec.kind() == FeatureKind.MULTI_HOT && spec.size() >= width;
    }

    /**
     * A pair feature ({@link FeatureSpec#pair()}): a row's own value, else the score of its pair;
     * 0 where the user's or the item's id is unknown or dropped (a cold user or item has no
     * ratings to score), on attribute rows, and where feature dropout hides it.
     */
    private NDArray gatherPair(NDManager manager, int f, int[] userIndex, int[] itemIndex, int[] order, int from, int b,
            int[][] idCodes, SplittableRandom random) {
        FeatureSpec spec = features.get(f);
        ItemNeighbours neighbours = this.neighbours.get(spec.name());
        if (neighbours == null) {
            throw new IllegalStateException("feature " + spec.name() + " is a pair feature, and this gatherer has no"
                    + " neighbourhood scores for it (withNeighbours)");
        }
        int[] userCodes = idCodes[Entity.USER.ordinal()];
        int[] itemCodes = idCodes[Entity.ITEM.ordinal()];
        double drop = random == null ? 0 : dropout[f];
        boolean scored = ownUsers && ownItems;
        ItemNeighbours.Scorer scorer = new ItemNeighbours.Scorer();
        float[] batch = new float[b];
        for (int i = 0; i < b; i++) {
            int row = order == null ? from + i : order[from + i];
            int user = userIndex[row];
            int item = itemIndex[row];
            if (user < 0 || item < 0 || usersUnknown || itemsUnknown || withoutId(spec, userCodes, i) || withoutId(spec, itemCodes, i)
                    || dropped(drop, itemCodes, i, random)) {
                continue;
            }
            batch[i] = perRow(f, row) ? rowValue(f, row) : scored ? neighbours.score(user, item, scorer) : 0f;
        }
        return manager.create(batch, new Shape(b, 1));
    }

    /**
     * Whether a dense or sparse gathering reads batch row {@code i}'s value of {@code spec} (else it
     * stays zero): its entity is known, the row is no attribute row that hides it, and, for a history,
     * the entity's id is known; then feature dropout is drawn, on rows whose id is known.
     *
     * @param entity the row's entity index (-1: none)
     * @param other  the row's other side when the feature is hidden on attribute rows (-1 there), else 0
     */
    private static boolean reads(FeatureSpec spec, int entity, int other, int[] idCodes, int i, double drop, SplittableRandom random) {
        return entity >= 0 && other >= 0 && !withoutId(spec, idCodes, i) && !dropped(drop, idCodes, i, random);
    }

    /**
     * Writes row {@code index} of a sparse table into a zeroed row of the batch at {@code at}, with
     * history entry dropout at {@code rate} (0 for none): each entry, in column order, dropped with
     * probability {@code rate} and the others scaled by {@code 1 / (1 - rate)}; zeros, not stored,
     * draw nothing.
     */
    private static void scatter(FloatBuffer batch, int at, SparseRows rows, int index, double rate, SplittableRandom random,
            float rescale) {
        int[] columns = rows.columns();
        float[] values = rows.values();
        float keep = kept(rate);
        for (int k = rows.start(index); k < rows.start(index + 1); k++) {
            batch.put(at + columns[k], thinned(values[k], rate, keep, random) * rescale);
        }
    }

    /**
     * @param index the row's entity (at least 0)
     * @param own   the row's counterpart, whose entry the history leaves out (-1: none)
     * @return the factor that scales entity {@code index}'s history of feature {@code f} without
     *     its entry {@code own} as if it had been built without it ({@link FeatureSpec#historyScale()});
     *     1 when the feature declares no scale, or the row does not hold that entry (it reads as
     *     stored: a sampled negative's, a test pair's)
     */
    private float ownRescale(int f, int index, int own) {
        float[] factors = withoutOwnScale[f];
        if (factors == null || own < 0) {
            return 1f;
        }
        return stored(columns[f], features.get(f).size(), index, own) != 0f ? factors[index] : 1f;
    }

    /** @return the value a history stored densely ({@code float[]}) or sparsely stores at ({@code row}, {@code column}) */
    private static float stored(Object table, int width, int row, int column) {
        return table instanceof SparseRows sparse ? sparse.get(row, column) : ((float[]) table)[row * width + column];
    }

    /** @return the scale of an entry history dropout at {@code rate} keeps: {@code 1 / (1 - rate)} (1 without) */
    private static float kept(double rate) {
        return rate > 0 ? (float) (1 / (1 - rate)) : 1f;
    }

    /**
     * @return a stored history entry as history dropout at {@code rate} reads it: 0 with probability
     *     {@code rate}, else scaled by {@code keep}; one draw per entry (none without dropout), so
     *     dense and sparse gathering draw alike
     */
    private static float thinned(float value, double rate, float keep, SplittableRandom random) {
        return rate > 0 ? random.nextDouble() < rate ? 0f : value * keep : value;
    }

    /**
     * The most bytes one batch of one dense feature (a history, a multi-hot or numeric feature) may
     * take: it is gathered into one buffer, whose capacity is an int.
     */
    public static final long MAX_DENSE_BYTES = Integer.MAX_VALUE;

    /** @return the largest batch of rows for which a dense feature {@code width} floats wide fits in one buffer */
    public static int largestBatch(int width) {
        return largestBatch(width, MAX_DENSE_BYTES);
    }

    /** @return the largest batch of rows of {@code width} floats that fits in {@code maxBytes} */
    public static int largestBatch(int width, long maxBytes) {
        return (int) Math.min(Integer.MAX_VALUE, maxBytes / ((long) Math.max(1, width) * Float.BYTES));
    }

    /**
     * @return the widest feature that {@link #gather} writes densely, one row of {@link FeatureSpec#size()}
     *     floats per example (what limits the batch size), or null when there is none
     */
    public static FeatureSpec widestDense(List<FeatureSpec> features) {
        return widestDense(features, sparseHistoryWidth());
    }

    private static FeatureSpec widestDense(List<FeatureSpec> features, int sparseHistoryWidth) {
        FeatureSpec widest = null;
        for (FeatureSpec f : features) {
            if (!f.id() && f.kind() != FeatureKind.CATEGORICAL && !f.pair() && !gathersSparsely(f, sparseHistoryWidth)
                    && (widest == null || f.size() > widest.size())) {
                widest = f;
            }
        }
        return widest;
    }

    /** @return memory for {@link #gather(NDManager, int[], int[], int[], int, int, double, SplittableRandom, Scratch)} to reuse */
    public Scratch newScratch() {
        return new Scratch(features.size());
    }

    /**
     * Scratch memory for a scorer's passes: one that a scorer of this gatherer, or of one derived
     * from it, gave back ({@link #releaseScratch}), or new. Scoring every item for one user into
     * memory allocated per call spent about half its time in the kernel zeroing the fresh pages
     * (the ml100k recipe's user history is 1,683 floats a row, 11 MB over 1,682 items).
     */
    public Scratch borrowScratch() {
        Scratch idle = idleScratch.pollFirst();
        return idle != null ? idle : newScratch();
    }

    /**
     * Gives scratch memory back for the next scorer, once the arrays gathered into it are closed.
     * One that holds more than {@link #RETAINED_SCRATCH_BYTES} is dropped instead, so that a server
     * does not keep a rare large pass's memory for good.
     */
    public void releaseScratch(Scratch scratch) {
        if (scratch != null && scratch.buffers.length == features.size() && scratch.bytes() <= RETAINED_SCRATCH_BYTES) {
            idleScratch.offerFirst(scratch);
        }
    }

    /** The most native bytes a scratch given back is kept with ({@link #releaseScratch}). */
    static final long RETAINED_SCRATCH_BYTES = 64L << 20;

    /**
     * Native memory for the dense features of successive batches, reused from one to the next.
     * Allocating it per batch costs more than filling it when rows are thousands of floats wide
     * (fresh pages are zeroed twice, by the kernel and by the JVM). For one caller at a time: the
     * arrays of one gather read it and must be closed before the next gather into it.
     */
    public static final class Scratch {
        private final ByteBuffer[] buffers;
        private float[] zeros = new float[0];

        private Scratch(int features) {
            this.buffers = new ByteBuffer[features];
        }

        /** @return feature {@code f}'s buffer, {@code bytes} long, in native order; grown when too small */
        ByteBuffer take(int f, int bytes) {
            ByteBuffer buffer = buffers[f];
            if (buffer == null || buffer.capacity() < bytes) {
                buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
                buffers[f] = buffer;
            }
            // the array reads `bytes` from the start: a limit above that would make DJL warn and trim
            return buffer.duplicate().order(ByteOrder.nativeOrder()).clear().limit(bytes);
        }

        float[] zeros(int width) {
            if (zeros.length < width) {
                zeros = new float[width];
            }
            return zeros;
        }

        /** @return the native bytes its buffers hold */
        long bytes() {
            long total = 0;
            for (ByteBuffer b : buffers) {
                total += b == null ? 0 : b.capacity();
            }
            return total;
        }
    }

    /**
     * @return true when {@code spec} is a history whose columns are the other side's entities in
     *     this gatherer's tables: on the row (user, item) it reads without the row's own counterpart
     */
    private boolean excludesOwn(FeatureSpec spec) {
        return spec.fromInteractions() && spec.kind() == FeatureKind.MULTI_HOT && (spec.entity() == Entity.USER ? ownItems : ownUsers);
    }

    /**
     * The rows whose features depend on the pair and not only on each side: those where a history
     * holds the row's own interaction, which {@link #gather} leaves out. A scorer that encodes the
     * user and the items separately must score these rows as pairs.
     *
     * @param user       the user's index in this gatherer's user table
     * @param candidates item indices, or null for every item
     * @return positions in {@code candidates} (item indices when null), ascending
     */
    public int[] pairDependentRows(int user, int[] candidates) {
        int n = candidates == null ? items.size() : candidates.length;
        boolean[] marked = new boolean[n];
        boolean any = false;
        for (int f = 0; f < features.size(); f++) {
            FeatureSpec spec = features.get(f);
            if (!excludesOwn(spec)) {
                continue;
            }
            for (int r = 0; r < n; r++) {
                int item = candidates == null ? r : candidates[r];
                float v = spec.entity() == Entity.USER ? stored(columns[f], spec.size(), user, item)
                        : stored(columns[f], spec.size(), item, user);
                if (v != 0f) {
                    marked[r] = true;
                    any = true;
                }
            }
        }
        if (!any) {
            return new int[0];
        }
        return java.util.stream.IntStream.range(0, n).filter(r -> marked[r]).toArray();
    }

    /** @return true when row {@code row} has a value of feature {@code f} of its own or of the moment's */
    private boolean perRow(int f, int row) {
        return !Float.isNaN(rowValue(f, row));
    }

    /** @return row {@code row}'s own value of feature {@code f}, else the moment's, else NaN */
    private float rowValue(int f, int row) {
        float own = rowValues[f] == null ? Float.NaN : rowValues[f][row];
        return Float.isNaN(own) ? momentValues[f] : own;
    }

    /** @return true when {@code spec} is derived from interactions and row {@code i}'s entity id is unknown */
    private static boolean withoutId(FeatureSpec spec, int[] idCodes, int i) {
        return spec.fromInteractions() && idCodes != null && idCodes[i] == 0;
    }

    /** Draws feature dropout for row {@code i}; never on a row whose entity id is unknown. */
    private static boolean dropped(double drop, int[] idCodes, int i, SplittableRandom random) {
        return drop > 0 && (idCodes == null || idCodes[i] != 0) && random.nextDouble() < drop;
    }
}
