package dev.taskweave.plugins.heads;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.nn.TowerConfig;
import java.util.List;

/** The {@code tasks[i].params} of a {@code regression} head; every field has a default. */
public final class RegressionHeadConfig extends TowerConfig {
    @JsonProperty
    private boolean centerOnMean = true;
    @JsonProperty
    private Double minScore;
    @JsonProperty
    private Double maxScore;

    public RegressionHeadConfig() {
        super(List.of(32));
    }

    @Override
    public void validate() {
        super.validate();
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
