package dev.taskweave.core.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** How the input encoder turns side features into one vector. */
public final class FeaturesConfig {
    /** Width of every categorical embedding and multi-hot projection. */
    @JsonProperty("embeddingDim")
    public int embeddingDim = 16;

    /**
     * Features to use; null (left out) for all of the source's features. An empty list reads all
     * of them too, as releases before wrote a left-out include ({@code include: []}) into every
     * saved experiment; check and train say so in a warning.
     */
    @JsonProperty("include")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public List<String> include;

    /** Features to leave out. */
    @JsonProperty("exclude")
    public List<String> exclude = List.of();

    /**
     * Probability of replacing a user or item id by the unknown code during training, so that
     * the model learns to serve cold users and items from their side features.
     */
    @JsonProperty("idDropout")
    public double idDropout = 0.0;

    /**
     * Per feature, the probability of reading it as unknown (code 0, zeros) on a training row:
     * feature dropout, so the model also learns to do without it (for example {@code item_genres}
     * next to a genre task, whose item embeddings should still carry genre). A side feature is
     * only dropped on rows whose entity id is known: rows with an unknown or dropped id keep their
     * side features, as cold entities have them when served.
     */
    @JsonProperty("dropout")
    public java.util.Map<String, Double> dropout = java.util.Map.of();

    /**
     * Per history feature (a feature derived from interactions, such as a user's rated items), the
     * probability of dropping each of its entries on a training row, the entries kept scaled by
     * {@code 1 / (1 - p)}: the model then reads a random part of an entity's history each time, as
     * a denoising autoencoder reads its input, instead of learning the whole vector by heart.
     * Feature dropout ({@link #dropout}) hides a feature whole; this thins it.
     */
    @JsonProperty("historyDropout")
    public java.util.Map<String, Double> historyDropout = java.util.Map.of();

    /**
     * Features the shared encoder leaves out: only the wide parts that list them in
     * {@code tasks[i].wideFeatures} read them. For a feature that helps some tasks as a linear term
     * and would mislead the others through the shared layers, such as the mean of a user's latest
     * ratings, which the rating task reads at the moment of each rating while a ranking is scored
     * at one moment for every candidate.
     */
    @JsonProperty("wideOnly")
    public List<String> wideOnly = List.of();

    /**
     * Neighbourhood scores of every (user, item) pair: how the user rated, relative to biases, the
     * items most similar to this one (or which of them the user took), or with {@code by: users}
     * how the users most similar to this one rated the item. One mapping or a list of them; empty
     * for none.
     */
    @JsonProperty("neighbours")
    @com.fasterxml.jackson.annotation.JsonFormat(with = com.fasterxml.jackson.annotation.JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
    public List<NeighboursConfig> neighbours = List.of();

    /** Whether the encoder also outputs the product of the user and item id embeddings. */
    @JsonProperty("idInteraction")
    public boolean idInteraction = true;

    /**
     * Whether every task also gets a linear map of the encoder's output added to its output (Wide
     * &amp; Deep): with the ids and their product in the encoder this is matrix factorisation with
     * biases, next to the deep path.
     */
    @JsonProperty("wide")
    public boolean wide = false;
}
