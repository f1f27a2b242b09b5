package dev.taskweave.core.run;

import static java.util.Objects.requireNonNull;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.taskweave.core.data.ExampleSet;
import dev.taskweave.api.model.GradientCombiner;
import dev.taskweave.core.data.FeatureGatherer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Task-relationship telemetry: the cosine similarity between tasks' gradients on the shared
 * parameters (negative means the tasks pull the shared layers in conflicting directions), each
 * task's alignment with the update applied to the shared parameters (negative means the step
 * makes that task worse), and for gated strategies each task's mean gate weight per expert.
 */
final class Telemetry {
    /** A gate whose mean weight on one expert exceeds this has collapsed onto it. */
    static final double COLLAPSE = 0.9;
    private static final int GRADIENT_BATCHES = 4;
    private static final int GATE_ROWS = 4096;

    private final AssembledModel model;
    private final FeatureGatherer gatherer;
    private final GradientCombiner combiner;

    Telemetry(AssembledModel model, FeatureGatherer gatherer) {
        this.model = requireNonNull(model, "model is null");
        this.gatherer = requireNonNull(gatherer, "gatherer is null");
        this.combiner = model.weighting() instanceof GradientCombiner c ? c : null;
    }

    /**
     * What the gradient telemetry measured after one epoch.
     *
     * @param cosines   pairwise cosines between the tasks' mean shared gradients, keyed {@code "a|b"}
     * @param alignment per task, the mean over the telemetry batches of the cosine between the
     *                  task's shared gradient and the update applied to the shared parameters;
     *                  empty when the combiner cannot preview its update
     */
    record Gradients(Map<String, Double> cosines, Map<String, Double> alignment) {
        static final Gradients NONE = new Gradients(Map.of(), Map.of());
    }

    /**
     * Takes each task's shared gradient on the first batches of {@code set} (in the given order)
     * and returns the pairwise cosines of their averages and each task's alignment with the
     * update applied to the shared parameters: for a {@link GradientCombiner} its
     * {@link GradientCombiner#preview preview} of the combined gradient, otherwise the loss
     * weighting's weighted sum {@code sum_t w_t g_t} (weights from the block in inference mode; the
     * auxiliary loss is left out). Adam rescales the update per coordinate afterwards; this is the
     * gradient handed to it.
     */
    Gradients gradients(ExampleSet set, int[] order, int batchSize, NDManager manager, ParameterStore ps) {
        int tasks = model.tasks().size();
        List<Parameter> shared = dev.taskweave.core.model.ParameterGroups.of(model.block()).shared();
        double[][] sums = new double[tasks][];
        double[] alignmentSums = new double[tasks];
        int[] alignmentCounts = new int[tasks];
        boolean previewed = true;
        int batches = Math.min(GRADIENT_BATCHES, (set.size() + batchSize - 1) / batchSize);
        FeatureGatherer rowsGatherer = gatherer.forRows(set.features());
        for (int b = 0; b < batches; b++) {
            int from = b * batchSize;
            int to = Math.min(set.size(), from + batchSize);
            try (NDManager batch = manager.newSubManager()) {
                NDList inputs = rowsGatherer.gather(batch, set.users(), set.items(), order, from, to, 0, null);
                NDArray[] labels = new NDArray[tasks];
                NDArray[] masks = new NDArray[tasks];
                float[] present = new float[tasks];
                for (int t = 0; t < tasks; t++) {
                    float[] m = new float[to - from];
                    for (int i = 0; i < m.length; i++) {
                        m[i] = set.mask(t)[order[from + i]];
                        if (m[i] > 0) {
                            present[t] = 1f;
                        }
                    }
                    labels[t] = Trainer.batchLabels(batch, set, t, order, from, to);
                    masks[t] = batch.create(m);
                }
                try (GradientCollector ignored = Engine.getInstance().newGradientCollector()) {
                    NDList outputs = model.block().forward(ps, inputs, false);
                    NDList losses = Trainer.taskLosses(model, outputs, labels, masks);
                    float[][] grads = GradientSurgery.perTaskGradients(shared, losses, present);
                    float[] update = appliedUpdate(grads, losses, present, batch, ps);
                    previewed &= update != null;
                    for (int t = 0; t < tasks && update != null; t++) {
                        if (grads[t] != null) {
                            alignmentSums[t] += cosine(grads[t], update);
                            alignmentCounts[t]++;
                        }
                    }
                    for (int t = 0; t < tasks; t++) {
                        if (grads[t] == null) {
                            continue;
                        }
                        if (sums[t] == null) {
                            sums[t] = new double[grads[t].length];
                        }
                        for (int i = 0; i < grads[t].length; i++) {
                            sums[t][i] += grads[t][i];
                        }
                    }
                }
            }
        }
        List<Parameter> all = new ArrayList<>();
        for (Pair<String, Parameter> p : model.block().getParameters()) {
            all.add(p.getValue());
        }
        GradientSurgery.zero(all);
        Map<String, Double> cosines = new LinkedHashMap<>();
        for (int a = 0; a < tasks; a++) {
            for (int b = a + 1; b < tasks; b++) {
                if (sums[a] != null && sums[b] != null) {
                    cosines.put(model.tasks().get(a).name() + "|" + model.tasks().get(b).name(), cosine(sums[a], sums[b]));
                }
            }
        }
        Map<String, Double> alignment = new LinkedHashMap<>();
        for (int t = 0; t < tasks && previewed; t++) {
            if (alignmentCounts[t] > 0) {
                alignment.put(model.tasks().get(t).name(), alignmentSums[t] / alignmentCounts[t]);
            }
        }
        return new Gradients(cosines, alignment);
    }

