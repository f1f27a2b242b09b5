package dev.taskweave.plugins.weighting;

import dev.taskweave.api.model.WeightingContext;
import java.util.Arrays;
import java.util.List;

/** Helpers shared by the weighting blocks. */
final class TaskWeights {
    private TaskWeights() {}

    /** @return the declared weights as floats; each must be finite and >= 0 */
    static float[] declared(WeightingContext context) {
        List<Double> weights = context.weights();
        float[] values = new float[weights.size()];
        for (int i = 0; i < values.length; i++) {
            Double w = weights.get(i);
            if (w == null || !Double.isFinite(w) || w < 0) {
                throw new IllegalArgumentException("task " + context.tasks().get(i)
                        + ": expected a finite weight >= 0, got " + w);
            }
            values[i] = w.floatValue();
        }
        return values;
    }

    /** @return {@code tasks} ones */
    static float[] ones(int tasks) {
        float[] values = new float[tasks];
        Arrays.fill(values, 1f);
        return values;
    }
}
