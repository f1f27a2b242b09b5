package dev.taskweave.plugins.weighting.dynamic;

import java.util.SplittableRandom;

/**
 * PCGrad's projection (Yu et al. 2020): each task's gradient {@code g_i'} starts as {@code g_i}
 * and, for every other task {@code j} in a random order, loses its component along the original
 * {@code g_j} when the two conflict ({@code g_i' . g_j < 0}):
 * {@code g_i' -= (g_i' . g_j / ||g_j||^2) g_j}. The combined gradient is {@code sum_i g_i'}.
 */
final class PcGrad {
    private PcGrad() {}

    /**
     * @param gradients one gradient per task, all of the same length
     * @param random    draws the order of the other tasks for each task
     * @return {@code sum_i g_i'}
     */
    static float[] combine(float[][] gradients, SplittableRandom random) {
        int n = gradients.length;
        int dimension = n == 0 ? 0 : gradients[0].length;
        double[] squaredNorms = new double[n];
        for (int j = 0; j < n; j++) {
            squaredNorms[j] = Vectors.dot(gradients[j], gradients[j]);
        }
        double[] sum = new double[dimension];
        for (int i = 0; i < n; i++) {
            double[] projected = project(i, gradients, squaredNorms, order(i, n, random));
            for (int k = 0; k < dimension; k++) {
                sum[k] += projected[k];
            }
        }
        float[] out = new float[dimension];
        for (int k = 0; k < dimension; k++) {
            out[k] = (float) sum[k];
        }
        return out;
    }

    /**
     * @param i            the task being projected
     * @param gradients    all tasks' original gradients
     * @param squaredNorms {@code ||g_j||^2} per task
     * @param others       the other tasks, in the order to project against
     * @return {@code g_i'}
     */
    static double[] project(int i, float[][] gradients, double[] squaredNorms, int[] others) {
        float[] own = gradients[i];
        double[] projected = new double[own.length];
        for (int k = 0; k < own.length; k++) {
            projected[k] = own[k];
        }
        for (int j : others) {
            if (squaredNorms[j] <= 0) {
                continue;
            }
            float[] other = gradients[j];
            double dot = Vectors.dot(projected, other);
            if (dot < 0) {
                double scale = dot / squaredNorms[j];
                for (int k = 0; k < projected.length; k++) {
                    projected[k] -= scale * other[k];
                }
            }
        }
        return projected;
    }

    /** @return the indices {@code 0..n-1} except {@code i}, shuffled (Fisher-Yates) */
    static int[] order(int i, int n, SplittableRandom random) {
        int[] others = new int[n - 1];
        for (int j = 0, k = 0; j < n; j++) {
            if (j != i) {
                others[k++] = j;
            }
        }
        for (int k = others.length - 1; k > 0; k--) {
            int swap = random.nextInt(k + 1);
            int tmp = others[k];
            others[k] = others[swap];
            others[swap] = tmp;
        }
        return others;
    }
}
