package dev.taskweave.api.data;

import java.util.Locale;

/**
 * How a numeric feature's raw value becomes the value the model reads:
 * {@code (t(raw) - center) / divisor}, where {@code t} is {@code log(1 + x)} when {@code log1p}
 * is set and the identity otherwise. A dataset records it on the feature
 * ({@link FeatureSpec#scale()}) so that serving takes raw values (a price, a release year) and
 * encodes them the way training did.
 *
 * @param log1p   whether the raw value is read as {@code log(1 + x)} first (it must then be
 *                greater than -1)
 * @param center  subtracted after the transform (for example the training mean)
 * @param divisor divided by last (for example the training standard deviation); finite and
 *                greater than 0
 */
public record NumericScale(boolean log1p, double center, double divisor) {
    public NumericScale {
        if (!Double.isFinite(center)) {
            throw new IllegalArgumentException("a numeric scale's center must be finite, got " + center);
        }
        if (!Double.isFinite(divisor) || divisor <= 0) {
            throw new IllegalArgumentException("a numeric scale's divisor must be finite and greater than 0, got " + divisor);
        }
    }

    /**
     * @return the encoded value of {@code raw}
     * @throws IllegalArgumentException when {@code raw} is not finite, or is at most -1 under
     *         {@code log1p}
     */
    public double apply(double raw) {
        if (!Double.isFinite(raw)) {
            throw new IllegalArgumentException("expected a finite number, got " + raw);
        }
        if (log1p && !(raw > -1)) {
            throw new IllegalArgumentException("the value is read as log(1 + x), which needs x > -1; got " + raw);
        }
        return ((log1p ? Math.log1p(raw) : raw) - center) / divisor;
    }

    /** @return the transformation in words, for reports */
    public String describe() {
        String x = log1p ? "log(1 + x)" : "x";
        return String.format(Locale.ROOT, "(%s - %s) / %s", x, center, divisor);
    }
}
