package dev.taskweave.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Stops training when a validation metric stops improving and restores the best epoch. */
public final class EarlyStoppingConfig {
    /** {@code split.task.metric}, for example {@code valid.rating.rmse}. */
    @JsonProperty("metric")
    public String metric;

    /** Epochs without improvement before stopping. */
    @JsonProperty("patience")
    public int patience = 3;

    /** Smallest change that counts as an improvement. */
    @JsonProperty("minDelta")
    public double minDelta = 0.0;
}
