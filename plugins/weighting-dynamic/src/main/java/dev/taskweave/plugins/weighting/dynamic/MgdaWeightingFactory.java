package dev.taskweave.plugins.weighting.dynamic;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.LossWeightingFactory;
import dev.taskweave.api.model.WeightingContext;
import org.pf4j.Extension;

/** {@code weighting: {type: mgda-ub}}: multiple-gradient descent (Sener and Koltun 2018). */
@Extension
public final class MgdaWeightingFactory implements LossWeightingFactory<MgdaConfig> {
    @Override
    public String type() {
        return "mgda-ub";
    }

    @Override
    public Class<MgdaConfig> configClass() {
        return MgdaConfig.class;
    }

    @Override
    public String description() {
        return "MGDA (Sener and Koltun 2018): task weights from the min-norm point of the shared gradients";
    }

    @Override
    public LossWeighting create(MgdaConfig config, WeightingContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.validate();
        return new MgdaWeighting(context.tasks().size(), config.normalization());
    }

    /** @return false: the weights come from the weighting itself, not from {@code tasks[i].weight} */
    @Override
    public boolean readsTaskWeights() {
        return false;
    }
}
