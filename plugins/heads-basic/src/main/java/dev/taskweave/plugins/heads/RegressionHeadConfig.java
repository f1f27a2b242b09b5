package dev.taskweave.plugins.heads;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.ValidatedConfig;
import java.util.ArrayList;
import java.util.List;

/** The {@code tasks[i].params} of a {@code regression} head; every field has a default. */
public final class RegressionHeadConfig implements ValidatedConfig {
    @JsonProperty
    private List<Integer> tower = List.of(32);
    @JsonProperty
    private double dropout = 0.0;
    @JsonProperty
    private boolean centerOnMean = true;
    @JsonProperty
    private Double minScore;
    @JsonProperty
    private Double maxScore;

    public RegressionHeadConfig() {}

    @Override
    public void validate() {
        ConfigChecks.tower("tower", tower);
        ConfigChecks.dropout("dropout", dropout);
        ConfigChecks.finite("minScore", minScore);
        ConfigChecks.finite("maxScore", maxScore);
        if (minScore == null && maxScore != null) {
            throw new InvalidConfigException("minScore", "expected minScore together with maxScore, got only maxScore");
        }
        if (minScore != null && maxScore == null) {
            throw new InvalidConfigException("maxScore", "expected maxScore together with minScore, got only minScore");
        }
        if (minScore != null && !(minScore < maxScore)) {
            throw new InvalidConfigException("minScore", "expected minScore < maxScore, got " + minScore + " >= " + maxScore);
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

    /** @return true when the output adds the training label mean, so it starts at the mean */
    public boolean centerOnMean() {
        return centerOnMean;
    }

    public void setCenterOnMean(boolean centerOnMean) {
        this.centerOnMean = centerOnMean;
    }

    /** @return the lower clip of scores, or null for no clipping */
    public Double minScore() {
        return minScore;
    }

    public void setMinScore(Double minScore) {
        this.minScore = minScore;
    }

    /** @return the upper clip of scores, or null for no clipping */
    public Double maxScore() {
        return maxScore;
    }

    public void setMaxScore(Double maxScore) {
        this.maxScore = maxScore;
    }
}
