package dev.taskweave.plugins.weighting.dynamic;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.LossWeightingFactory;
import dev.taskweave.api.model.WeightingContext;
import org.pf4j.Extension;

/** {@code weighting: {type: gradnorm}}: gradient-norm balancing (Chen et al. 2018). */
@Extension
public final class GradNormWeightingFactory implements LossWeightingFactory<GradNormConfig> {
    @Override
    public String type() {
        return "gradnorm";
    }

    @Override
    public Class<GradNormConfig> configClass() {
        return GradNormConfig.class;
    }

    @Override
    public String description() {
        return "GradNorm (Chen et al. 2018): learned weights that balance the tasks' gradient norms on the last shared layer";
    }

    @Override
    public LossWeighting create(GradNormConfig config, WeightingContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.validate();
        return new GradNormWeighting(context.tasks().size(), config.alpha(), config.learningRate());
    }

    /** @return false: the weights come from the weighting itself, not from {@code tasks[i].weight} */
    @Override
    public boolean readsTaskWeights() {
        return false;
    }
}
