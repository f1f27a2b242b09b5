package dev.taskweave.plugins.files;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import java.util.Set;

/**
 * One entry of {@code recent}: the feature {@code user_recent_<label>}, on each row the mean of
 * the user's {@code window} latest training values of {@code label} strictly before the row's
 * time minus the mean of all the user's training values of it (the row's own value left out on a
 * training row; rows without the label do not count). It needs {@code interactions.timestamp}.
 */
public final class RecentConfig {
    @JsonProperty
    private String label;
    @JsonProperty
    private Integer window;

    public RecentConfig() {}

    /** @param labels the configured label names */
    void validate(Set<String> labels) {
        if (label == null || label.isBlank()) {
            throw new InvalidConfigException("label", "required: the label whose recent values are averaged, one of " + labels);
        }
        if (!labels.contains(label)) {
            throw new InvalidConfigException("label", "unknown label '" + label + "'; interactions.labels has " + labels);
        }
        if (window == null || window < 1) {
            throw new InvalidConfigException("window", "expected how many of the user's latest values to average, an integer >= 1"
                    + (window == null ? "; it is required" : ", got " + window));
        }
    }

    /** @return the label averaged */
    public String label() {
        return label;
    }

    /** @return how many of the latest values are averaged */
    public int window() {
        return window;
    }
}
