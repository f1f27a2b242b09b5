package dev.taskweave.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code features.neighbours}: an item-based (or with {@code by: users} a user-based) neighbourhood
 * score of each (user, item) pair, fitted on a label of the training interactions (a rating) and
 * read by the model as the numeric feature {@code neighbours_<label>} ({@code
 * neighbours_<label>_by_users}; see {@link dev.taskweave.core.data.ItemNeighbours}).
 */
public final class NeighboursConfig {
    /** The default of {@link #by}: the score reads the similarities of items. */
    public static final String ITEMS = "items";
    /** A user-based neighbourhood: the score reads the similarities of users. */
    public static final String USERS = "users";

    /**
     * The label column of the training interactions that is scored (a rating), or {@code observed}:
     * which items each user interacted with (implicit feedback, every training row an interaction).
     */
    @JsonProperty("label")
    public String label;

    /**
     * {@value #ITEMS}: the score of {@code (u, i)} reads how {@code u} rated the items most like
     * {@code i}; {@value #USERS}: how the users most like {@code u} rated {@code i}. Null (left
     * out) is {@value #ITEMS}, and is not written back: an experiment without it reads as in
     * releases before it existed, and compares equal, as text, to the experiments they recorded.
     */
    @JsonProperty("by")
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public String by;

    /** How many of the user's items most similar to the scored item (of the item's raters most similar to the user) a score reads. */
    @JsonProperty("k")
    public int k = 20;

    /** How many common raters (common items, between two users) make a similarity count half. */
    @JsonProperty("shrink")
    public double shrink = 50;

    /** Added to the sum of the neighbours' similarities, so that a score on few neighbours stays near 0. */
    @JsonProperty("lambda")
    public double lambda = 1;

    /**
     * How many of its most similar items each item keeps (users each user keeps, {@code by: users}:
     * the neighbourhood's model size); null: every one, for at most {@value
     * dev.taskweave.core.data.ItemNeighbours#MAX_ITEMS} items (users).
     */
    @JsonProperty("modelSize")
    public Integer modelSize;

    /** @return what the score reads the similarities of: {@link #by}, or {@value #ITEMS} when it is left out */
    public String kind() {
        return by == null ? ITEMS : by;
    }

    /** @return whether the score is user-based ({@code by: users}) */
    public boolean byUsers() {
        return USERS.equals(by);
    }

    /** @return the name of the feature, {@code neighbours_<label>}, or {@code neighbours_<label>_by_users} */
    public String featureName() {
        return "neighbours_" + label + (byUsers() ? "_by_users" : "");
    }
}
