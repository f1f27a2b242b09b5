package dev.taskweave.plugins.heads.attributes;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.ValidatedConfig;
import java.util.ArrayList;
import java.util.List;

/** The {@code tasks[i].params} of a {@code multilabel} head; every field has a default. */
public final class MultiLabelHeadConfig implements ValidatedConfig {
    @JsonProperty
    private List<Integer> tower = List.of(64);
    @JsonProperty
    private double dropout = 0.0;
    @JsonProperty
    private double positiveWeight = 1.0;

    public MultiLabelHeadConfig() {}

    @Override
    public void validate() {
        ConfigChecks.tower("tower", tower);
        ConfigChecks.dropout("dropout", dropout);
        if (!(positiveWeight > 0 && Double.isFinite(positiveWeight))) {
            throw new InvalidConfigException("positiveWeight", "expected a finite number > 0, got " + positiveWeight);
        }
    }

    /** @return the hidden layer widths of the tower; empty means a linear output on the input */
    public List<Integer> tower() {
        return List.copyOf(tower);
    }

    public void setTower(List<Integer> tower) {
        this.tower = tower == null ? null : new ArrayList<>(tower);
    }

    /** @return the dropout rate after each hidden activation */
    public double dropout() {
        return dropout;
    }

    public void setDropout(double dropout) {
        this.dropout = dropout;
    }

    /** @return the factor on the loss of positive flags; above 1 counters sparse labels */
    public double positiveWeight() {
        return positiveWeight;
    }

    public void setPositiveWeight(double positiveWeight) {
        this.positiveWeight = positiveWeight;
    }
}
