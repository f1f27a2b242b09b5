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
    @JsonProperty
    private double pairwiseWeight = 0;
    @JsonProperty
    private int pairwiseRows = 2048;

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
        if (!(pairwiseWeight >= 0) || Double.isInfinite(pairwiseWeight)) {
            throw new InvalidConfigException("pairwiseWeight", "expected a finite number >= 0 (0: no pairwise term), got " + pairwiseWeight);
        }
        if (pairwiseRows < 2) {
            throw new InvalidConfigException("pairwiseRows", "expected an integer >= 2 (a pair needs two rows), got " + pairwiseRows);
        }
    }

    /**
     * @return the weight of the pairwise term added to the cross-entropy: over pairs of a batch's
     *     rows, {@code (y_i - y_j)+ · softplus(-(x_i - x_j))}, so that the logits also order rows
     *     across users, which a task's AUC measures; 0 for none
     */
    public double pairwiseWeight() {
        return pairwiseWeight;
    }

    public void setPairwiseWeight(double pairwiseWeight) {
        this.pairwiseWeight = pairwiseWeight;
    }

    /** @return the rows of a batch (its first, in the batch's shuffled order) the pairwise term pairs */
    public int pairwiseRows() {
        return pairwiseRows;
    }

    public void setPairwiseRows(int pairwiseRows) {
        this.pairwiseRows = pairwiseRows;
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
