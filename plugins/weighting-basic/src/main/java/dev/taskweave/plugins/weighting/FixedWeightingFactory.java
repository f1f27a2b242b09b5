package dev.taskweave.plugins.weighting;

import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.LossWeightingFactory;
import dev.taskweave.api.model.WeightingContext;
import org.pf4j.Extension;

/** {@code fixed}: each task's loss times the {@code weight} it declares in YAML. */
@Extension
public final class FixedWeightingFactory implements LossWeightingFactory<FixedWeightingConfig> {
    @Override
    public String type() {
        return "fixed";
    }

    @Override
    public Class<FixedWeightingConfig> configClass() {
        return FixedWeightingConfig.class;
    }

    @Override
    public String description() {
        return "sum of task losses times their declared weights";
    }

    @Override
    public LossWeighting create(FixedWeightingConfig config, WeightingContext context) {
        float[] weights = new float[context.tasks().size()];
        for (int t = 0; t < weights.length; t++) {
            weights[t] = context.weights().get(t).floatValue();
        }
        return () -> new WeightedSumBlock(weights, config.normalize);
    }
}
