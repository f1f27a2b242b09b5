package dev.taskweave.core.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.taskweave.api.metric.Metric;
import dev.taskweave.api.metric.MetricInput;
import dev.taskweave.core.data.ExampleSet;
import dev.taskweave.core.data.FeatureGatherer;
import dev.taskweave.core.plugin.PluginMetric;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.RankingCandidates;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Scores rows with a model and computes each task's metrics over its labelled rows. */
public final class Evaluator {
    private Evaluator() {}

    /**
     * Scores (user, item) pairs for every task.
     *
     * @return scores[task][row]
     */
    public static float[][] score(AssembledModel model, FeatureGatherer gatherer, int[] users, int[] items, int batchSize,
            NDManager manager) {
        return score(model, gatherer, users, items, batchSize, manager, false);
    }

    /**
     * @param rankable for a one-output head whose output is a logit ({@link
     *                 dev.taskweave.api.model.TaskHead#producesLogit}), return the logit rather than
     *                 its sigmoid: the same order, without float32's ties at 0 and 1 (every logit
     *                 above about 16.6 has the sigmoid 1.0f)
     */
    private static float[][] score(AssembledModel model, FeatureGatherer gatherer, int[] users, int[] items, int batchSize,
            NDManager manager, boolean rankable) {
        return scoreAndRank(model, gatherer, users, items, batchSize, manager, !rankable, rankable)[rankable ? 1 : 0];
    }

    /**
     * @return {@code [scores, ranking values]} per task, each null where not asked for; a task whose
     *     ranking values are its scores ({@link #rankingValues}) has the same array in both
     */
    private static float[][][] scoreAndRank(AssembledModel model, FeatureGatherer gatherer, int[] users, int[] items, int batchSize,
            NDManager manager, boolean wantScores, boolean wantRanking) {
        int n = users.length;
        int tasks = model.tasks().size();
        float[][] scores = new float[tasks][];
        float[][] ranking = new float[tasks][];
        if (n == 0) {
            for (int t = 0; t < tasks; t++) {
                scores[t] = new float[0];
                ranking[t] = scores[t];
            }
            return new float[][][] {scores, ranking};
        }
        String source = model.plan().source();
        boolean[] ranksByOutput = new boolean[tasks];
        for (int t = 0; t < tasks; t++) {
            ranksByOutput[t] = ranksByOutput(source, model.tasks().get(t));
        }
        forEachBatch(model, gatherer, users, items, batchSize, manager, (from, to, outputs) -> {
            for (int t = 0; t < tasks; t++) {
                ResolvedTask task = model.tasks().get(t);
                NDArray out = outputs.get(t);
                boolean own = ranksByOutput[t];
                if (wantScores || (wantRanking && !own)) {
                    copy(HeadCalls.scores(source, task, out, to - from).toFloatArray(), scores, t, from, to, n);
                }
                if (wantRanking && own) {
                    copy(out.toFloatArray(), ranking, t, from, to, n);
                }
                if (wantRanking && !own) {
                    ranking[t] = scores[t];
                }
            }
        });
        return new float[][][] {scores, ranking};
    }

    private static void copy(float[] batch, float[][] into, int t, int from, int to, int n) {
        int width = batch.length / (to - from);
        if (into[t] == null) {
            into[t] = new float[n * width];
        }
        System.arraycopy(batch, 0, into[t], from * width, batch.length);
    }

    /**
     * @return what the ranking metrics order a task's candidates by: the output itself for a head
     *     whose one output is a logit (its sigmoid, the score, has the same order but ties every
     *     logit above about 16.6 at 1.0f), else the head's scores
     */
    static NDArray rankingValues(dev.taskweave.api.model.TaskHead head, NDArray output) {
        return ranksByOutput(head) ? output : head.scores(output);
    }

    /** @return whether a head's output, not its scores, orders its rows: one output, a logit */
    private static boolean ranksByOutput(dev.taskweave.api.model.TaskHead head) {
        return head.producesLogit() && head.outputWidth() == 1;
    }

    /** As {@link #ranksByOutput(dev.taskweave.api.model.TaskHead)}, a failure of the head naming it. */
    private static boolean ranksByOutput(String source, ResolvedTask task) {
        return task.outputWidth() == 1 && task.plugin().call(source, task.headPath(), "producesLogit()", task.head()::producesLogit);
    }

    /** What to do with one batch's outputs (rows {@code from..to}); the arrays are freed afterwards. */
    private interface BatchOutputs {
        void accept(int from, int to, NDList outputs);
    }

