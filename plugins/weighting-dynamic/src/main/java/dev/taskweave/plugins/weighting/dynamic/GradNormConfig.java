package dev.taskweave.plugins.weighting.dynamic;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.ValidatedConfig;

/** The {@code weighting.params} of {@code gradnorm}; every field has a default. */
public final class GradNormConfig implements ValidatedConfig {
    @JsonProperty
    private double alpha = 1.5;
    @JsonProperty
    private double learningRate = 0.025;

    public GradNormConfig() {}

    @Override
    public void validate() {
        ConfigChecks.nonNegative("alpha", alpha);
        ConfigChecks.positive("learningRate", learningRate);
    }

    /** @return the restoring-force strength; 0 pulls every task to the same gradient norm */
    public double alpha() {
        return alpha;
    }

    public void setAlpha(double alpha) {
        this.alpha = alpha;
    }

    /** @return the step size of the weight update */
    public double learningRate() {
        return learningRate;
    }

    public void setLearningRate(double learningRate) {
        this.learningRate = learningRate;
    }
}
