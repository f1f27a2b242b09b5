package dev.taskweave.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One metric over seeds.
 *
 * @param mean   the mean
 * @param std    the sample standard deviation (n - 1 in the denominator; 0 for one value)
 * @param values one value per seed, in seed order
 */
public record Summary(@JsonProperty("mean") double mean, @JsonProperty("std") double std,
        @JsonProperty("values") List<Double> values) {
    public Summary {
        values = List.copyOf(values);
    }

    /** @return the summary of {@code values} */
    public static Summary of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double mean = sum / values.size();
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        double std = values.size() < 2 ? 0 : Math.sqrt(squares / (values.size() - 1));
        return new Summary(mean, std, values);
    }
}
