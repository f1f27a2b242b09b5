package dev.taskweave.plugins.synthetic;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.ValidatedConfig;

/**
 * {@code data.params.opposedScores}: a pair of regression labels {@code NAME_plus} and
 * {@code NAME_minus} that share the planted rating signal and carry the same Gaussian noise draw
 * with opposite signs, {@code 3 + signal ± sigma * eps}. Fitting one's noise is un-fitting the
 * other's, so the two tasks' gradients on the shared parameters conflict once the signal is fitted.
 */
public final class OpposedScoresConfig implements ValidatedConfig {
    /** Suffix of the label whose noise is {@code +sigma * eps}. */
    static final String PLUS = "_plus";
    /** Suffix of the label whose noise is {@code -sigma * eps}. */
    static final String MINUS = "_minus";

    @JsonProperty
    private String name = "opposed";
    @JsonProperty
    private double sigma = 1.0;

    public OpposedScoresConfig() {}

    @Override
    public void validate() {
        if (name == null || !SyntheticConfig.LABEL_NAME.matcher(name).matches()
                || SyntheticConfig.RESERVED_LABELS.contains(plusLabel())
                || SyntheticConfig.RESERVED_LABELS.contains(minusLabel())) {
            throw new InvalidConfigException("name", "expected a name matching " + SyntheticConfig.LABEL_NAME.pattern()
                    + " whose labels NAME" + PLUS + " and NAME" + MINUS + " are not in " + SyntheticConfig.RESERVED_LABELS
                    + ", got " + (name == null ? "null" : "'" + name + "'"));
        }
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new InvalidConfigException("sigma", "expected a finite noise standard deviation > 0, got " + sigma);
        }
    }

    /** @return the prefix of the two labels */
    public String name() {
        return name;
    }

    /** @return the standard deviation of the shared noise, added to one label and subtracted from the other */
    public double sigma() {
        return sigma;
    }

    /** @return {@code NAME_plus}, the label {@code 3 + signal + sigma * eps} */
    public String plusLabel() {
        return name + PLUS;
    }

    /** @return {@code NAME_minus}, the label {@code 3 + signal - sigma * eps} */
    public String minusLabel() {
        return name + MINUS;
    }
}
