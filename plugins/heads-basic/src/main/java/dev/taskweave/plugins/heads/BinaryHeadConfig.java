package dev.taskweave.plugins.heads;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.ValidatedConfig;
import java.util.ArrayList;
import java.util.List;

/** The {@code tasks[i].params} of a {@code binary} head; every field has a default. */
public final class BinaryHeadConfig implements ValidatedConfig {
    @JsonProperty
    private List<Integer> tower = List.of(32);
    @JsonProperty
    private double dropout = 0.0;
    @JsonProperty
    private Double threshold;
    @JsonProperty
    private int negatives = 0;

    public BinaryHeadConfig() {}

    @Override
    public void validate() {
        ConfigChecks.tower("tower", tower);
        ConfigChecks.dropout("dropout", dropout);
        ConfigChecks.finite("threshold", threshold);
        if (negatives < 0) {
            throw new InvalidConfigException("negatives", "expected an integer >= 0, got " + negatives);
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
