package dev.taskweave.plugins.weighting;

import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.LossWeightingFactory;
import dev.taskweave.api.model.WeightingContext;
import java.util.Arrays;
import org.pf4j.Extension;

/** {@code equal}: every task's loss counts once, whatever weight it declares. */
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
        return "plain sum of task losses";
    }

    @Override
    public LossWeighting create(FixedWeightingConfig config, WeightingContext context) {
        float[] weights = new float[context.tasks().size()];
        Arrays.fill(weights, 1f);
        return () -> new WeightedSumBlock(weights, config.normalize);
    }
}
