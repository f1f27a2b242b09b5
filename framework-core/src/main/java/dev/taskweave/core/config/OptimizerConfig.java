package dev.taskweave.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Adam's settings. */
public final class OptimizerConfig {
    /**
     * {@code adam}: the weight decay is an L2 term added to every gradient, so Adam's per-parameter
     * scaling also scales it; {@code adamw}: decoupled weight decay (Loshchilov and Hutter), every
     * weight shrinks by {@code learningRate * weightDecay} per step whatever its gradient.
     */
    @JsonProperty("type")
    public String type = "adam";

    @JsonProperty("learningRate")
    public double learningRate = 0.001;

    /** Weight decay applied to every parameter (see {@link #type} for how). */
    @JsonProperty("weightDecay")
    public double weightDecay = 0.0;

    /**
     * Learning-rate schedule over training steps: {@code constant}; {@code cosine} from
     * {@link #learningRate} down to {@link #finalLearningRate} over every step of
     * {@code training.epochs} (early stopping may end sooner); {@code step}, multiplied by
     * {@link #decay} after every {@link #decayEpochs} epochs.
     */
    @JsonProperty("schedule")
    public String schedule = "constant";

    /** The learning rate a cosine schedule ends at; 0 for a hundredth of {@link #learningRate}. */
    @JsonProperty("finalLearningRate")
    public double finalLearningRate = 0.0;

    /** The step schedule's factor. */
    @JsonProperty("decay")
    public double decay = 0.5;

    /** The step schedule's period, in epochs. */
    @JsonProperty("decayEpochs")
    public int decayEpochs = 1;

    /** Steps over which the learning rate rises linearly from 0 before the schedule; 0 for none. */
    @JsonProperty("warmupSteps")
    public int warmupSteps = 0;

    /** Gradient clipping threshold; 0 disables clipping. */
    @JsonProperty("clipGradient")
    public double clipGradient = 0.0;
}
