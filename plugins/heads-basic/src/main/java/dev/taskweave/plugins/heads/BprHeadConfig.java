package dev.taskweave.plugins.heads;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.ValidatedConfig;
import java.util.ArrayList;
import java.util.List;

/** The {@code tasks[i].params} of a {@code bpr} head; every field has a default. */
public final class BprHeadConfig implements ValidatedConfig {
    @JsonProperty
    private List<Integer> tower = List.of(32);
    @JsonProperty
    private double dropout = 0.0;
    @JsonProperty
    private Double threshold;
    @JsonProperty
    private int evaluationNegatives = 1;

    public BprHeadConfig() {}

    @Override
    public void validate() {
        ConfigChecks.tower("tower", tower);
        ConfigChecks.dropout("dropout", dropout);
        ConfigChecks.finite("threshold", threshold);
        if (evaluationNegatives < 1) {
            throw new InvalidConfigException("evaluationNegatives", "expected an integer >= 1 (AUC needs negatives), got "
                    + evaluationNegatives);
        }
    }

    /** @return the hidden layer widths of the tower */
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

    /** @return negatives per observed row in evaluation splits */
    public int evaluationNegatives() {
        return evaluationNegatives;
    }

    public void setEvaluationNegatives(int evaluationNegatives) {
        this.evaluationNegatives = evaluationNegatives;
    }
}
