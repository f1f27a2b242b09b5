package dev.taskweave.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Adam's settings. */
public final class OptimizerConfig {
    @JsonProperty("learningRate")
    public double learningRate = 0.001;

    /** L2 weight decay applied by Adam to every parameter. */
    @JsonProperty("weightDecay")
    public double weightDecay = 0.0;

    /** Gradient clipping threshold; 0 disables clipping. */
    @JsonProperty("clipGradient")
    public double clipGradient = 0.0;
}
