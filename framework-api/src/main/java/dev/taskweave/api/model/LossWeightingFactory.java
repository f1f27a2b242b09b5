package dev.taskweave.api.model;

import dev.taskweave.api.ExtensionFactory;

/**
 * Creates loss weightings; chosen by {@code weighting.type} in the experiment YAML.
 *
 * @param <C> the configuration class for {@code weighting.params}
 */
public interface LossWeightingFactory<C> extends ExtensionFactory<C> {
    /**
     * @param config  the bound and validated parameters
     * @param context task names and their declared weights
     * @return the weighting
     */
    LossWeighting create(C config, WeightingContext context);

    /**
     * @return whether the weighting reads the tasks' declared {@code weight}s
     *     ({@link WeightingContext#weights()}); {@code taskweave check} warns about a weight other
     *     than 1 that a weighting ignores. True unless a weighting says otherwise.
     */
    default boolean readsTaskWeights() {
        return true;
    }
}
