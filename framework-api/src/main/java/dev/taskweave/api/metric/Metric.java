package dev.taskweave.api.metric;

/** A scalar evaluation metric over a task's labelled rows. */
public interface Metric {
    /** @return the name used in YAML and in {@code metrics.json}, for example {@code rmse} */
    String name();

    /** @return true when larger values are better (AUC), false when smaller are (RMSE) */
    boolean higherIsBetter();

    /**
     * @param input the labelled rows
     * @return the metric, or {@code NaN} when it is undefined on this input (for example AUC
     *     with a single class)
     */
    double compute(MetricInput input);

    /**
     * @return the head outputs the metric means something on; a task whose head outputs another
     *     kind may not list it (an error at {@code tasks[i].metrics[m]} naming the metrics that
     *     fit). By default every kind: the runtime cannot tell, so declare them (a deviance of
     *     counts, {@code EnumSet.of(MetricOutput.VALUE)}).
     */
    default java.util.Set<MetricOutput> outputs() {
        return java.util.EnumSet.allOf(MetricOutput.class);
    }
}
