package dev.taskweave.plugins.weighting.dynamic;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.LossWeightingFactory;
import dev.taskweave.api.model.WeightingContext;
import org.pf4j.Extension;

/** {@code weighting: {type: pcgrad}}: projecting conflicting gradients (Yu et al. 2020). */
@Extension
public final class PcGradWeightingFactory implements LossWeightingFactory<PcGradConfig> {
    @Override
    public String type() {
        return "pcgrad";
    }

    @Override
    public Class<PcGradConfig> configClass() {
        return PcGradConfig.class;
    }

    @Override
    public String description() {
        return "PCGrad (Yu et al. 2020): project each task's shared gradient off the gradients it conflicts with";
    }

    @Override
    public LossWeighting create(PcGradConfig config, WeightingContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        return new PcGradWeighting(context.tasks().size(), config.seed());
    }

    /** @return false: the weights come from the weighting itself, not from {@code tasks[i].weight} */
    @Override
    public boolean readsTaskWeights() {
        return false;
    }
}
