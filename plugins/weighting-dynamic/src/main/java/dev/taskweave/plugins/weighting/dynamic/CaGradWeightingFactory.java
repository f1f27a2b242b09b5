package dev.taskweave.plugins.weighting.dynamic;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.LossWeightingFactory;
import dev.taskweave.api.model.WeightingContext;
import org.pf4j.Extension;

/** {@code weighting: {type: cagrad}}: conflict-averse gradient descent (Liu et al. 2021). */
@Extension
public final class CaGradWeightingFactory implements LossWeightingFactory<CaGradConfig> {
    @Override
    public String type() {
        return "cagrad";
    }

    @Override
    public Class<CaGradConfig> configClass() {
        return CaGradConfig.class;
    }

    @Override
    public String description() {
        return "CAGrad (Liu et al. 2021): the update near the mean gradient that best helps the worst task";
    }

    @Override
    public LossWeighting create(CaGradConfig config, WeightingContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.validate();
        return new CaGradWeighting(context.tasks().size(), config.c());
    }

    /** @return false: the weights come from the weighting itself, not from {@code tasks[i].weight} */
    @Override
    public boolean readsTaskWeights() {
        return false;
    }
}
