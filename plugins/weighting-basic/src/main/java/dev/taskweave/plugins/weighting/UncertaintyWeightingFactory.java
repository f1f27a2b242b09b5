package dev.taskweave.plugins.weighting;

import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.LossWeightingFactory;
import dev.taskweave.api.model.WeightingContext;
import org.pf4j.Extension;

/** {@code uncertainty}: learnable per-task weights from homoscedastic uncertainty (Kendall et al. 2018). */
@Extension
public final class UncertaintyWeightingFactory implements LossWeightingFactory<UncertaintyWeightingConfig> {
    @Override
    public String type() {
        return "uncertainty";
    }

    @Override
    public Class<UncertaintyWeightingConfig> configClass() {
        return UncertaintyWeightingConfig.class;
    }

    @Override
    public String description() {
        return "learned log-variance per task (Kendall, Gal and Cipolla 2018)";
    }

    @Override
    public LossWeighting create(UncertaintyWeightingConfig config, WeightingContext context) {
        float[] weights = new float[context.tasks().size()];
        for (int t = 0; t < weights.length; t++) {
            weights[t] = context.weights().get(t).floatValue();
        }
        float initial = (float) config.initialLogVariance;
        return () -> new UncertaintyBlock(weights, initial);
    }
}
