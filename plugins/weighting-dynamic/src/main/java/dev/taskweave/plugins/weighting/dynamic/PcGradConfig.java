package dev.taskweave.plugins.weighting.dynamic;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The {@code weighting.params} of {@code pcgrad}; every field has a default and any value is valid. */
public final class PcGradConfig {
    @JsonProperty
    private long seed = 0;

    public PcGradConfig() {}

    /** @return the seed of the generator that orders the projections */
    public long seed() {
        return seed;
    }

    public void setSeed(long seed) {
        this.seed = seed;
    }
}
