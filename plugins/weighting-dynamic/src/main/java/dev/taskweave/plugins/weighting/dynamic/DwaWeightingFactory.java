package dev.taskweave.plugins.weighting.dynamic;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.LossWeightingFactory;
import dev.taskweave.api.model.WeightingContext;
import org.pf4j.Extension;

/** {@code weighting: {type: dwa}}: Dynamic Weight Average (Liu, Johns and Davison 2019). */
@Extension
public final class DwaWeightingFactory implements LossWeightingFactory<DwaConfig> {
    @Override
    public String type() {
        return "dwa";
    }

    @Override
    public Class<DwaConfig> configClass() {
        return DwaConfig.class;
    }

    @Override
    public String description() {
        return "Dynamic Weight Average (Liu, Johns and Davison 2019): softmax of each task's epoch-over-epoch loss ratio";
    }

    @Override
    public LossWeighting create(DwaConfig config, WeightingContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.validate();
        return new DwaWeighting(context.tasks().size(), config.temperature());
    }

    /** @return false: the weights come from the weighting itself, not from {@code tasks[i].weight} */
    @Override
    public boolean readsTaskWeights() {
        return false;
    }
}
