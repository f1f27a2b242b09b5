package dev.taskweave.plugins.weighting.dynamic;

/** Double-precision helpers on flattened gradients. */
final class Vectors {
    private Vectors() {}

    /** @return {@code a . b}, accumulated in double */
    static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }

    /** @return {@code a . b}, accumulated in double */
    static double dot(double[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    /** @return the Gram matrix {@code G[i][j] = g_i . g_j} */
    static double[][] gram(float[][] gradients) {
        int n = gradients.length;
        double[][] gram = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                gram[i][j] = dot(gradients[i], gradients[j]);
                gram[j][i] = gram[i][j];
            }
        }
        return gram;
    }

    /** @return {@code sum_t coefficients[t] * gradients[t]}, each element accumulated in double */
    static float[] combination(float[][] gradients, double[] coefficients, int dimension) {
        float[] out = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            double sum = 0;
            for (int t = 0; t < gradients.length; t++) {
                sum += coefficients[t] * gradients[t][i];
            }
            out[i] = (float) sum;
        }
        return out;
    }

    /** @return {@code x' A y} */
    static double quadratic(double[] x, double[][] a, double[] y) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < y.length; j++) {
                sum += x[i] * a[i][j] * y[j];
            }
        }
        return sum;
    }

    /** @return {@code A x} */
    static double[] multiply(double[][] a, double[] x) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            double sum = 0;
            for (int j = 0; j < x.length; j++) {
                sum += a[i][j] * x[j];
            }
            out[i] = sum;
        }
        return out;
    }

    /** @return {@code 1/n} in every entry */
    static double[] uniform(int n) {
        double[] out = new double[n];
        java.util.Arrays.fill(out, 1.0 / n);
        return out;
    }
}
