package dev.taskweave.plugins.weighting.dynamic;

/**
 * The {@code weighting.params} of {@code rlw}: it has no fields (the weights are drawn from a
 * standard normal through a softmax; the engine's seed makes them reproducible).
 */
public final class RlwConfig {
    public RlwConfig() {}
}
