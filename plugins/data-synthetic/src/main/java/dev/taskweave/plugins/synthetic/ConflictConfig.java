package dev.taskweave.plugins.synthetic;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.ValidatedConfig;

/**
 * {@code data.params.conflict}: emit a {@code dislike} label whose dependence on the planted rating
 * signal is opposite to {@code like}'s, with its own strength.
 */
public final class ConflictConfig implements ValidatedConfig {
    /** The largest accepted strength; beyond it the label is a deterministic threshold anyway. */
    static final double MAX_STRENGTH = 100;

    @JsonProperty
    private double strength = 2.0;

    public ConflictConfig() {}

    @Override
    public void validate() {
        if (!(strength > 0 && strength <= MAX_STRENGTH)) {
            throw new InvalidConfigException("strength", "expected a number in (0, " + MAX_STRENGTH + "], got " + strength);
        }
    }

    /** @return the slope of the dislike logit in the (negated) planted rating signal */
    public double strength() {
        return strength;
    }
}
