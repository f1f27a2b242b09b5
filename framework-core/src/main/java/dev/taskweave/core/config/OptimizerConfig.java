package dev.taskweave.core.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.Map;

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

    /**
     * The settings one schedule alone reads, each with that schedule. They are null when left out
     * (and left out of the YAML written back), so that one set for another schedule is refused.
     */
    public static final Map<String, String> SCHEDULE_SETTINGS = Map.of("finalLearningRate", "cosine", "decay", "step",
            "decayEpochs", "step");

    /** The learning rate a cosine schedule ends at; 0 for a hundredth of {@link #learningRate}; null for 0. */
    @JsonProperty("finalLearningRate")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonSetter(nulls = Nulls.FAIL)
    public Double finalLearningRate;

    /** The step schedule's factor; null for 0.5. */
    @JsonProperty("decay")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonSetter(nulls = Nulls.FAIL)
    public Double decay;

    /** The step schedule's period, in epochs; null for 1. */
    @JsonProperty("decayEpochs")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonSetter(nulls = Nulls.FAIL)
    public Integer decayEpochs;

    /** Steps over which the learning rate rises linearly from 0 before the schedule; 0 for none. */
    @JsonProperty("warmupSteps")
    public int warmupSteps = 0;

    /** Gradient clipping threshold; 0 disables clipping. */
    @JsonProperty("clipGradient")
    public double clipGradient = 0.0;

    /** @return {@link #finalLearningRate}, 0 when left out */
    public double finalLearningRate() {
        return finalLearningRate == null ? 0.0 : finalLearningRate;
    }

    /** @return {@link #decay}, 0.5 when left out */
    public double decay() {
        return decay == null ? 0.5 : decay;
    }

    /** @return {@link #decayEpochs}, 1 when left out */
    public int decayEpochs() {
        return decayEpochs == null ? 1 : decayEpochs;
    }
}