    /** Runs the model over the (user, item) rows in batches of {@code batchSize}, inference mode. */
    private static void forEachBatch(AssembledModel model, FeatureGatherer gatherer, int[] users, int[] items, int batchSize,
            NDManager manager, BatchOutputs action) {
        // a batch's arrays are freed before the next batch gathers into the same memory
        FeatureGatherer.Scratch scratch = gatherer.newScratch();
        for (int from = 0; from < users.length; from += batchSize) {
            int to = Math.min(users.length, from + batchSize);
            try (NDManager batch = manager.newSubManager()) {
                ParameterStore ps = new ParameterStore(batch, false);
                action.accept(from, to, model.block().forward(ps, gatherer.gather(batch, users, items, null, from, to, 0, null, scratch),
                        false));
            }
        }
    }

    /**
     * The raw outputs (logits for binary and multi-label heads) of the rows of {@code set}, with
     * any calibration already set applied.
     *
     * @return outputs[task], the head's {@code outputWidth} values per row, row-major
     */
    public static float[][] outputs(AssembledModel model, FeatureGatherer gatherer, ExampleSet set, int batchSize, NDManager manager) {
        int n = set.size();
        int tasks = model.tasks().size();
        int[] widths = new int[tasks];
        float[][] outputs = new float[tasks][];
        for (int t = 0; t < tasks; t++) {
            widths[t] = model.tasks().get(t).outputWidth();
            outputs[t] = new float[n * widths[t]];
        }
        forEachBatch(model, gatherer.forRows(set.features()), set.users(), set.items(), batchSize, manager, (from, to, out) -> {
            for (int t = 0; t < tasks; t++) {
                System.arraycopy(out.get(t).toFloatArray(), 0, outputs[t], from * widths[t], (to - from) * widths[t]);
            }
        });
        return outputs;
    }

    /**
     * Evaluates every split: each task's metrics over its labelled rows, plus, for implicit-feedback
     * tasks on splits with ranking candidate lists, {@code hr@K}, {@code ndcg@K} and
     * {@code auc_per_user}.
     *
     * @return split, then task, then metric
     */
    public static Map<String, Map<String, Map<String, Double>>> evaluateSplits(AssembledModel model, FeatureGatherer gatherer,
            Dataset dataset, Map<String, ExampleSet> sets, NDManager manager) {
        int batchSize = model.plan().config().training.evalBatchSize;
        int cutoff = model.plan().config().training.rankingCutoff;
        Map<String, Map<String, Map<String, Double>>> metrics = new LinkedHashMap<>();
        for (Map.Entry<String, ExampleSet> e : sets.entrySet()) {
            Map<String, Map<String, Double>> split = evaluate(model, gatherer, e.getValue(), batchSize, manager);
            RankingCandidates lists = dataset.rankings().get(e.getKey());
            if (lists != null && lists.size() > 0) {
                ranking(model, gatherer, lists, cutoff, batchSize, manager).forEach((task, values) ->
                        split.computeIfAbsent(task, k -> new LinkedHashMap<>()).putAll(values));
            }
            metrics.put(e.getKey(), split);
        }
        return metrics;
    }

    /**
     * Ranks each list's positive among its candidates for every implicit-feedback task, by the
     * logit for a head that outputs one (its sigmoid in float32 ties every logit above about 16.6).
     * The rank counts candidates scored at least as high as the positive (ties count against it);
     * NDCG@K is 1/log2(rank+2) when rank &lt; K. Per-user AUC counts ties as one half, over the
     * lists that have a negative (NaN when none has). A task whose scores
     * include a NaN (a diverged model) gets NaN for all three, see {@link #rankingMetrics}.
     */
    public static Map<String, Map<String, Double>> ranking(AssembledModel model, FeatureGatherer gatherer, RankingCandidates lists,
            int cutoff, int batchSize, NDManager manager) {
        Map<String, Map<String, Double>> result = new LinkedHashMap<>();
        List<ResolvedTask> implicit = model.tasks().stream().filter(t -> t.labels().implicit()).toList();
        if (implicit.isEmpty()) {
            return result;
        }
        int pairs = 0;
        for (int[] negatives : lists.negatives()) {
            pairs += negatives.length + 1;
        }
        int[] users = new int[pairs];
        int[] items = new int[pairs];
        int k = 0;
        for (int l = 0; l < lists.size(); l++) {
            users[k] = lists.users()[l];
            items[k++] = lists.positives()[l];
            for (int n : lists.negatives()[l]) {
                users[k] = lists.users()[l];
                items[k++] = n;
            }
        }
        float[][] scores = score(model, gatherer, users, items, batchSize, manager, true);
        int[] sizes = new int[lists.size()];
        for (int l = 0; l < sizes.length; l++) {
            sizes[l] = lists.negatives()[l].length;
        }
        for (ResolvedTask task : implicit) {
            Map<String, Double> values = rankingMetrics(scores[task.index()], sizes, cutoff);
            result.put(task.name(), values);
        }
        return result;
    }

