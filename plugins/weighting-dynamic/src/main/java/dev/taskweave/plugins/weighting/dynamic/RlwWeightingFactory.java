package dev.taskweave.plugins.weighting.dynamic;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.LossWeightingFactory;
import dev.taskweave.api.model.WeightingContext;
import org.pf4j.Extension;

/** {@code weighting: {type: rlw}}: Random Loss Weighting (Lin et al. 2021). */
@Extension
public final class RlwWeightingFactory implements LossWeightingFactory<RlwConfig> {
    @Override
    public String type() {
        return "rlw";
    }

    @Override
    public Class<RlwConfig> configClass() {
        return RlwConfig.class;
    }

    @Override
    public String description() {
        return "Random Loss Weighting (Lin et al. 2021): T * softmax(N(0, I)) weights drawn every training step";
    }

    @Override
    public LossWeighting create(RlwConfig config, WeightingContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        return new RlwWeighting(context.tasks().size());
    }

    /** @return false: the weights come from the weighting itself, not from {@code tasks[i].weight} */
    @Override
    public boolean readsTaskWeights() {
        return false;
    }
}
