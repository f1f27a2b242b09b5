package dev.taskweave.plugins.files;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code interactions.context}: columns of the interactions file that describe each row (the
 * device, the hour), read as features of the user that take a value per interaction. Categorical
 * columns get one code per value of the training rows (a value in fewer than {@code minCount}
 * training rows, a value no training row has, or an empty cell is unknown, code 0); numeric
 * columns are standardised over the training rows' non-empty cells unless {@code standardize:
 * false}, those in {@code log} read as log(1 + x) first; an empty cell is 0, the mean. The users
 * table holds each user's latest training row's value.
 */
public final class ContextConfig {
    @JsonProperty
    private List<String> categorical = new ArrayList<>();
    @JsonProperty
    private List<String> numeric = new ArrayList<>();
    @JsonProperty
    private boolean standardize = true;
    @JsonProperty
    private List<String> log = new ArrayList<>();
    @JsonProperty
    private int minCount = 1;

    public ContextConfig() {}

    void validate() {
        EntitiesConfig.requireColumns("categorical", categorical);
        EntitiesConfig.requireColumns("numeric", numeric);
        if (categorical.isEmpty() && numeric.isEmpty()) {
            throw new InvalidConfigException("categorical", "expected categorical or numeric columns of the interactions file, "
                    + "for example {categorical: [device], numeric: [hour]}; both are empty");
        }
        EntitiesConfig.requireLogOfNumeric(log, numeric);
        EntitiesConfig.requireMinCount(minCount);
    }

    /** @return the categorical columns */
    public List<String> categorical() {
        return List.copyOf(categorical);
    }

    /** @return the numeric columns */
    public List<String> numeric() {
        return List.copyOf(numeric);
    }

    /** @return whether numeric columns are standardised */
    public boolean standardize() {
        return standardize;
    }

    /** @return the numeric columns read as {@code log(1 + x)} */
    public List<String> log() {
        return List.copyOf(log);
    }

    /** @return the fewest training rows a categorical value needs to get a code of its own */
    public int minCount() {
        return minCount;
    }
}