    /**
     * @return the update the training step would apply to the shared parameters for these task
     *     gradients, or null when a combiner cannot preview it
     */
    private float[] appliedUpdate(float[][] grads, NDList losses, float[] present, NDManager batch, ParameterStore ps) {
        int tasks = grads.length;
        if (combiner != null) {
            float[] values = new float[tasks];
            for (int t = 0; t < tasks; t++) {
                values[t] = present[t] > 0 ? losses.get(t).getFloat() : Float.NaN;
            }
            // called as the training step calls combine(): its failure is the weighting plugin's, named
            float[] update = model.plan().weighting().call(model.plan().source(), "weighting.type", "preview()",
                    () -> combiner.preview(grads, values));
            int size = sharedSize(grads);
            if (update != null && size >= 0 && update.length != size) {
                throw model.plan().weighting().failure(model.plan().source(), "weighting.type", "preview()",
                        "must return null or " + size + " shared gradient values, got " + update.length);
            }
            return update;
        }
        float[] weights = model.block().combineLosses(ps, NDArrays.stack(losses), batch.create(present), false).get(1).toFloatArray();
        return weightedSum(grads, weights);
    }

    /** @return the length of the task gradients that are there, or -1 when none is */
    private static int sharedSize(float[][] grads) {
        for (float[] g : grads) {
            if (g != null) {
                return g.length;
            }
        }
        return -1;
    }

    /** @return {@code sum_t weights[t] * grads[t]} over the non-null gradients; null when all are null */
    static float[] weightedSum(float[][] grads, float[] weights) {
        float[] sum = null;
        for (int t = 0; t < grads.length; t++) {
            if (grads[t] == null) {
                continue;
            }
            if (sum == null) {
                sum = new float[grads[t].length];
            }
            for (int i = 0; i < sum.length; i++) {
                sum[i] += weights[t] * grads[t][i];
            }
        }
        return sum;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }

    /** Prints each task's alignment with the update applied to the shared parameters, if recorded. */
    static void reportAlignment(EpochRecord last, PrintStream log) {
        if (last.updateAlignment() == null || last.updateAlignment().isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder("task alignment with the shared update:");
        last.updateAlignment().forEach((task, a) -> sb.append(String.format(Locale.ROOT, " %s=%+.3f", task, a)));
        log.println(sb);
    }

    static double cosine(double[] a, double[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }

    /** @return {@code rows} indices evenly spaced over {@code size} rows, the first row first; null for every row */
    static int[] spaced(int size, int rows) {
        if (rows >= size) {
            return null;
        }
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = (int) ((long) i * size / rows);
        }
        return order;
    }

    /**
     * @return per task, the mean gate weight of each expert over up to 4096 rows, evenly spaced over
     *     the set (its interactions, sampled negatives and attribute rows alike: a set holds them in
     *     that order); empty without gates
     */
    Map<String, List<Double>> gateUsage(ExampleSet set, int batchSize, NDManager manager, ParameterStore ps) {
        Map<String, List<Double>> usage = new LinkedHashMap<>();
        int rows = Math.min(set.size(), GATE_ROWS);
        if (rows == 0) {
            return usage;
        }
        double[][] sums = null;
        FeatureGatherer rowsGatherer = gatherer.forRows(set.features());
        int[] spaced = spaced(set.size(), rows);
        for (int from = 0; from < rows; from += batchSize) {
            int to = Math.min(rows, from + batchSize);
            try (NDManager batch = manager.newSubManager()) {
                NDList inputs = rowsGatherer.gather(batch, set.users(), set.items(), spaced, from, to, 0, null);
                NDList gates = model.block().gates(ps, model.block().encode(ps, inputs, false));
                if (gates == null) {
                    return usage;
                }
                if (sums == null) {
                    sums = new double[gates.size()][];
                }
                for (int t = 0; t < gates.size(); t++) {
                    float[] mean = gates.get(t).sum(new int[] {0}).toFloatArray();
                    if (sums[t] == null) {
                        sums[t] = new double[mean.length];
                    }
                    for (int e = 0; e < mean.length; e++) {
                        sums[t][e] += mean[e];
                    }
                }
            }
        }
        for (int t = 0; t < sums.length; t++) {
            List<Double> means = new ArrayList<>();
            for (double v : sums[t]) {
                means.add(v / rows);
            }
            usage.put(model.tasks().get(t).name(), means);
        }
        return usage;
    }
}
