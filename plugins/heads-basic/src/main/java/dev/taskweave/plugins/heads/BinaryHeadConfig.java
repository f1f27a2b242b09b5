package dev.taskweave.plugins.heads;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.nn.TowerConfig;
import java.util.List;

/** The {@code tasks[i].params} of a {@code binary} head; every field has a default. */
public final class BinaryHeadConfig extends TowerConfig {
    @JsonProperty
    private Double threshold;
    @JsonProperty
    private int negatives = 0;

    public BinaryHeadConfig() {
        super(List.of(32));
    }

    @Override
    public void validate() {
        super.validate();
        ConfigChecks.finite("threshold", threshold);
        if (negatives < 0) {
            throw new InvalidConfigException("negatives", "expected an integer >= 0, got " + negatives);
        }
    }

    /** @return the value at or above which a raw label is positive, or null when labels are 0/1 */
    public Double threshold() {
        return threshold;
    }

    public void setThreshold(Double threshold) {
        this.threshold = threshold;
    }

    /** @return negatives sampled per observed row (implicit feedback); 0 for explicit labels */
    public int negatives() {
        return negatives;
    }

    public void setNegatives(int negatives) {
        this.negatives = negatives;
    }
}
