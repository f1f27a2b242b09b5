package dev.taskweave.core.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code serving}: defaults that travel with the trained model to {@code taskweave serve}. The
 * runtime stores them (in the model's {@code experiment.yaml}) and does not interpret them; the
 * server validates them when it loads the model.
 */
public final class ServingConfig {
    /**
     * The default ranking formula of {@code /v1/recommend}, fusing task scores, for example
     * {@code 0.6 * like + 0.4 * watch}; null for none.
     */
    @JsonProperty("formula")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String formula;
}
