package dev.taskweave.core.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.taskweave.api.metric.Metric;
import dev.taskweave.api.metric.MetricInput;
import dev.taskweave.core.data.ExampleSet;
import dev.taskweave.core.data.FeatureGatherer;
import java.util.LinkedHashMap;
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
        int n = users.length;
        int tasks = model.tasks().size();
        float[][] scores = new float[tasks][n];
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            try (NDManager batch = manager.newSubManager()) {
                ParameterStore ps = new ParameterStore(batch, false);
                NDList inputs = gatherer.gather(batch, users, items, null, from, to, 0, null);
                NDList outputs = model.block().forward(ps, inputs, false);
                for (int t = 0; t < tasks; t++) {
                    ResolvedTask task = model.tasks().get(t);
                    NDArray out = outputs.get(t);
                    float[] s = task.plugin().call(() -> task.head().scores(out)).toFloatArray();
                    System.arraycopy(s, 0, scores[t], from, to - from);
                }
            }
        }
        return scores;
    }

    /** @return metrics by task name, then metric name */
    public static Map<String, Map<String, Double>> evaluate(AssembledModel model, FeatureGatherer gatherer, ExampleSet set,
            int batchSize, NDManager manager) {
        float[][] scores = score(model, gatherer, set.users(), set.items(), batchSize, manager);
        Map<String, Map<String, Double>> result = new LinkedHashMap<>();
        for (ResolvedTask task : model.tasks()) {
            int t = task.index();
            int labelled = set.labelled(t);
            if (labelled == 0) {
                continue;
            }
            float[] s = new float[labelled];
            float[] y = new float[labelled];
            int[] g = new int[labelled];
            int k = 0;
            float[] mask = set.mask(t);
            for (int i = 0; i < set.size(); i++) {
                if (mask[i] > 0) {
                    s[k] = scores[t][i];
                    y[k] = set.labels(t)[i];
                    g[k] = set.users()[i];
                    k++;
                }
            }
            MetricInput input = new MetricInput(s, y, g);
            Map<String, Double> values = new LinkedHashMap<>();
            for (Metric m : task.metrics()) {
                values.put(m.name(), m.compute(input));
            }
            result.put(task.name(), values);
        }
        return result;
    }
}
