package dev.taskweave.plugins.heads.attributes;

import dev.taskweave.api.InvalidConfigException;
import java.util.List;

/** Range checks shared by the configuration classes of this plugin. */
final class ConfigChecks {
    private ConfigChecks() {}

    static void tower(String field, List<Integer> widths) {
        if (widths == null) {
            throw new InvalidConfigException(field, "expected a list of layer widths (may be empty), got null");
        }
        for (int i = 0; i < widths.size(); i++) {
            Integer width = widths.get(i);
            if (width == null || width < 1) {
                throw new InvalidConfigException(field + "[" + i + "]", "expected a layer width >= 1, got " + width);
            }
        }
    }

    static void dropout(String field, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new InvalidConfigException(field, "expected a dropout rate in [0, 1), got " + value);
        }
    }
}
