package dev.taskweave.bench;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What multi-tasking did to one metric, against the single-task counterpart.
 *
 * @param multi            the multi-task mean, null when not measured
 * @param single           the single-task mean, null when not measured
 * @param gain             the improvement, positive when the multi-task model is better
 *                         ({@code single - multi} for a lower-is-better metric); null when either
 *                         side is not measured
 * @param relativePercent  {@code 100 * gain / |single|}; null with the gain
 * @param verdict          {@code better} or {@code worse} when the means differ by more than the
 *                         larger of the two standard deviations, else {@code tie};
 *                         {@code one seed} when either side has a single value and the means
 *                         differ: without a standard deviation no difference can be told from
 *                         noise, so none is judged (the gain is given);
 *                         {@code not measured} when a seed of either side has a value that is not
 *                         finite (a diverged run): no comparison is made
 * @param negativeTransfer true when the verdict is {@code worse}
 */
public record Transfer(@JsonProperty("multi") Double multi, @JsonProperty("single") Double single,
        @JsonProperty("gain") Double gain, @JsonProperty("relativePercent") Double relativePercent,
        @JsonProperty("verdict") String verdict, @JsonProperty("negativeTransfer") boolean negativeTransfer) {
    public Transfer {
        // null is "not measured": a results.json read back with NaN for null keeps saying so
        multi = Summary.finiteOrNull(multi);
        single = Summary.finiteOrNull(single);
        gain = Summary.finiteOrNull(gain);
        relativePercent = Summary.finiteOrNull(relativePercent);
    }

    /** The verdict when either side has a seed whose value is not finite. */
    public static final String NOT_MEASURED = "not measured";

    /** The verdict when either side has one value, so no standard deviation. */
    public static final String ONE_SEED = "one seed";

    /** Compares two summaries of one metric. */
    public static Transfer of(Summary multi, Summary single, boolean higherIsBetter) {
        if (!multi.measured() || !single.measured()) {
            // NaN compares false with everything: it would pass for a tie, or for better
            return new Transfer(multi.mean(), single.mean(), null, null, NOT_MEASURED, false);
        }
        double gain = higherIsBetter ? multi.mean() - single.mean() : single.mean() - multi.mean();
        double noise = Math.max(multi.std(), single.std());
        // equal means are a tie however many seeds; with one seed any other difference is undecided
        String verdict = gain == 0 ? "tie" : multi.values().size() < 2 || single.values().size() < 2 ? ONE_SEED
                : gain > noise && gain > 0 ? "better" : -gain > noise && gain < 0 ? "worse" : "tie";
        double relative = single.mean() == 0 ? 0 : 100 * gain / Math.abs(single.mean());
        return new Transfer(multi.mean(), single.mean(), gain, relative, verdict, verdict.equals("worse"));
    }
}
