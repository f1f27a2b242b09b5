package dev.taskweave.core.run;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.taskweave.core.data.FeatureGatherer;
import dev.taskweave.core.model.MultiTaskBlock;

/**
 * Scores one batch of (user, item) rows for chosen tasks only: the encoder and the sharing
 * strategy run once, then only the requested heads and the heads they depend on (a task graph's
 * parents), through {@link MultiTaskBlock#forwardTasks}. Every array lives in a sub-manager of
 * {@code manager} that is closed before returning, so repeated calls do not grow native memory.
 *
 * <p>PyTorch records autograd history per thread and a new thread starts with it on (DJL turns
 * it off only on the thread that loads the engine); scoring turns it off for its own duration on
 * the calling thread, so server worker threads do not build backward graphs.
 */
public final class TaskScorer {
    private TaskScorer() {}

    /**
     * @param tasks task indices (model order) to score
     * @return scores[i][row * width + j] for {@code tasks[i]}; a single-output task has width 1
     */
    public static float[][] score(AssembledModel model, FeatureGatherer gatherer, int[] users, int[] items, int[] tasks,
            NDManager manager) {
        requireNonNull(model, "model is null");
        requireNonNull(gatherer, "gatherer is null");
        requireNonNull(tasks, "tasks is null");
        if (users.length != items.length) {
            throw new IllegalArgumentException(users.length + " users but " + items.length + " items");
        }
        int n = users.length;
        float[][] scores = new float[tasks.length][];
        if (n == 0) {
            for (int i = 0; i < tasks.length; i++) {
                scores[i] = new float[0];
            }
            return scores;
        }
        MultiTaskBlock block = model.block();
        boolean recording = JniUtils.isGradMode();
        if (recording) {
            JniUtils.setGradMode(false);
        }
        boolean[] wanted = new boolean[block.taskCount()];
        for (int t : tasks) {
            wanted[t] = true;
        }
        // rows in passes of at most about PASS_BYTES of gathered features: a batch of a dense one is
        // gathered into one buffer (every item for one user, with a dense history over the items,
        // passed 2^31 bytes above 23,170 items, and took 1.6 GB of native memory at 20,000), and a
        // sparse history takes memory per entry (a user's every item repeats the user's history)
        // each pass's arrays are closed before the next gathers into the same memory
        FeatureGatherer.Scratch scratch = gatherer.borrowScratch();
        try {
            for (int from = 0, to; from < n; from = to) {
                to = gatherer.passEnd(users, items, from, n, PASS_BYTES);
                try (NDManager batch = manager.newSubManager()) {
                    ParameterStore ps = new ParameterStore(batch, false);
                    NDList inputs = gatherer.gather(batch, users, items, null, from, to, 0, null, scratch);
                    NDArray[] outputs = block.forwardTasks(ps, inputs, false, wanted);
                    for (int i = 0; i < tasks.length; i++) {
                        ResolvedTask task = model.tasks().get(tasks[i]);
                        NDArray out = outputs[tasks[i]];
                        float[] part = HeadCalls.scores(model.plan().source(), task, out, to - from).toFloatArray();
                        if (from == 0 && to == n) {
                            scores[i] = part;
                        } else {
                            int width = part.length / (to - from);
                            if (scores[i] == null) {
                                scores[i] = new float[n * width];
                            }
                            System.arraycopy(part, 0, scores[i], from * width, part.length);
                        }
                    }
                }
            }
        } finally {
            gatherer.releaseScratch(scratch);
            if (recording) {
                JniUtils.setGradMode(true);
            }
        }
        return scores;
    }

    /** About the most bytes of gathered features one scoring pass holds ({@link FeatureGatherer#passEnd}). */
    static final long PASS_BYTES = 256L << 20;

    /**
     * Scores (user, item) pairs for chosen tasks, each on the rows it was trained and evaluated on:
     * an entity-attribute task on rows that carry only its entity (the other side -1), every other
     * task on the pairs. One forward pass per kind of row the tasks need. {@code gatherer} should
     * hide the attribute labels and {@code hideFeatures} on attribute rows
     * ({@link ModelAssembler#attributeLabelFeatures}), as in training.
     *
     * @param tasks task indices (model order) to score
     * @return scores[i][pair * width + j] for {@code tasks[i]}, pairs in the given order
     */
    public static float[][] scorePairs(AssembledModel model, FeatureGatherer gatherer, int[] users, int[] items, int[] tasks,
            NDManager manager) {
        float[][] scores = new float[tasks.length][];
        // the kinds of row: pairs (no entity), the user alone, the item alone
        for (dev.taskweave.api.data.Entity side : new dev.taskweave.api.data.Entity[] {null, dev.taskweave.api.data.Entity.USER,
                dev.taskweave.api.data.Entity.ITEM}) {
            int[] positions = java.util.stream.IntStream.range(0, tasks.length)
                    .filter(i -> attributeEntity(model.tasks().get(tasks[i])) == side).toArray();
            if (positions.length == 0) {
                continue;
            }
            int[] none = new int[users.length];
            java.util.Arrays.fill(none, -1);
            int[] wanted = java.util.Arrays.stream(positions).map(i -> tasks[i]).toArray();
            float[][] group = score(model, gatherer, side == dev.taskweave.api.data.Entity.ITEM ? none : users,
                    side == dev.taskweave.api.data.Entity.USER ? none : items, wanted, manager);
            for (int j = 0; j < positions.length; j++) {
                scores[positions[j]] = group[j];
            }
        }
        return scores;
    }

    /** @return the entity an attribute task describes, or null for a task scored on (user, item) pairs */
    public static dev.taskweave.api.data.Entity attributeEntity(ResolvedTask task) {
        return task.labelInfo().attribute() ? task.labelInfo().entity() : null;
    }
}
