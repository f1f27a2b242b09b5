package dev.taskweave.plugins.heads.attributes;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.nn.TowerConfig;
import java.util.List;

/** The {@code tasks[i].params} of a {@code multiclass} head; every field has a default. */
public final class MultiClassHeadConfig extends TowerConfig {
    @JsonProperty
    private double labelSmoothing = 0.0;

    public MultiClassHeadConfig() {
        super(List.of(64));
    }

    @Override
    public void validate() {
        super.validate();
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new InvalidConfigException("labelSmoothing", "expected a number in [0, 1), got " + labelSmoothing);
        }
    }

    /** @return the share of the target spread evenly over all classes; 0 for one-hot targets */
    public double labelSmoothing() {
        return labelSmoothing;
    }

    public void setLabelSmoothing(double labelSmoothing) {
        this.labelSmoothing = labelSmoothing;
    }
}
