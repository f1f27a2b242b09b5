package dev.taskweave.api.metric;

/**
 * What a task's head outputs per row, which decides the metrics that mean something on it
 * ({@link Metric#outputs()}): a log-loss of a rating or an AUC of a regression is a number that
 * means nothing, and the runtime refuses such a metric where an experiment lists it.
 */
public enum MetricOutput {
    /** One predicted value (regression). */
    VALUE("one predicted value"),
    /** One probability, the sigmoid of a logit (binary). */
    PROBABILITY("one probability"),
    /** One score whose order alone counts (a pairwise ranking head such as bpr). */
    SCORE("one ranking score"),
    /** A probability per label of a multi-label attribute. */
    MULTI_LABEL("a probability per label"),
    /** A score per class of a one-class-per-entity attribute. */
    MULTI_CLASS("a score per class");

    private final String description;

    MetricOutput(String description) {
        this.description = description;
    }

    /** @return how an error names the output, for example {@code one predicted value} */
    public String description() {
        return description;
    }
}
