package dev.taskweave.plugins.files;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code interactions}: the file of (user, item) rows, which columns hold the user and item ids,
 * an optional timestamp, and the label columns ({@code labels: {<label name>: <column>}}), each a
 * number per row, an empty cell meaning the row has no such label.
 */
public final class InteractionsConfig extends TableConfig {
    @JsonProperty
    private String user;
    @JsonProperty
    private String item;
    @JsonProperty
    private String timestamp;
    @JsonProperty
    private Map<String, String> labels = new LinkedHashMap<>();

    public InteractionsConfig() {}

    void validate() {
        validateTable();
        if (user == null || user.isBlank()) {
            throw new InvalidConfigException("user", "required: the column holding the user id");
        }
        if (item == null || item.isBlank()) {
            throw new InvalidConfigException("item", "required: the column holding the item id");
        }
        if (labels == null) {
            throw new InvalidConfigException("labels", "expected a mapping of label names to columns, got null");
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!FeatureNames.isName(e.getKey())) {
                throw new InvalidConfigException("labels." + e.getKey(), "a label name is letters, digits and '_', "
                        + "starting with a letter");
            }
            if (e.getKey().equals("observed")) {
                throw new InvalidConfigException("labels.observed", "'observed' is the runtime's implicit-feedback label "
                        + "(every row is a positive); name this label otherwise");
            }
            if (e.getValue() == null || e.getValue().isBlank()) {
                throw new InvalidConfigException("labels." + e.getKey(), "expected the column holding the label");
            }
        }
    }

    /** @return the user id column */
    public String user() {
        return user;
    }

    /** @return the item id column */
    public String item() {
        return item;
    }

    /** @return the timestamp column, or null */
    public String timestamp() {
        return timestamp;
    }

    /** @return label name to column, in the configured order */
    public Map<String, String> labels() {
        return new LinkedHashMap<>(labels);
    }
}
