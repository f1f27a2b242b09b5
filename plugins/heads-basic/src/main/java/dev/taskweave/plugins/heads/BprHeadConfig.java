package dev.taskweave.plugins.heads;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.ConfigChecks;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.nn.TowerConfig;
import java.util.List;

/** The {@code tasks[i].params} of a {@code bpr} head; every field has a default. */
public final class BprHeadConfig extends TowerConfig {
    @JsonProperty
    private Double threshold;
    @JsonProperty
    private int evaluationNegatives = 1;

    public BprHeadConfig() {
        super(List.of(32));
    }

    @Override
    public void validate() {
        super.validate();
        ConfigChecks.finite("threshold", threshold);
        if (evaluationNegatives < 1) {
            throw new InvalidConfigException("evaluationNegatives", "expected an integer >= 1 (AUC needs negatives), got "
                    + evaluationNegatives);
        }
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
