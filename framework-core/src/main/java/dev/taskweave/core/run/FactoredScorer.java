package dev.taskweave.core.run;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.core.data.FeatureGatherer;
import dev.taskweave.core.model.InputEncoder;
import dev.taskweave.core.model.MultiTaskBlock;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Scores many items for one user without running the sharing strategy's first layer on every
 * (user, item) row.
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
 * <p>A task with a wide part ({@code tasks[i].wide}, {@code tasks[i].wideFeatures}) reads the
 * inputs itself, so the scorer does not cover it ({@link #covers}); callers score such tasks as
 * pairs.
 *
 * <p>Built per loaded model version; the cached arrays live in a sub-manager of the model's
 * manager and are freed by {@link #close()}. Requests may call {@link #score} concurrently.
 */
public final class FactoredScorer implements AutoCloseable {
    private final AssembledModel model;
    private final NDManager cache;
    private final int itemCount;
    /** {@code [width, units]}: W with every non-user column zeroed, transposed. */
    private final NDArray userMap;
    /** {@code [items, units]}: every item's {@code x_item W_item^T + b}. */
    private final NDArray itemPart;
    /** {@code [dim, units]}: the product columns of W, transposed; null without the product. */
    private final NDArray productMap;
    /** {@code [items, dim]}: every item's id embedding; null without the product. */
    private final NDArray itemIds;
    private final long userIdStart;
    private final long dim;
    /** Per item, whether the model does not know it (its id code is 0); null when it knows every item. */
    private final boolean[] unknownItems;

    private FactoredScorer(AssembledModel model, NDManager cache, int itemCount, NDArray userMap, NDArray itemPart,
            NDArray productMap, NDArray itemIds, long userIdStart, long dim, boolean[] unknownItems) {
        this.unknownItems = unknownItems;
        this.model = model;
        this.cache = cache;
        this.itemCount = itemCount;
        this.userMap = userMap;
        this.itemPart = itemPart;
        this.productMap = productMap;
        this.itemIds = itemIds;
        this.userIdStart = userIdStart;
        this.dim = dim;
    }

    /**
     * @return whether the encoded input holds a pair feature: one left to the wide parts
     *     ({@code features.wideOnly}) is read only by the tasks with a wide part, which the
     *     scorer leaves to pairs anyway
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
        MultiTaskBlock block = model.block();
        if (IntStream.range(0, block.taskCount()).allMatch(block::hasWidePart)) {
            return "every task has a wide part";
        }
        if (readsPairFeature(block.encoder())) {
            return "the encoder reads a pair feature (features.neighbours; features.wideOnly leaves it to the wide parts)";
        }
        return null;
    }

    /**
     * Precomputes the item side for every item of {@code gatherer}'s item table.
     *
     * @param manager the model's manager; the cache lives in a sub-manager of it
     * @return the scorer, or null when the graph cannot be factored (the sharing strategy does not
     *     implement {@code AffineInput} or returns no map, every task has a wide part, or the
     *     encoder reads a pair feature such as {@code features.neighbours}' score)
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
            float[] userColumns = new float[width];
            float[] itemColumns = new float[width];
            List<FeatureSpec> features = encoder.features();
            int[] starts = encoder.columnStarts();
            for (int f = 0; f < features.size(); f++) {
                int end = f + 1 < starts.length ? starts[f + 1] : (encoder.productStart() >= 0 ? encoder.productStart() : width);
                Arrays.fill(features.get(f).entity() == Entity.USER ? userColumns : itemColumns, starts[f], end, 1f);
            }
            NDArray userMask = work.create(userColumns);
            NDArray itemMask = work.create(itemColumns);
            // every item, with no user: the user columns and the product are masked out below
            int[] noUser = new int[items];
            Arrays.fill(noUser, -1);
            int[] all = new int[items];
            Arrays.setAll(all, i -> i);
            // in passes of about TaskScorer.PASS_BYTES of gathered features, each freed before the
            // next (a dense user history is `items` wide: every item at once passed 2^31 bytes above
            // 23,170 items; sparse item histories hold every interaction)
            NDList encodedParts = new NDList();
            for (int from = 0, to; from < items; from = to) {
                to = gatherer.passEnd(noUser, all, from, items, TaskScorer.PASS_BYTES);
                try (NDManager part = work.newSubManager()) {
                    NDArray encoded = encoder.forward(ps, gatherer.gather(part, noUser, all, null, from, to,
                            0, null), false).singletonOrThrow();
                    encoded.attach(work);
                    encodedParts.add(encoded);
                }
            }
            NDArray encodedItems = encodedParts.size() == 1 ? encodedParts.get(0) : ai.djl.ndarray.NDArrays.concat(encodedParts, 0);
            NDArray userMap = userMask.mul(w).transpose();
            NDArray itemPart = encodedItems.mul(itemMask).matMul(w.transpose()).add(b);
            NDArray productMap = null;
            NDArray itemIds = null;
            long userIdStart = -1;
            long dim = encoder.embeddingDim();
            int product = encoder.productStart();
            if (product >= 0) {
                productMap = w.get(new NDIndex(":, {}:{}", product, product + dim)).transpose();
                long itemIdStart = starts[encoder.itemIdPosition()];
                itemIds = encodedItems.get(new NDIndex(":, {}:{}", itemIdStart, itemIdStart + dim));
                userIdStart = starts[encoder.userIdPosition()];
            }
            NDArray[] kept = productMap == null ? new NDArray[] {userMap, itemPart}
                    : new NDArray[] {userMap, itemPart, productMap, itemIds};
            for (NDArray a : kept) {
                a.attach(cache);
                NDScope.unregister(a);
            }
            return new FactoredScorer(model, cache, items, userMap, itemPart, productMap, itemIds, userIdStart, dim,
                    unknownItems(encoder, gatherer));
        } catch (RuntimeException | Error e) {
            cache.close();
            throw e;
        } finally {
            if (recording) {
                JniUtils.setGradMode(true);
            }
        }
    }

    /** @return whether {@link #score} can score the task: neither it nor a task it depends on has a wide part */
    public boolean covers(int task) {
        return !model.block().readsAWidePart(task);
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
     *                   if it has one ({@link FeatureGatherer#atMoment}); its item side is not read
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
        for (int t : tasks) {
            if (!covers(t)) {
                throw new IllegalArgumentException("task " + model.tasks().get(t).name()
                        + " (or a task it depends on) has a wide part: it is scored as pairs, not by the factored scorer");
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
            NDArray userPart = encodedUser.matMul(userMap); // [1, units]
            NDArray index = candidates == null ? null : batch.create(candidates);
            NDArray items = index == null ? itemPart : Embedding.embedding(index, itemPart, SparseFormat.DENSE).singletonOrThrow();
            NDArray z;
            if (productMap != null) {
                NDArray userId = encodedUser.get(new NDIndex(":, {}:{}", userIdStart, userIdStart + dim)); // [1, dim]
                NDArray scaled = userId.transpose().mul(productMap); // diag(u) W_prod^T: [dim, units]
                NDArray ids = index == null ? itemIds : Embedding.embedding(index, itemIds, SparseFormat.DENSE).singletonOrThrow();
                z = ids.matMul(scaled); // a fresh [n, units] array: the sums go into it in place
                z.addi(items);
                z.addi(userPart);
            } else {
                z = userPart.add(items); // [1, units] + [n, units]
            }
            boolean[] wanted = new boolean[block.taskCount()];
            for (int t : tasks) {
                wanted[t] = true;
            }
            NDArray[] outputs = block.forwardMapped(ps, z, wanted, unknownUser(block, users, user), unknownItems(candidates, n, batch));
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

    @Override
    public void close() {
        cache.close();
    }
}
