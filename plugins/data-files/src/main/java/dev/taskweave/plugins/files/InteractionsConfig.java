package dev.taskweave.plugins.files;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code interactions}: the file of (user, item) rows, which columns hold the user and item ids,
 * an optional timestamp, and the label columns ({@code labels: {<label name>: <column>}}), each a
 * number per row, an empty cell meaning the row has no such label. {@code context} reads other
 * columns as features that take a value per row ({@link ContextConfig}).
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
    @JsonProperty
    private ContextConfig context;

    public InteractionsConfig() {}

    void validate() {
        validateTable();
        if (user == null || user.isBlank()) {
            throw new InvalidConfigException("user", "required: the column holding the user id");
        }
        if (item == null || item.isBlank()) {
            throw new InvalidConfigException("item", "required: the column holding the item id");
        }
        if (item.equals(user)) {
            throw new InvalidConfigException("item", "column '" + item + "' is also the user column: the user and the item "
                    + "id are two columns");
        }
        if (labels == null) {
            throw new InvalidConfigException("labels", "expected a mapping of label names to columns, got null");
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!FeatureNames.isName(e.getKey())) {
                throw new InvalidConfigException("labels." + e.getKey(), "a label name is ASCII letters (a-z, A-Z), digits and '_', "
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
        if (context != null) {
            try {
                context.validate();
            } catch (InvalidConfigException e) {
                throw e.under("context");
            }
            checkContextColumns("categorical", context.categorical());
            checkContextColumns("numeric", context.numeric());
        }
    }

    /** A context column the model reads must not be an id column or give a label away. */
    private void checkContextColumns(String field, List<String> columns) {
        for (int i = 0; i < columns.size(); i++) {
            String column = columns.get(i);
            String path = "context." + field + "[" + i + "]";
            if (column.equals(user) || column.equals(item)) {
                throw new InvalidConfigException(path, "column '" + column + "' holds the " + (column.equals(user) ? "user" : "item")
                        + " ids, which are features already (user_id, item_id)");
            }
            for (Map.Entry<String, String> e : labels.entrySet()) {
                if (column.equals(e.getValue())) {
                    throw new InvalidConfigException(path, "column '" + column + "' holds the label " + e.getKey()
                            + "; as a feature the model would read the answer it is asked for");
                }
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

    /** @return the context columns' configuration, or null for none */
    public ContextConfig context() {
        return context;
    }

    /** @return label name to column, in the configured order */
    public Map<String, String> labels() {
        return new LinkedHashMap<>(labels);
    }
}
