package dev.taskweave.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * One metric over seeds.
 *
 * @param mean   the mean; null when a seed's value is not finite (not measured: a mean over the
 *               other seeds would pass a diverged run off as a result)
 * @param std    the sample standard deviation (n - 1 in the denominator; 0 for one value); null
 *               with the mean
 * @param values one value per seed, in seed order; null where that seed's value was not finite
 *               (NaN: a diverged model, or a metric undefined on that split) or missing
 */
public record Summary(@JsonProperty("mean") Double mean, @JsonProperty("std") Double std,
        @JsonProperty("values") List<Double> values) {
    public Summary {
        // a list that keeps its nulls (List.copyOf refuses them), non-finite values as null; so are
        // mean and std (a results.json read back with NaN for null still says "not measured")
        values = values.stream().map(v -> v == null || !Double.isFinite(v) ? null : v).toList();
        mean = finiteOrNull(mean);
        std = finiteOrNull(std);
    }

    /** @return {@code v}, or null when it is null or not finite */
    static Double finiteOrNull(Double v) {
        return v == null || !Double.isFinite(v) ? null : v;
    }

    /**
     * @param values one per seed, in seed order; null or a non-finite value where a seed did not
     *               measure the metric
     * @return the summary of {@code values}: mean and std when every value is finite, else neither
     */
    public static Summary of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        List<Double> copy = new ArrayList<>(values);
        if (copy.stream().anyMatch(v -> v == null || !Double.isFinite(v))) {
            return new Summary(null, null, copy);
        }
        double sum = 0;
        for (double v : copy) {
            sum += v;
        }
        double mean = sum / copy.size();
        double squares = 0;
        for (double v : copy) {
            squares += (v - mean) * (v - mean);
        }
        double std = copy.size() < 2 ? 0 : Math.sqrt(squares / (copy.size() - 1));
        return new Summary(mean, std, copy);
    }

    /** @return whether every seed measured a finite value, so that mean and std are given */
    @JsonIgnore
    public boolean measured() {
        return mean != null && std != null;
    }

    /**
     * @param seeds the seeds the values belong to, in the same order
     * @return the seeds whose value is not finite (null in {@link #values}), in order
     */
    public List<Long> unmeasured(List<Long> seeds) {
        List<Long> missing = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) == null) {
                missing.add(i < seeds.size() ? seeds.get(i) : null);
            }
        }
        return missing;
    }
}