    /**
     * HR@K, NDCG@K and per-user AUC over consecutive lists, each the positive's score followed by
     * its negatives' scores.
     *
     * <p>A NaN score is not measured, so it cannot be ranked: every comparison with NaN is false,
     * and counting it would rank a NaN positive first (a diverged model, all NaN, would score a
     * perfect 1.0). When any score of any list is NaN, all three metrics are NaN, as
     * {@code rmse} or {@code auc} of NaN predictions are.
     *
     * @param scores   all lists' scores, concatenated
     * @param negatives the number of negatives in each list
     * @return {@code hr@K}, {@code ndcg@K} and {@code auc_per_user}, each NaN when a score is NaN
     *     ({@code auc_per_user} the mean over the lists with at least one negative)
     */
    static Map<String, Double> rankingMetrics(float[] scores, int[] negatives, int cutoff) {
        for (float s : scores) {
            if (Float.isNaN(s)) {
                Map<String, Double> values = new LinkedHashMap<>();
                values.put("hr@" + cutoff, Double.NaN);
                values.put("ndcg@" + cutoff, Double.NaN);
                values.put("auc_per_user", Double.NaN);
                return values;
            }
        }
        double hits = 0;
        double ndcg = 0;
        double auc = 0;
        int compared = 0;
        int start = 0;
        for (int n : negatives) {
            float positive = scores[start];
            int rank = 0;
            double wins = 0;
            for (int j = 1; j <= n; j++) {
                float other = scores[start + j];
                if (other >= positive) {
                    rank++;
                }
                wins += other < positive ? 1 : other == positive ? 0.5 : 0;
            }
            if (rank < cutoff) {
                hits++;
                ndcg += 1 / (Math.log(rank + 2) / Math.log(2));
            }
            if (n > 0) {
                // a list without negatives has a rank (0) but no pair to compare
                auc += wins / n;
                compared++;
            }
            start += n + 1;
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("hr@" + cutoff, hits / negatives.length);
        values.put("ndcg@" + cutoff, ndcg / negatives.length);
        values.put("auc_per_user", compared == 0 ? Double.NaN : auc / compared);
        return values;
    }

    /** @return metrics by task name, then metric name */
    public static Map<String, Map<String, Double>> evaluate(AssembledModel model, FeatureGatherer gatherer, ExampleSet set,
            int batchSize, NDManager manager) {
        float[][][] both = scoreAndRank(model, gatherer.forRows(set.features()), set.users(), set.items(), batchSize, manager, true, true);
        float[][] scores = both[0];
        float[][] ranking = both[1];
        Map<String, Map<String, Double>> result = new LinkedHashMap<>();
        for (ResolvedTask task : model.tasks()) {
            int t = task.index();
            int labelled = set.labelled(t);
            if (labelled == 0) {
                continue;
            }
            int scoreWidth = scores[t].length / Math.max(1, set.size());
            int labelWidth = set.width(t);
            float[] s = new float[labelled * scoreWidth];
            float[] r = ranking[t] == scores[t] ? s : new float[labelled * scoreWidth];
            float[] y = new float[labelled * labelWidth];
            int[] g = new int[labelled];
            int k = 0;
            float[] mask = set.mask(t);
            for (int i = 0; i < set.size(); i++) {
                if (mask[i] > 0) {
                    System.arraycopy(scores[t], i * scoreWidth, s, k * scoreWidth, scoreWidth);
                    if (r != s) {
                        System.arraycopy(ranking[t], i * scoreWidth, r, k * scoreWidth, scoreWidth);
                    }
                    System.arraycopy(set.labels(t), i * labelWidth, y, k * labelWidth, labelWidth);
                    g[k] = set.users()[i];
                    k++;
                }
            }
            MetricInput input = new MetricInput(s, y, g, scoreWidth, r);
            Map<String, Double> values = new LinkedHashMap<>();
            for (int j = 0; j < task.metrics().size(); j++) {
                Metric m = task.metrics().get(j);
                // a plugin's metric that fails names the task's config that asked for it
                values.put(m.name(), m instanceof PluginMetric p ? p.compute(input, model.plan().source(), task.metricPaths().get(j))
                        : m.compute(input));
            }
            result.put(task.name(), values);
        }
        return result;
    }
}
