package dev.taskweave.plugins.weighting;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.LossWeightingFactory;
import dev.taskweave.api.model.WeightingContext;
import org.pf4j.Extension;

/** {@code weighting: {type: uncertainty}}: learned per-task log-variances (Kendall et al. 2018). */
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
        return "Learned homoscedastic uncertainty (Kendall, Gal and Cipolla 2018): w*(0.5*exp(-s)*L + 0.5*s) per task";
    }

    @Override
    public LossWeighting create(UncertaintyWeightingConfig config, WeightingContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.validate();
        return new UncertaintyWeighting(TaskWeights.declared(context), (float) config.initialLogVariance());
    }
}
