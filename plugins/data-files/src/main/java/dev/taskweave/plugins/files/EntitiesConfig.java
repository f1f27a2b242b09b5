package dev.taskweave.plugins.files;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.data.Entity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code users} or {@code items}: a file with one row per entity, its id column and the columns
 * read as side features. {@code categorical} columns become embedded codes (each distinct value
 * one code; an empty cell is unknown); {@code numeric} columns numbers (standardised to mean 0 and
 * standard deviation 1 over the file unless {@code standardize: false}; an empty cell is the mean);
 * {@code multiValued} columns lists of values separated by the given character
 * ({@code {tags: "|"}}), a multi-hot vector over every value seen; {@code flags} groups 0/1
 * columns into one multi-hot feature ({@code {genres: [action, comedy, drama]}}). A categorical or
 * multi-valued value in fewer than {@code minCount} rows of the file is read as unknown. The id
 * column gives the id feature; listed as another feature's column too, it is warned about
 * ({@link #idAsFeature}).
 */
public final class EntitiesConfig extends TableConfig {
    @JsonProperty
    private String id;
    @JsonProperty
    private List<String> categorical = new ArrayList<>();
    @JsonProperty
    private List<String> numeric = new ArrayList<>();
    @JsonProperty
    private Map<String, String> multiValued = new LinkedHashMap<>();
    @JsonProperty
    private Map<String, List<String>> flags = new LinkedHashMap<>();
    @JsonProperty
    private boolean standardize = true;
    @JsonProperty
    private List<String> log = new ArrayList<>();
    @JsonProperty
    private int minCount = 1;

    public EntitiesConfig() {}

    void validate() {
        validateTable();
        if (id == null || id.isBlank()) {
            throw new InvalidConfigException("id", "required: the column holding the entity's id");
        }
        requireColumns("categorical", categorical);
        requireColumns("numeric", numeric);
        if (multiValued == null) {
            throw new InvalidConfigException("multiValued", "expected a mapping of columns to separators, got null");
        }
        for (Map.Entry<String, String> e : multiValued.entrySet()) {
            if (e.getValue() == null || e.getValue().length() != 1) {
                throw new InvalidConfigException("multiValued." + e.getKey(), "expected the one character that separates the "
                        + "values, for example \"|\"; got " + (e.getValue() == null ? "null" : TableConfig.notOneCharacter(e.getValue())));
            }
        }
        requireLogOfNumeric(log, numeric);
        requireMinCount(minCount);
        if (flags == null) {
            throw new InvalidConfigException("flags", "expected a mapping of feature names to lists of 0/1 columns, got null");
        }
        for (Map.Entry<String, List<String>> e : flags.entrySet()) {
            if (!FeatureNames.isName(e.getKey())) {
                throw new InvalidConfigException("flags." + e.getKey(), "a feature name is ASCII letters (a-z, A-Z), digits and '_', starting with a letter");
            }
            if (e.getValue() == null || e.getValue().isEmpty()) {
                throw new InvalidConfigException("flags." + e.getKey(), "expected a non-empty list of 0/1 columns");
            }
            requireColumns("flags." + e.getKey(), e.getValue());
            for (int i = 0; i < e.getValue().size(); i++) {
                int first = e.getValue().indexOf(e.getValue().get(i));
                if (first != i) {
                    throw new InvalidConfigException("flags." + e.getKey() + "[" + i + "]", "column '" + e.getValue().get(i)
                            + "' is listed twice (flags." + e.getKey() + "[" + first + "]); each column is one flag of the feature");
                }
            }
        }
    }

    /**
     * The id column is the id feature already: listed as another feature it is a second id, which
     * id dropout and cold starts do not hide. A warning, not a refusal: a model trained so before
     * it was said keeps loading.
     *
     * @param prefix the path of this file's settings, such as {@code data.params.users}
     * @return the warning naming where the id column is listed again, or null
     */
    String idAsFeature(Entity entity, String prefix) {
        String path = null;
        if (categorical.contains(id)) {
            path = "categorical[" + categorical.indexOf(id) + "]";
        } else if (numeric.contains(id)) {
            path = "numeric[" + numeric.indexOf(id) + "]";
        } else if (multiValued.containsKey(id)) {
            path = "multiValued." + id;
        } else {
            for (Map.Entry<String, List<String>> e : flags.entrySet()) {
                if (e.getValue().contains(id)) {
                    path = "flags." + e.getKey() + "[" + e.getValue().indexOf(id) + "]";
                    break;
                }
            }
        }
        return path == null ? null : prefix + "." + path + ": column '" + id + "' is the id column: the "
                + entity.name().toLowerCase(Locale.ROOT) + " ids are a feature already (" + FeatureNames.prefix(entity) + "id); as"
                + " another feature it is a second id, which id dropout and cold starts do not hide (remove it from the list)";
    }

    /** Checks that {@code log} lists columns of {@code numeric} (which must have been checked). */
    static void requireLogOfNumeric(List<String> log, List<String> numeric) {
        requireColumns("log", log);
        for (int i = 0; i < log.size(); i++) {
            if (!numeric.contains(log.get(i))) {
                throw new InvalidConfigException("log[" + i + "]", "'" + log.get(i) + "' is not one of the numeric columns " + numeric
                        + "; log applies log(1 + x) to a numeric column before it is standardised");
            }
        }
    }

    static void requireMinCount(int minCount) {
        if (minCount < 1) {
            throw new InvalidConfigException("minCount", "expected an integer >= 1, got " + minCount);
        }
    }

    static void requireColumns(String field, List<String> columns) {
        if (columns == null) {
            throw new InvalidConfigException(field, "expected a list of columns, got null");
        }
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i) == null || columns.get(i).isBlank()) {
                throw new InvalidConfigException(field + "[" + i + "]", "expected a column name");
            }
        }
    }

    /** @return the id column */
    public String id() {
        return id;
    }

    /** @return the categorical columns */
    public List<String> categorical() {
        return List.copyOf(categorical);
    }

    /** @return the numeric columns */
    public List<String> numeric() {
        return List.copyOf(numeric);
    }

    /** @return multi-valued column to its separator */
    public Map<String, String> multiValued() {
        return new LinkedHashMap<>(multiValued);
    }

    /** @return flag feature name to its 0/1 columns */
    public Map<String, List<String>> flags() {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        flags.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return copy;
    }

    /** @return the numeric columns read as {@code log(1 + x)} */
    public List<String> log() {
        return List.copyOf(log);
    }

    /** @return the fewest rows a categorical or multi-valued value needs to get a code of its own */
    public int minCount() {
        return minCount;
    }

    /** @return whether numeric columns are standardised */
    public boolean standardize() {
        return standardize;
    }
}
