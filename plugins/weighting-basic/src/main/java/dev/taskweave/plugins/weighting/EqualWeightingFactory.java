package dev.taskweave.plugins.weighting;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.LossWeightingFactory;
import dev.taskweave.api.model.WeightingContext;
import org.pf4j.Extension;

/** {@code weighting: {type: equal}}: the sum of task losses, ignoring declared weights. */
@Extension
public final class EqualWeightingFactory implements LossWeightingFactory<FixedWeightingConfig> {
    @Override
    public String type() {
        return "equal";
    }

    @Override
    public Class<FixedWeightingConfig> configClass() {
        return FixedWeightingConfig.class;
    }

    @Override
    public String description() {
        return "Unweighted sum (or, normalised, mean) of the present tasks' losses";
    }

    @Override
    public LossWeighting create(FixedWeightingConfig config, WeightingContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        return new FixedWeighting(TaskWeights.ones(context.tasks().size()), config.normalize());
    }

    /** @return false: every task weighs 1 whatever its {@code tasks[i].weight} */
    @Override
    public boolean readsTaskWeights() {
        return false;
    }
}
