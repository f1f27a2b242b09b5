package dev.taskweave.core.run;

/**
 * Platt scaling: the affine map {@code a·x + b} of a binary task's logit {@code x} that maximises
 * the likelihood of held-out labels, {@code p = sigmoid(a·x + b)}. It leaves the order of the
 * scores (and so AUC and ranking metrics) unchanged when {@code a > 0}, and fixes their
 * calibration: a multi-task model's binary heads are often over- or under-confident because the
 * shared layers were fitted for every task at once.
 *
 * <p>Fitted by Newton's method on the two parameters, with Platt's target smoothing (labels
 * {@code (n₊ + 1) / (n₊ + 2)} and {@code 1 / (n₋ + 2)} instead of 1 and 0), which keeps the fit
 * finite on separable data.
 */
public final class PlattScaling {
    private static final int MAX_ITERATIONS = 100;

    private PlattScaling() {}

    /**
     * @param logits the raw outputs on held-out rows
     * @param labels 0 or 1 per row
     * @return {@code {a, b}}
     * @throws IllegalArgumentException when the lengths differ or one class is missing
     */
    public static double[] fit(float[] logits, float[] labels) {
        if (logits.length != labels.length) {
            throw new IllegalArgumentException(logits.length + " logits but " + labels.length + " labels");
        }
        int positives = 0;
        for (float y : labels) {
            if (y != 0f && y != 1f) {
                throw new IllegalArgumentException("labels must be 0 or 1, got " + y);
            }
            positives += y == 1f ? 1 : 0;
        }
        int negatives = labels.length - positives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException("calibration needs both classes among the held-out rows; got " + positives
                    + " positive and " + negatives + " negative");
        }
        double high = (positives + 1.0) / (positives + 2.0);
        double low = 1.0 / (negatives + 2.0);
        double a = 1;
        double b = 0;
        double loss = loss(logits, labels, a, b, high, low);
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            // gradient and Hessian of the mean log loss in (a, b)
            double ga = 0;
            double gb = 0;
            double haa = 0;
            double hab = 0;
            double hbb = 0;
            for (int i = 0; i < logits.length; i++) {
                double x = logits[i];
                double t = labels[i] == 1f ? high : low;
                double p = sigmoid(a * x + b);
                double r = p - t;
                double w = p * (1 - p);
                ga += r * x;
                gb += r;
                haa += w * x * x;
                hab += w * x;
                hbb += w;
            }
            int n = logits.length;
            ga /= n;
            gb /= n;
            haa = haa / n + 1e-12;
            hab /= n;
            hbb = hbb / n + 1e-12;
            double det = haa * hbb - hab * hab;
            double da = (hbb * ga - hab * gb) / det;
            double db = (haa * gb - hab * ga) / det;
            // backtracking: halve the step until the loss does not rise
            double step = 1;
            double next = loss(logits, labels, a - da, b - db, high, low);
            while (next > loss && step > 1e-10) {
                step /= 2;
                next = loss(logits, labels, a - step * da, b - step * db, high, low);
            }
            a -= step * da;
            b -= step * db;
            boolean converged = Math.abs(loss - next) < 1e-12 && Math.abs(step * da) + Math.abs(step * db) < 1e-9;
            loss = next;
            if (converged) {
                break;
            }
        }
        return new double[] {a, b};
    }

    private static double loss(float[] logits, float[] labels, double a, double b, double high, double low) {
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            double z = a * logits[i] + b;
            double t = labels[i] == 1f ? high : low;
            // t·softplus(-z) + (1 - t)·softplus(z), stable
            sum += t * softplus(-z) + (1 - t) * softplus(z);
        }
        return sum / logits.length;
    }

    private static double softplus(double z) {
        return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    }

    private static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }
}
