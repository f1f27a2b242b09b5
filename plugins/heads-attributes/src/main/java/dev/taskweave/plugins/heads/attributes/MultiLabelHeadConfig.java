package dev.taskweave.plugins.heads.attributes;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.nn.TowerConfig;
import java.util.List;

/** The {@code tasks[i].params} of a {@code multilabel} head; every field has a default. */
public final class MultiLabelHeadConfig extends TowerConfig {
    @JsonProperty
    private double positiveWeight = 1.0;

    public MultiLabelHeadConfig() {
        super(List.of(64));
    }

    @Override
    public void validate() {
        super.validate();
        ConfigChecks.positive("positiveWeight", positiveWeight);
    }

    /** @return the factor on the loss of positive flags; above 1 counters sparse labels */
    public double positiveWeight() {
        return positiveWeight;
    }

    public void setPositiveWeight(double positiveWeight) {
        this.positiveWeight = positiveWeight;
    }
}
