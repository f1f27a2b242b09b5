package dev.taskweave.plugins.sharing.advanced;

import dev.taskweave.api.InvalidConfigException;
import java.util.List;

/** Range checks shared by the configuration classes of this plugin. */
final class ConfigChecks {
    private ConfigChecks() {}

    static void atLeast(String field, int value, int minimum) {
        if (value < minimum) {
            throw new InvalidConfigException(field, "expected an integer >= " + minimum + ", got " + value);
        }
    }

    static void dropout(String field, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new InvalidConfigException(field, "expected a dropout rate in [0, 1), got " + value);
        }
    }

    static void unitInterval(String field, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new InvalidConfigException(field, "expected a number in [0, 1], got " + value);
        }
    }

    static void nonNegative(String field, double value) {
        if (!(value >= 0 && value < Double.POSITIVE_INFINITY)) {
            throw new InvalidConfigException(field, "expected a finite number >= 0, got " + value);
        }
    }

    static void widths(String field, List<Integer> widths, boolean allowEmpty) {
        if (widths == null) {
            throw new InvalidConfigException(field, "expected a list of layer widths, got null");
        }
        if (widths.isEmpty() && !allowEmpty) {
            throw new InvalidConfigException(field, "expected at least one layer width, got an empty list");
        }
        for (int i = 0; i < widths.size(); i++) {
            Integer width = widths.get(i);
            if (width == null || width < 1) {
                throw new InvalidConfigException(field, "expected every layer width to be an integer >= 1, got "
                        + width + " at index " + i);
            }
        }
    }
}
