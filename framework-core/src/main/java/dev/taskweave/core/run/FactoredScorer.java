package dev.taskweave.core.run;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.FeatureKind;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.core.data.FeatureGatherer;
import dev.taskweave.core.model.InputEncoder;
import dev.taskweave.core.model.MultiTaskBlock;
import dev.taskweave.core.model.TaskDependency;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Scores many items for one user without running the sharing strategy's first layer, nor the
 * tasks' wide parts, on every (user, item) row.
 *
 * <p>When the sharing strategy reads the encoded input {@code x} only through an affine map
 * {@code z = x W^T + b} ({@link dev.taskweave.api.model.AffineInput}), and {@code x} is the
 * concatenation of user columns, item columns and the user-id times item-id product {@code u ⊙ i},
 * then {@code z = x_user W_user^T + (x_item W_item^T + b) + (u ⊙ i) W_prod^T}. The item part is
 * computed once for every item when the scorer is built; per request only the user part (one
 * row) and the product part ({@code i (diag(u) W_prod^T)}, a {@code [items, dim] x [dim, units]}
 * product) are computed, then the rest of the graph runs on {@code z}. The scores equal
 * {@link TaskScorer}'s up to float rounding. A history feature reads without the row's own
 * interaction ({@link FeatureGatherer#pairDependentRows}), which depends on the pair: the user's
 * items that are in those histories are scored as pairs, through {@link TaskScorer}.
 *
 * <p>A task's wide part ({@code tasks[i].wide}, {@code tasks[i].wideFeatures},
 * {@code features.wide}) is an affine map too ({@link MultiTaskBlock#wideMap}):
 * {@code x W_e^T + own(f) W_o^T + b}, where {@code own} embeds the part's features with tables of
 * its own. That encoder appends no id product, and the columns of each of its features depend on
 * that feature's gathered value alone (a table row, a multi-hot row divided by its own sum, a
 * history projected, a number passed through), which in inference depends on the feature's entity
 * alone (a history or a pair score reads as unknown where its entity's id is, an id of the same
 * row; dropout draws only in training), apart from a pair feature ({@link FeatureSpec#pair()},
 * {@code features.neighbours}' score), which is the pair's. So the part splits as the sharing
 * map does: its user columns are mapped per request from the user row, its item columns with its
 * bias once per item, the id product of {@code x} per request, and its pair features, numbers the
 * encoder passes through, are gathered per request for the candidates only
 * ({@link FeatureGatherer#gatherOnly}: not every feature of every candidate, which is the cost the
 * cache avoids) and multiplied by their columns of {@code W_o}. Each part's output is then added to
 * its head's raw output where the forward pass adds it, before a task that depends on it reads it
 * and before the calibration ({@link MultiTaskBlock#forwardMapped(ParameterStore, NDArray,
 * boolean[], boolean, NDArray, NDArray[])}). Every task is covered: a pair feature is one
 * numeric column ({@link FeatureSpec}'s rule), which the part's encoder passes through.
 *
 * <p>Built per loaded model version; the cached arrays live in a sub-manager of the model's
 * manager and are freed by {@link #close()}. Requests may call {@link #score} concurrently.
 */
public final class FactoredScorer implements AutoCloseable {
    private final AssembledModel model;
    private final NDManager cache;
    private final int itemCount;
    /** The sharing strategy's input map, over the encoded row. */
    private final SplitMap sharing;
    /**
     * Every wide part's map side by side, its units at {@link #wideOffsets}, over the encoded row
     * followed by the columns of each part's own encoder ({@link #own}); null when no task has a
     * wide part.
     */
    private final SplitMap wide;
    /** Per task, the first of its wide part's units in {@link #wide}'s output; -1 without a wide part. */
    private final int[] wideOffsets;
    /** Per task, its wide part's units (its head's output width); 0 without a wide part. */
    private final int[] wideUnits;
    /** Per task, whether its wide part reads a pair feature. */
    private final boolean[] readsPair;
    /** The wide parts' own encoders, in the order of their columns in {@link #wide}'s row. */
    private final List<Own> own;
    /** The pair features the wide parts read: input positions, each once. */
    private final int[] pairPositions;
    /** Per pair column of {@link #wide}'s row, in order, its feature's index in {@link #pairPositions}. */
    private final int[] pairColumns;
    /** {@code [items, dim]}: every item's id embedding; null without the product. */
    private final NDArray itemIds;
    private final long userIdStart;
    private final long dim;
    /** Per item, whether the model does not know it (its id code is 0); null when it knows every item. */
    private final boolean[] unknownItems;
    /** Per task, the task it depends on (ESMM, AITM: its forward pass runs that one's), or -1. */
    private final int[] parentOf;

    /**
     * An affine map of a row split by what its columns depend on.
     *
     * @param userMap    {@code [columns, units]}: the map with every column but the user's zeroed,
     *                   transposed (per request, times the user row)
     * @param itemPart   {@code [items, units]}: every item's item columns mapped, plus the bias
     * @param productMap {@code [dim, units]}: the map's columns of the id product, transposed; null
     *                   without the product
     * @param pairMap    {@code [pair columns, units]}: the map's columns of the pair features,
     *                   transposed (per request, times the candidates' values); null without
     */
    private record SplitMap(NDArray userMap, NDArray itemPart, NDArray productMap, NDArray pairMap) {
        /**
         * @param userRow {@code [1, columns]}: the user row (its other columns are not read)
         * @param userId  {@code [1, dim]}: the user's id embedding; null without the product
         * @param index   the candidates' item indices, or null for every item
         * @param ids     {@code [n, dim]}: the candidates' id embeddings; null without the product
         * @param pairs   {@code [n, pair columns]}: the candidates' pair features, or null to leave
         *                them out (no task that reads them is scored)
         * @return {@code [n, units]}: the map of each (user, candidate) row
         */
        NDArray apply(NDArray userRow, NDArray userId, NDArray index, NDArray ids, NDArray pairs) {
            NDArray userPart = userRow.matMul(userMap); // [1, units]
            NDArray items = index == null ? itemPart : Embedding.embedding(index, itemPart, SparseFormat.DENSE).singletonOrThrow();
            NDArray z;
            if (productMap != null) {
                NDArray scaled = userId.transpose().mul(productMap); // diag(u) W_prod^T: [dim, units]
                z = ids.matMul(scaled); // a fresh [n, units] array: the sums go into it in place
                z.addi(items);
                z.addi(userPart);
            } else {
                z = userPart.add(items); // [1, units] + [n, units]
            }
            if (pairMap != null && pairs != null) {
                z.addi(pairs.matMul(pairMap));
            }
            return z;
        }

        /** @return its arrays, for the cache */
        List<NDArray> arrays() {
            List<NDArray> arrays = new ArrayList<>(List.of(userMap, itemPart));
            if (productMap != null) {
                arrays.add(productMap);
            }
            if (pairMap != null) {
                arrays.add(pairMap);
            }
            return arrays;
        }
    }

    /** A wide part's own encoder and the input positions of its features, in the encoder's order. */
    private record Own(InputEncoder encoder, int[] positions) {
        /** @return the encoder's output on rows whose every feature was gathered into {@code inputs} */
        NDArray encode(ParameterStore ps, NDList inputs) {
            NDList mine = new NDList(positions.length);
            for (int p : positions) {
                mine.add(inputs.get(p));
            }
            return encoder.forward(ps, mine, false).singletonOrThrow();
        }
    }

    /** What a column of a row mapped by a {@link SplitMap} depends on. */
    private enum Side {
        USER, ITEM, PRODUCT, PAIR
    }

    private FactoredScorer(AssembledModel model, NDManager cache, int itemCount, SplitMap sharing, SplitMap wide, WideParts parts,
            NDArray itemIds, long userIdStart, long dim, boolean[] unknownItems) {
        this.model = model;
        this.cache = cache;
        this.itemCount = itemCount;
        this.sharing = sharing;
        this.wide = wide;
        this.wideOffsets = parts.offsets;
        this.wideUnits = parts.units;
        this.readsPair = parts.readsPair;
        this.own = List.copyOf(parts.own);
        this.pairPositions = parts.pairPositions();
        this.pairColumns = parts.pairColumns();
        this.itemIds = itemIds;
        this.userIdStart = userIdStart;
        this.dim = dim;
        this.unknownItems = unknownItems;
        this.parentOf = new int[model.block().taskCount()];
        Arrays.fill(parentOf, -1);
        for (TaskDependency d : model.block().dependencies()) {
            parentOf[d.child()] = d.parent();
        }
    }

    /**
     * @return whether the encoded input holds a pair feature: one left to the wide parts
     *     ({@code features.wideOnly}) is not in it, and the wide parts read theirs per request
     */
    static boolean readsPairFeature(InputEncoder encoder) {
        List<FeatureSpec> features = encoder.features();
        return IntStream.range(0, features.size()).anyMatch(i -> encoder.encodes(i) && features.get(i).pair());
    }

    /**
     * @return why {@link #create} gives no scorer for {@code model}, or null when it may give one
     *     (the sharing strategy can still decline: see {@link #create})
     */
    public static String unavailable(AssembledModel model) {
        if (readsPairFeature(model.block().encoder())) {
            return "the encoder reads a pair feature (features.neighbours; features.wideOnly leaves it to the wide parts)";
        }
        return null;
    }

    /**
     * Precomputes the item side for every item of {@code gatherer}'s item table: of the sharing
     * strategy's input map and of every wide part.
     *
     * @param gatherer the model's features over its user and item tables, hiding nothing (the item
     *                 rows, which have no user, must read every item feature), with the pair
     *                 features' scores if the model has any ({@link FeatureGatherer#withNeighbours})
     * @param manager  the model's manager; the cache lives in a sub-manager of it
     * @return the scorer, or null when the graph cannot be factored (the sharing strategy does not
     *     implement {@code AffineInput} or returns no map, or the encoder reads a pair feature such
     *     as {@code features.neighbours}' score)
     */
    public static FactoredScorer create(AssembledModel model, FeatureGatherer gatherer, NDManager manager) {
        requireNonNull(model, "model is null");
        requireNonNull(gatherer, "gatherer is null");
        requireNonNull(manager, "manager is null");
        MultiTaskBlock block = model.block();
        InputEncoder encoder = block.encoder();
        int items = gatherer.items().size();
        if (unavailable(model) != null) {
            return null; // a pair feature in the encoded input ties the item side to the user
        }
        boolean recording = JniUtils.isGradMode();
        if (recording) {
            JniUtils.setGradMode(false);
        }
        NDManager cache = manager.newSubManager();
        // the scope frees every intermediate array, whichever manager an operation attached it to
        try (NDScope scope = new NDScope(); NDManager work = manager.newSubManager()) {
            ParameterStore ps = new ParameterStore(work, false);
            NDList map = block.sharingInputMap(ps, work.getDevice());
            if (map == null || items == 0) {
                cache.close();
                return null;
            }
            NDArray w = map.get(0);
            NDArray b = map.get(1);
            int width = encoder.outputWidth();
            if (w.getShape().dimension() != 2 || w.getShape().get(1) != width || b.getShape().size() != w.getShape().get(0)) {
                throw new IllegalStateException("the sharing strategy's input map has shapes " + w.getShape() + " and "
                        + b.getShape() + " for an encoded width of " + width);
            }
            // the encoded row: each encoded feature's columns by its entity (no pair feature: unavailable), then the product
            List<Side> encodedSides = new ArrayList<>();
            List<FeatureSpec> features = encoder.features();
            int[] starts = encoder.columnStarts();
            for (int f = 0; f < features.size(); f++) {
                int columns = (f + 1 < starts.length ? starts[f + 1] : encoder.productStart() >= 0 ? encoder.productStart() : width)
                        - starts[f];
                for (int c = 0; c < columns; c++) {
                    encodedSides.add(features.get(f).entity() == Entity.USER ? Side.USER : Side.ITEM);
                }
            }
            while (encodedSides.size() < width) {
                encodedSides.add(Side.PRODUCT);
            }
            WideParts parts = WideParts.of(block, ps, work, encodedSides);
            // every item, with no user: the user columns, the product and the pair features are masked out below
            int[] noUser = new int[items];
            Arrays.fill(noUser, -1);
            int[] all = new int[items];
            Arrays.setAll(all, i -> i);
            NDArray itemMask = mask(work, encodedSides, Side.ITEM);
            NDArray wideItemMask = parts.weight == null ? null : mask(work, parts.sides, Side.ITEM);
            NDArray wideTransposed = parts.weight == null ? null : parts.weight.transpose();
            // in passes of about TaskScorer.PASS_BYTES of gathered features, each freed before the
            // next (a dense user history is `items` wide: every item at once passed 2^31 bytes above
            // 23,170 items; sparse item histories hold every interaction)
            NDList encodedParts = new NDList();
            NDList wideItemParts = new NDList();
            for (int from = 0, to; from < items; from = to) {
                to = gatherer.passEnd(noUser, all, from, items, TaskScorer.PASS_BYTES);
                try (NDManager part = work.newSubManager()) {
                    NDList inputs = gatherer.gather(part, noUser, all, null, from, to, 0, null);
                    NDArray encoded = encoder.forward(ps, inputs, false).singletonOrThrow();
                    if (parts.weight != null) {
                        NDArray row = parts.row(ps, encoded, inputs);
                        NDArray wideItems = row.mul(wideItemMask).matMul(wideTransposed).add(parts.bias);
                        wideItems.attach(work);
                        wideItemParts.add(wideItems);
                    }
                    encoded.attach(work);
                    encodedParts.add(encoded);
                }
            }
            NDArray encodedItems = concat(encodedParts);
            NDArray itemPart = encodedItems.mul(itemMask).matMul(w.transpose()).add(b);
            NDArray itemIds = null;
            long userIdStart = -1;
            long dim = encoder.embeddingDim();
            int product = encoder.productStart();
            if (product >= 0) {
                long itemIdStart = starts[encoder.itemIdPosition()];
                // a copy: the slice is a view that would keep every item's whole encoded row (items x the
                // encoded width, 3.5 MB for the ml100k recipe, gigabytes for millions of items) in the cache
                try (NDArray view = encodedItems.get(new NDIndex(":, {}:{}", itemIdStart, itemIdStart + dim))) {
                    itemIds = view.duplicate();
                }
                userIdStart = starts[encoder.userIdPosition()];
            }
            SplitMap sharing = split(work, w, encodedSides, itemPart, product, dim, new int[0]);
            SplitMap wide = parts.weight == null ? null : split(work, parts.weight, parts.sides, concat(wideItemParts), product, dim,
                    parts.pairColumnsInRow());
            List<NDArray> kept = new ArrayList<>(sharing.arrays());
            if (wide != null) {
                kept.addAll(wide.arrays());
            }
            if (itemIds != null) {
                kept.add(itemIds);
            }
            for (NDArray a : kept) {
                a.attach(cache);
                NDScope.unregister(a);
            }
            return new FactoredScorer(model, cache, items, sharing, wide, parts, itemIds, userIdStart, dim, unknownItems(encoder, gatherer));
        } catch (RuntimeException | Error e) {
            cache.close();
            throw e;
        } finally {
            if (recording) {
                JniUtils.setGradMode(true);
            }
        }
    }

    /**
     * The wide parts' maps side by side: one map over the row {@code [encoded | own_1 | ... | own_k]}
     * (the encoded row, then each part's own encoder's columns), each part's rows of weights zero
     * over the other parts' columns (and over the encoded row when it does not read it).
     */
    private static final class WideParts {
        /** {@code [units, columns]}; null when no task has a wide part */
        NDArray weight;
        /** {@code [units]}; null when no task has a wide part */
        NDArray bias;
        final List<Side> sides;
        final List<Own> own = new ArrayList<>();
        final int[] offsets;
        final int[] units;
        final boolean[] readsPair;
        /** Per pair column of the row, in order: the column and the feature's input position. */
        final List<int[]> pairs = new ArrayList<>();

        private WideParts(int tasks, List<Side> encodedSides) {
            this.sides = new ArrayList<>(encodedSides);
            this.offsets = filled(tasks, -1);
            this.units = new int[tasks];
            this.readsPair = new boolean[tasks];
        }

        /** @return the wide parts' maps (none, {@code weight} null, when no task has a wide part) */
        static WideParts of(MultiTaskBlock block, ParameterStore ps, NDManager work, List<Side> encodedSides) {
            int tasks = block.taskCount();
            WideParts parts = new WideParts(tasks, encodedSides);
            MultiTaskBlock.WideMap[] maps = new MultiTaskBlock.WideMap[tasks];
            int ownWidth = 0;
            for (int t = 0; t < tasks; t++) {
                maps[t] = block.wideMap(ps, work.getDevice(), t);
                if (maps[t] != null && maps[t].own() != null) {
                    ownWidth += maps[t].own().outputWidth();
                }
            }
            if (Arrays.stream(maps).allMatch(m -> m == null)) {
                return parts;
            }
            int width = encodedSides.size();
            NDList rows = new NDList();
            NDList biases = new NDList();
            int before = 0;
            int total = 0;
            for (int t = 0; t < tasks; t++) {
                MultiTaskBlock.WideMap m = maps[t];
                if (m == null) {
                    continue;
                }
                int units = (int) m.bias().size();
                parts.offsets[t] = total;
                parts.units[t] = units;
                total += units;
                // [encoded | the parts before | its own | the parts after]
                NDList row = new NDList();
                row.add(m.encodedWeight() != null ? m.encodedWeight() : work.zeros(new Shape(units, width)));
                int mine = m.own() == null ? 0 : m.own().outputWidth();
                if (mine > 0 && before > 0) {
                    row.add(work.zeros(new Shape(units, before)));
                }
                if (mine > 0) {
                    row.add(m.ownWeight());
                    parts.own.add(new Own(m.own(), m.featurePositions()));
                    parts.addSides(t, m.own(), m.featurePositions());
                }
                int after = mine > 0 ? ownWidth - before - mine : ownWidth;
                if (after > 0) {
                    row.add(work.zeros(new Shape(units, after)));
                }
                before += mine;
                rows.add(row.size() == 1 ? row.get(0) : NDArrays.concat(row, 1));
                biases.add(m.bias().reshape(units));
            }
            parts.weight = rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows, 0);
            parts.bias = biases.size() == 1 ? biases.get(0) : NDArrays.concat(biases, 0);
            return parts;
        }

        /**
         * Appends the sides of a part's own encoder's columns: a feature's columns are its
         * entity's, a pair feature's the pair's.
         */
        private void addSides(int task, InputEncoder encoder, int[] positions) {
            List<FeatureSpec> features = encoder.features();
            int[] starts = encoder.columnStarts();
            for (int j = 0; j < features.size(); j++) {
                FeatureSpec f = features.get(j);
                int columns = (j + 1 < starts.length ? starts[j + 1] : encoder.outputWidth()) - starts[j];
                if (f.pair()) {
                    readsPair[task] = true;
                    if (f.kind() != FeatureKind.NUMERIC || columns != 1) {
                        // the pair's column is read as the gathered value, passed through; FeatureSpec
                        // refuses a pair feature of any other kind
                        throw new IllegalStateException("pair feature " + f.name() + " is " + columns + " columns of a " + f.kind()
                                + " feature; a pair feature is one numeric column");
                    }
                    pairs.add(new int[] {sides.size(), positions[j]});
                }
                for (int c = 0; c < columns; c++) {
                    sides.add(f.pair() ? Side.PAIR : f.entity() == Entity.USER ? Side.USER : Side.ITEM);
                }
            }
        }

        /** @return rows' {@code [encoded | own_1 | ... | own_k]}, {@code inputs} every feature of the rows */
        NDArray row(ParameterStore ps, NDArray encoded, NDList inputs) {
            if (own.isEmpty()) {
                return encoded;
            }
            NDList row = new NDList(encoded);
            for (Own o : own) {
                row.add(o.encode(ps, inputs));
            }
            return NDArrays.concat(row, 1);
        }

        int[] pairColumnsInRow() {
            return pairs.stream().mapToInt(p -> p[0]).toArray();
        }

        /** @return the pair features read, each once, in order of their first column */
        int[] pairPositions() {
            return pairs.stream().mapToInt(p -> p[1]).distinct().toArray();
        }

        /** @return per pair column, its feature's index in {@link #pairPositions()} */
        int[] pairColumns() {
            int[] positions = pairPositions();
            return pairs.stream().mapToInt(p -> IntStream.range(0, positions.length).filter(i -> positions[i] == p[1]).findFirst()
                    .orElseThrow()).toArray();
        }
    }

    /**
     * @param weight   {@code [units, columns]}: the map
     * @param sides    per column, what it depends on
     * @param itemPart {@code [items, units]}: the item columns mapped, plus the bias
     * @param product  the first column of the id product, or -1
     * @param pairs    the pair columns, in order
     */
    private static SplitMap split(NDManager work, NDArray weight, List<Side> sides, NDArray itemPart, int product, long dim,
            int[] pairs) {
        NDArray userMap = mask(work, sides, Side.USER).mul(weight).transpose();
        NDArray productMap = product < 0 ? null : weight.get(new NDIndex(":, {}:{}", product, product + dim)).transpose();
        NDArray pairMap = null;
        if (pairs.length > 0) {
            NDList columns = new NDList(pairs.length);
            for (int c : pairs) {
                columns.add(weight.get(new NDIndex(":, {}:{}", c, c + 1)));
            }
            pairMap = (columns.size() == 1 ? columns.get(0) : NDArrays.concat(columns, 1)).transpose();
        }
        return new SplitMap(userMap, itemPart, productMap, pairMap);
    }

    /** @return {@code [columns]}: 1 on the columns of {@code side}, 0 elsewhere */
    private static NDArray mask(NDManager manager, List<Side> sides, Side side) {
        float[] mask = new float[sides.size()];
        for (int c = 0; c < mask.length; c++) {
            mask[c] = sides.get(c) == side ? 1f : 0f;
        }
        return manager.create(mask);
    }

    private static NDArray concat(NDList parts) {
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
    }

    private static int[] filled(int n, int value) {
        int[] a = new int[n];
        Arrays.fill(a, value);
        return a;
    }

    /**
     * @return whether {@link #score} can score the task: every task since the scorer covers wide
     *     parts (a task's index in the model is all it needs)
     */
    public boolean covers(int task) {
        return task >= 0 && task < parentOf.length;
    }

    /** @return the number of items the cache covers */
    public int itemCount() {
        return itemCount;
    }

    /** @return per item of the gatherer's table, whether its id code is 0; null when none is or the model reads no item id */
    private static boolean[] unknownItems(InputEncoder encoder, FeatureGatherer gatherer) {
        int position = encoder.itemIdPosition();
        if (position < 0) {
            return null;
        }
        int[] codes = gatherer.items().categorical(encoder.features().get(position).name());
        boolean[] unknown = new boolean[codes.length];
        boolean any = false;
        for (int i = 0; i < codes.length; i++) {
            unknown[i] = codes[i] == 0;
            any |= unknown[i];
        }
        return any ? unknown : null;
    }

    /** @return per row, whether the model does not know its item ({@code [n]} boolean); null when it knows them all */
    private NDArray unknownItems(int[] candidates, int n, NDManager manager) {
        if (unknownItems == null || !model.block().hasColdItemCalibration()) {
            return null;
        }
        boolean[] rows = new boolean[n];
        for (int i = 0; i < n; i++) {
            rows[i] = unknownItems[candidates == null ? i : candidates[i]];
        }
        return manager.create(rows);
    }

    /**
     * @return whether the model does not know the user: its id code in the table is 0 (read from
     *     the table, as the gathered row hides the id when an attribute task hides it from its rows)
     */
    private static boolean unknownUser(MultiTaskBlock block, FeatureGatherer users, int user) {
        int position = block.encoder().userIdPosition();
        return position >= 0 && users.users().categorical(block.encoder().features().get(position).name())[user] == 0;
    }

    /**
     * Scores items for one user.
     *
     * @param users      the gatherer whose user table holds the user (the model's own, or a
     *                   one-row table of a new user's side features), with the request's moment
     *                   if it has one ({@link FeatureGatherer#atMoment}); its item table must be
     *                   the cache's: only the wide parts' pair features are read from it, for the
     *                   candidates, with its pair scores ({@link FeatureGatherer#withNeighbours})
     * @param user       the user's index in that table
     * @param candidates item indices to score, or null for every item in index order
     * @param tasks      task indices (model order) to score
     * @param manager    a manager to open the request's sub-manager from
     * @return scores[i][row * width + j] for {@code tasks[i]}, rows in candidate order
     */
    public float[][] score(FeatureGatherer users, int user, int[] candidates, int[] tasks, NDManager manager) {
        return score(users, user, candidates, tasks, null, manager);
    }

    /**
     * As {@link #score(FeatureGatherer, int, int[], int[], NDManager)}, for a caller that discards
     * the scores of some items (the seen items a recommendation excludes): a pair that depends on
     * the user and one of those items is left with the cached item side's score instead of being
     * scored as a pair, so those rows' scores are not exact.
     *
     * @param discarded sorted item indices whose scores the caller does not use, or null
     */
    public float[][] score(FeatureGatherer users, int user, int[] candidates, int[] tasks, int[] discarded, NDManager manager) {
        requireNonNull(users, "users is null");
        requireNonNull(tasks, "tasks is null");
        if (users.momentSetsItemFeatures()) {
            // the cache holds every item's own values; the plain pass reads the moment's on every pair
            throw new IllegalArgumentException("the request's context sets an item-side feature, which every item reads in place"
                    + " of its own: score it as pairs, not from the cached item side");
        }
        for (int t : tasks) {
            if (!covers(t)) {
                throw new IllegalArgumentException("task index " + t + " outside the model's " + parentOf.length + " tasks");
            }
        }
        if (candidates != null) {
            for (int c : candidates) {
                if (c < 0 || c >= itemCount) {
                    throw new IllegalArgumentException("item index " + c + " outside the cached " + itemCount + " items");
                }
            }
        }
        int n = candidates == null ? itemCount : candidates.length;
        float[][] scores = new float[tasks.length][];
        if (n == 0) {
            Arrays.setAll(scores, i -> new float[0]);
            return scores;
        }
        MultiTaskBlock block = model.block();
        boolean recording = JniUtils.isGradMode();
        if (recording) {
            JniUtils.setGradMode(false);
        }
        // the scope frees every array a plugin's forward pass creates, whichever manager it is attached to
        try (NDScope scope = new NDScope(); NDManager batch = manager.newSubManager()) {
            ParameterStore ps = new ParameterStore(batch, false);
            // the user row stands for the user side of every pair: read as such, not as an attribute row (hidden
            // features read, the request's context applied), as the pairs' forward pass reads it
            NDList userInputs = users.asOneSideOfPairs().gather(batch, new int[] {user}, new int[] {-1}, null, 0, 1, 0, null);
            NDArray encodedUser = block.encoder().forward(ps, userInputs, false).singletonOrThrow();
            NDArray index = candidates == null ? null : batch.create(candidates);
            NDArray userId = null;
            NDArray ids = null;
            if (itemIds != null) {
                userId = encodedUser.get(new NDIndex(":, {}:{}", userIdStart, userIdStart + dim)); // [1, dim]
                ids = index == null ? itemIds : Embedding.embedding(index, itemIds, SparseFormat.DENSE).singletonOrThrow();
            }
            NDArray z = sharing.apply(encodedUser, userId, index, ids, null);
            boolean[] wanted = new boolean[block.taskCount()];
            for (int t : tasks) {
                wanted[t] = true;
            }
            NDArray[] wideOutputs = wide == null ? null : wideOutputs(ps, batch, users, user, candidates, n, userInputs, encodedUser,
                    userId, index, ids, wanted);
            NDArray[] outputs = block.forwardMapped(ps, z, wanted, unknownUser(block, users, user), unknownItems(candidates, n, batch),
                    wideOutputs);
            for (int i = 0; i < tasks.length; i++) {
                ResolvedTask task = model.tasks().get(tasks[i]);
                NDArray out = outputs[tasks[i]];
                scores[i] = HeadCalls.scores(model.plan().source(), task, out, n).toFloatArray();
            }
            scope.suppressNotUsedWarning();
        } finally {
            if (recording) {
                JniUtils.setGradMode(true);
            }
        }
        // pairs the user already interacted with: their histories leave each other out, which the
        // cached item side cannot know; they are scored as pairs
        int[] rows = users.pairDependentRows(user, candidates);
        if (discarded != null && discarded.length > 0) {
            rows = Arrays.stream(rows)
                    .filter(r -> Arrays.binarySearch(discarded, candidates == null ? r : candidates[r]) < 0)
                    .toArray();
        }
        if (rows.length > 0) {
            int[] pairUsers = new int[rows.length];
            Arrays.fill(pairUsers, user);
            int[] pairItems = new int[rows.length];
            for (int r = 0; r < rows.length; r++) {
                pairItems[r] = candidates == null ? rows[r] : candidates[rows[r]];
            }
            float[][] exact = TaskScorer.score(model, users, pairUsers, pairItems, tasks, manager);
            for (int i = 0; i < tasks.length; i++) {
                int width = scores[i].length / n;
                for (int r = 0; r < rows.length; r++) {
                    System.arraycopy(exact[i], r * width, scores[i], rows[r] * width, width);
                }
            }
        }
        return scores;
    }

    /**
     * @param wanted per task, whether the request scores it
     * @return per task the forward pass needs (the wanted ones and those they depend on) that has
     *     a wide part, that part's output on the rows ({@code [n, units]}); null when none has one
     */
    private NDArray[] wideOutputs(ParameterStore ps, NDManager batch, FeatureGatherer users, int user, int[] candidates, int n,
            NDList userInputs, NDArray encodedUser, NDArray userId, NDArray index, NDArray ids, boolean[] wanted) {
        boolean[] needed = new boolean[wanted.length];
        boolean any = false;
        boolean pairs = false;
        for (int t = 0; t < wanted.length; t++) {
            for (int p = wanted[t] ? t : -1; p >= 0; p = parentOf[p]) {
                needed[p] = true;
                any |= wideOffsets[p] >= 0;
                pairs |= readsPair[p];
            }
        }
        if (!any) {
            return null;
        }
        NDList row = new NDList(encodedUser);
        for (Own o : own) {
            row.add(o.encode(ps, userInputs));
        }
        NDArray userRow = row.size() == 1 ? encodedUser : NDArrays.concat(row, 1);
        NDArray pairValues = null;
        if (pairs && pairPositions.length > 0) {
            // the candidates' pair features only, read as a pair's row reads them
            int[] pairUsers = new int[n];
            Arrays.fill(pairUsers, user);
            int[] pairItems = candidates == null ? IntStream.range(0, n).toArray() : candidates;
            NDList gathered = users.gatherOnly(batch, pairUsers, pairItems, 0, n, pairPositions);
            NDList columns = new NDList(pairColumns.length);
            for (int c : pairColumns) {
                columns.add(gathered.get(c));
            }
            pairValues = columns.size() == 1 ? columns.get(0) : NDArrays.concat(columns, 1);
        }
        NDArray all = wide.apply(userRow, userId, index, ids, pairValues);
        NDArray[] outputs = new NDArray[wanted.length];
        for (int t = 0; t < wanted.length; t++) {
            if (needed[t] && wideOffsets[t] >= 0) {
                outputs[t] = all.get(new NDIndex(":, {}:{}", wideOffsets[t], wideOffsets[t] + wideUnits[t]));
            }
        }
        return outputs;
    }

    @Override
    public void close() {
        cache.close();
    }
}
