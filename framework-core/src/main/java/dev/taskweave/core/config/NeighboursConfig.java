package dev.taskweave.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code features.neighbours}: an item-based neighbourhood score of each (user, item) pair, fitted
 * on a label of the training interactions (a rating) and read by the model as the numeric feature
 * {@code neighbours_<label>} (see {@link dev.taskweave.core.data.ItemNeighbours}).
 */
public final class NeighboursConfig {
    /**
     * The label column of the training interactions that is scored (a rating), or {@code observed}:
     * which items each user interacted with (implicit feedback, every training row an interaction).
     */
    @JsonProperty("label")
    public String label;

    /** How many of the user's items most similar to the scored item a score reads. */
    @JsonProperty("k")
    public int k = 20;

    /** How many common raters make a similarity between two items count half. */
    @JsonProperty("shrink")
    public double shrink = 50;

    /** Added to the sum of the neighbours' similarities, so that a score on few neighbours stays near 0. */
    @JsonProperty("lambda")
    public double lambda = 1;

    /**
     * How many of its most similar items each item keeps (the neighbourhood's model size); null:
     * every one, for at most {@value dev.taskweave.core.data.ItemNeighbours#MAX_ITEMS} items.
     */
    @JsonProperty("modelSize")
    public Integer modelSize;

    /** @return the name of the feature, {@code neighbours_<label>} */
    public String featureName() {
        return "neighbours_" + label;
    }
}
