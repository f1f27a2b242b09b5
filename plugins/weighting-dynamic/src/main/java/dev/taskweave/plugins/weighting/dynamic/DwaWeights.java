package dev.taskweave.plugins.weighting.dynamic;

import java.util.Arrays;

/**
 * Dynamic Weight Average's weights from two consecutive epochs' mean losses:
 * {@code r_t = L_t(e-1) / L_t(e-2)} and {@code w_t = V * exp(r_t / temperature) / sum_s exp(r_s / temperature)}
 * over the {@code V} tasks whose ratio is defined. A task whose ratio is undefined (a {@code NaN}
 * loss because the task was absent all epoch, or an older loss that is not {@code > 0}) keeps
 * weight 1, so the weights always sum to {@code T}. The softmax is taken of
 * {@code (r_t - max_s r_s) / temperature}, which is at most 0, so no temperature, however small,
 * overflows it (the task with the largest ratio has {@code exp(0)}).
 */
final class DwaWeights {
    private DwaWeights() {}

    /**
     * @param older       mean losses of epoch {@code e-2}
     * @param newer       mean losses of epoch {@code e-1}
     * @param temperature the softmax temperature, {@code > 0}
     * @return the weights for epoch {@code e}
     */
    static float[] weights(double[] older, double[] newer, double temperature) {
        if (older.length != newer.length) {
            throw new IllegalArgumentException(older.length + " older losses but " + newer.length + " newer");
        }
        int tasks = newer.length;
        double[] ratios = new double[tasks];
        boolean[] defined = new boolean[tasks];
        double max = Double.NEGATIVE_INFINITY;
        int count = 0;
        for (int t = 0; t < tasks; t++) {
            double ratio = newer[t] / older[t];
            if (Double.isFinite(newer[t]) && Double.isFinite(older[t]) && older[t] > 0 && Double.isFinite(ratio)) {
                defined[t] = true;
                ratios[t] = ratio;
                max = Math.max(max, ratio);
                count++;
            }
        }
        float[] weights = new float[tasks];
        Arrays.fill(weights, 1f);
        if (count == 0) {
            return weights;
        }
        double[] scaled = new double[tasks];
        double sum = 0;
        for (int t = 0; t < tasks; t++) {
            if (defined[t]) {
                scaled[t] = Math.exp((ratios[t] - max) / temperature);
                sum += scaled[t];
            }
        }
        for (int t = 0; t < tasks; t++) {
            if (defined[t]) {
                weights[t] = (float) (count * scaled[t] / sum);
            }
        }
        return weights;
    }
}
