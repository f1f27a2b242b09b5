package dev.taskweave.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One task of the experiment. */
public final class TaskConfig {
    /** Unique task name, used in metrics and early stopping ({@code valid.<name>.<metric>}). */
    @JsonProperty("name")
    public String name;

    /** Task head type, for example {@code regression} or {@code binary}. */
    @JsonProperty("head")
    public String head;

    /** Label column of the data source, or {@code observed} for implicit feedback. */
    @JsonProperty("label")
    public String label;

    /** Weight handed to the loss weighting (fixed weighting multiplies by it). */
    @JsonProperty("weight")
    public double weight = 1.0;

    /** Metrics to report; the head's defaults when empty. */
    @JsonProperty("metrics")
    public List<String> metrics = List.of();

    /**
     * The task this one depends on (declared earlier in {@code tasks}), or null. How information
     * flows from it is {@link #transfer}.
     */
    @JsonProperty("dependsOn")
    public String dependsOn;

    /**
     * How a dependent task uses its parent: {@code esmm} (the task's probability is the parent's
     * times its own conditional, and it learns on every row the parent is labelled on) or
     * {@code aitm} (an adaptive information transfer module feeds the parent's representation into
     * this task's tower, with a calibrator that keeps this task's probability below the parent's).
     */
    @JsonProperty("transfer")
    public String transfer = "esmm";

    /** AITM's calibrator weight: {@code calibration * mean(max(p_task - p_parent, 0))}. */
    @JsonProperty("calibration")
    public double calibration = 0.6;

    /**
     * For an entity-attribute task (its label is an attribute such as {@code item_genres}):
     * features its rows read as unknown besides the label itself. Use it for features that would
     * let the task memorise its training entities instead of learning what carries over to the
     * entities whose attribute is unknown, for example {@code item_id} when genres should be
     * learned from {@code item_history}. Attribute rows of one entity share their features, so
     * the hidden set is the union over that entity's attribute tasks.
     */
    @JsonProperty("hideFeatures")
    public List<String> hideFeatures = List.of();

    /**
     * {@code platt} fits an affine map of the task's logit after training (Platt scaling), so its
     * probabilities are calibrated (heads that output one logit); {@code threshold} shifts the
     * task's logits so that probability 0.5 is the decision threshold with the best F1 (micro-F1
     * over all labels), leaving the order of its scores unchanged (heads whose outputs are logits:
     * binary, multi-label); {@code linear} fits the least-squares line {@code a·x + b} of a
     * predicted value on its labels (heads with one output that is not a logit: regression);
     * {@code none} (the default) keeps the outputs as trained. Each is fitted on the rows
     * {@link #calibrateOn} names, the task's validation rows by default.
     */
    @JsonProperty("calibrate")
    public String calibrate = "none";

    /**
     * The rows {@code calibrate} is fitted on: {@code valid} (the default), the task's rows of the
     * validation split; {@code train}, its training rows scored with the final weights (the
     * training rows of the first epoch, sampled negatives included). Training rows are fitted
     * data, so this suits a model that does not memorise them (an attribute task whose rows hide
     * the id, say) and a task with no validation rows.
     */
    @JsonProperty("calibrateOn")
    public String calibrateOn = "valid";

    /**
     * With {@code calibrate: platt} or {@code linear}: also fit a second map for users the model does not know
     * (scored from their side features: cold and new users), on the calibration rows read as if
     * their user were new, and apply it wherever the user id is unknown, in evaluation and in
     * serving. A model's predictions from side features alone are spread differently from those
     * it makes for users it knows, which one map fitted on known users cannot follow.
     */
    @JsonProperty("calibrateColdUsers")
    public boolean calibrateColdUsers = false;

    /**
     * As {@link #calibrateColdUsers}, for items the model does not know (scored from their side
     * features: cold and new items): a map fitted on the calibration rows read as if their item
     * were new, applied wherever the item id is unknown. A row whose user and item are both
     * unknown takes the users' map when the task has both.
     */
    @JsonProperty("calibrateColdItems")
    public boolean calibrateColdItems = false;

    /**
     * Whether this task also gets a linear map of the encoder's output added to its head's output
     * (its own wide part), as {@code features.wide} gives every task.
     */
    @JsonProperty("wide")
    public boolean wide = false;

    /**
     * Features this task's wide part reads through embeddings of its own (a linear model over them
     * that the other tasks do not move); empty for none.
     */
    @JsonProperty("wideFeatures")
    public List<String> wideFeatures = List.of();

    /** The head's own parameters. */
    @JsonProperty("params")
    @com.fasterxml.jackson.annotation.JsonSetter(nulls = com.fasterxml.jackson.annotation.Nulls.AS_EMPTY) // "params:" left empty
    public Map<String, Object> params = new LinkedHashMap<>();
}
