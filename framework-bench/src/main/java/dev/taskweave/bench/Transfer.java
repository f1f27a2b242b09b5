package dev.taskweave.bench;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What multi-tasking did to one metric, against the single-task counterpart.
 *
 * @param multi            the multi-task mean
 * @param single           the single-task mean
 * @param gain             the improvement, positive when the multi-task model is better
 *                         ({@code single - multi} for a lower-is-better metric)
 * @param relativePercent  {@code 100 * gain / |single|}
 * @param verdict          {@code better} or {@code worse} when the means differ by more than the
 *                         larger of the two standard deviations, else {@code tie}
 * @param negativeTransfer true when the verdict is {@code worse}
 */
public record Transfer(@JsonProperty("multi") double multi, @JsonProperty("single") double single,
        @JsonProperty("gain") double gain, @JsonProperty("relativePercent") double relativePercent,
        @JsonProperty("verdict") String verdict, @JsonProperty("negativeTransfer") boolean negativeTransfer) {

    /** Compares two summaries of one metric. */
    public static Transfer of(Summary multi, Summary single, boolean higherIsBetter) {
        double gain = higherIsBetter ? multi.mean() - single.mean() : single.mean() - multi.mean();
        double noise = Math.max(multi.std(), single.std());
        String verdict = gain > noise && gain > 0 ? "better" : -gain > noise && gain < 0 ? "worse" : "tie";
        double relative = single.mean() == 0 ? 0 : 100 * gain / Math.abs(single.mean());
        return new Transfer(multi.mean(), single.mean(), gain, relative, verdict, verdict.equals("worse"));
    }
}
