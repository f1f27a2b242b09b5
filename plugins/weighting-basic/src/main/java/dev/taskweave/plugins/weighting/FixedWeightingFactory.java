package dev.taskweave.plugins.weighting;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.LossWeightingFactory;
import dev.taskweave.api.model.WeightingContext;
import org.pf4j.Extension;

/** {@code weighting: {type: fixed}}: each task's loss times the weight it declares in YAML. */
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
        return "Weighted sum of task losses with the weights declared per task";
    }

    @Override
    public LossWeighting create(FixedWeightingConfig config, WeightingContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        return new FixedWeighting(TaskWeights.declared(context), config.normalize());
    }
}
