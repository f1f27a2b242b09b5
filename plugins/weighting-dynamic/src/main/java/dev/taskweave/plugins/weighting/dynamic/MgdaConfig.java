package dev.taskweave.plugins.weighting.dynamic;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.ValidatedConfig;
import java.util.List;

/** The {@code weighting.params} of {@code mgda-ub}; every field has a default. */
public final class MgdaConfig implements ValidatedConfig {
    /** The accepted values of {@code normalization}. */
    public static final List<String> NORMALIZATIONS = List.of("none", "l2", "loss", "loss+");

    @JsonProperty
    private String normalization = "none";

    public MgdaConfig() {}

    @Override
    public void validate() {
        if (normalization == null || !NORMALIZATIONS.contains(normalization)) {
            throw new InvalidConfigException("normalization",
                    "expected one of " + String.join(", ", NORMALIZATIONS) + ", got " + normalization);
        }
    }

    /**
     * @return how each task's gradient is scaled before the min-norm problem: {@code none},
     *     {@code l2} (by {@code 1/||g_t||}), {@code loss} (by {@code 1/L_t}) or {@code loss+}
     *     (by {@code 1/(L_t ||g_t||)})
     */
    public String normalization() {
        return normalization;
    }

    public void setNormalization(String normalization) {
        this.normalization = normalization;
    }
}
