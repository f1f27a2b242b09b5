package dev.taskweave.plugins.heads.attributes;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.ValidatedConfig;
import java.util.ArrayList;
import java.util.List;

/** The {@code tasks[i].params} of a {@code multiclass} head; every field has a default. */
public final class MultiClassHeadConfig implements ValidatedConfig {
    @JsonProperty
    private List<Integer> tower = List.of(64);
    @JsonProperty
    private double dropout = 0.0;
    @JsonProperty
    private double labelSmoothing = 0.0;

    public MultiClassHeadConfig() {}

    @Override
    public void validate() {
        ConfigChecks.tower("tower", tower);
        ConfigChecks.dropout("dropout", dropout);
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new InvalidConfigException("labelSmoothing", "expected a number in [0, 1), got " + labelSmoothing);
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

    /** @return the share of the target spread evenly over all classes; 0 for one-hot targets */
    public double labelSmoothing() {
        return labelSmoothing;
    }

    public void setLabelSmoothing(double labelSmoothing) {
        this.labelSmoothing = labelSmoothing;
    }
}
