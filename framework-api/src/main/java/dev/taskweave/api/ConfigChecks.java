package dev.taskweave.api;

import java.util.List;

/**
 * Range checks for plugin configuration classes ({@link ValidatedConfig#validate()}). Each throws
 * an {@link InvalidConfigException} whose path is the field given (with the index of a bad list
 * element, {@code tower[2]}) and whose reason says what was expected and what was found.
 */
public final class ConfigChecks {
    private ConfigChecks() {}

    /** Requires an integer of at least {@code minimum}. */
    public static void atLeast(String field, int value, int minimum) {
        if (value < minimum) {
            throw new InvalidConfigException(field, "expected an integer >= " + minimum + ", got " + value);
        }
    }

    /**
     * Requires a dropout rate, a number in [0, 1) that stays below 1 in single precision, as the
     * layers hold it (0.99999999 is 1.0 as a float: it passed, and the first training step failed).
     */
    public static void dropout(String field, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new InvalidConfigException(field, "expected a dropout rate in [0, 1), got " + value);
        }
        if (!((float) value < 1f)) {
            throw new InvalidConfigException(field, "expected a dropout rate in [0, 1), got " + value + ", which is 1 in single"
                    + " precision (at most " + Math.nextDown(1f) + ")");
        }
    }

    /** Requires a number in [0, 1]. */
    public static void unitInterval(String field, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new InvalidConfigException(field, "expected a number in [0, 1], got " + value);
        }
    }

    /** Requires a finite number of at least 0. */
    public static void nonNegative(String field, double value) {
        if (!(value >= 0 && value < Double.POSITIVE_INFINITY)) {
            throw new InvalidConfigException(field, "expected a finite number >= 0, got " + value);
        }
    }

    /** Requires a finite number above 0. */
    public static void positive(String field, double value) {
        if (!(value > 0 && value < Double.POSITIVE_INFINITY)) {
            throw new InvalidConfigException(field, "expected a finite number > 0, got " + value);
        }
    }

    /** Requires a finite number when one is given ({@code null} passes: the setting is unset). */
    public static void finite(String field, Double value) {
        if (value != null && !Double.isFinite(value)) {
            throw new InvalidConfigException(field, "expected a finite number, got " + value);
        }
    }

    /**
     * Requires a list of layer widths, each an integer of at least 1.
     *
     * @param allowEmpty whether no layer at all is allowed (a linear output, or the identity)
     */
    public static void widths(String field, List<Integer> widths, boolean allowEmpty) {
        if (widths == null) {
            throw new InvalidConfigException(field, "expected a list of layer widths" + (allowEmpty ? " (may be empty)" : "")
                    + ", got null");
        }
        if (widths.isEmpty() && !allowEmpty) {
            throw new InvalidConfigException(field, "expected at least one layer width, got an empty list");
        }
        for (int i = 0; i < widths.size(); i++) {
            Integer width = widths.get(i);
            if (width == null || width < 1) {
                throw new InvalidConfigException(field + "[" + i + "]", "expected a layer width >= 1, got " + width);
            }
        }
    }
}
