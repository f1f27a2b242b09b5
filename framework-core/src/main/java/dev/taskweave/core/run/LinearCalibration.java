package dev.taskweave.core.run;

/**
 * Linear recalibration of a regression task ({@code calibrate: linear}): the affine map
 * {@code a·x + b} of its output {@code x} with the least squared error on held-out labels,
 * fitted by ordinary least squares. Where a model's outputs are spread wider (or narrower) than
 * what they predict, as a multi-task model's predictions for users it knows only by their side
 * features are, {@code a} below 1 pulls them towards their mean.
 */
public final class LinearCalibration {
    private LinearCalibration() {}

    /**
     * @param outputs the raw outputs on held-out rows
     * @param labels  their labels
     * @return {@code {a, b}} minimising {@code sum (a·x + b - y)^2}
     * @throws IllegalArgumentException when the lengths differ, a value is not finite, or there
     *     are fewer than two rows or the outputs do not vary (no line to fit)
     */
    public static double[] fit(float[] outputs, float[] labels) {
        if (outputs.length != labels.length) {
            throw new IllegalArgumentException(outputs.length + " outputs but " + labels.length + " labels");
        }
        int n = outputs.length;
        double meanX = 0;
        double meanY = 0;
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(outputs[i]) || !Float.isFinite(labels[i])) {
                throw new IllegalArgumentException("row " + i + " has output " + outputs[i] + " and label " + labels[i]
                        + "; expected finite numbers");
            }
            meanX += outputs[i];
            meanY += labels[i];
        }
        if (n < 2) {
            throw new IllegalArgumentException("a line needs at least two held-out rows; got " + n);
        }
        meanX /= n;
        meanY /= n;
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < n; i++) {
            double dx = outputs[i] - meanX;
            sxx += dx * dx;
            sxy += dx * (labels[i] - meanY);
        }
        if (!(sxx > 1e-12 * n * Math.max(1, meanX * meanX))) {
            throw new IllegalArgumentException("the outputs on the held-out rows do not vary (all about " + meanX
                    + "), so no line can be fitted");
        }
        double a = sxy / sxx;
        return new double[] {a, meanY - a * meanX};
    }
}
