package dev.taskweave.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The settings a tuning run searches: per experiment path, a list of values or a range of
 * numbers, and the trials drawn from them.
 *
 * @param dimensions the searched settings, in file order
 */
public record SearchSpace(List<Dimension> dimensions) {
    /** The most combinations a grid may have. */
    public static final int MAX_GRID = 1000;

    public SearchSpace {
        dimensions = List.copyOf(requireNonNull(dimensions, "dimensions is null"));
    }

    /**
     * One searched setting: either {@code values} (chosen from) or a range.
     *
     * @param path    the dotted experiment path
     * @param values  the values to choose from, or null for a range
     * @param min     the range's smallest value
     * @param max     the range's largest value
     * @param log     whether the range is drawn uniformly in log space
     * @param integer whether draws are rounded to whole numbers
     */
    public record Dimension(String path, List<JsonNode> values, double min, double max, boolean log, boolean integer) {
        public Dimension {
            requireNonNull(path, "path is null");
            values = values == null ? null : List.copyOf(values);
        }

        /** @return a dimension that chooses from {@code values} */
        public static Dimension of(String path, List<JsonNode> values) {
            return new Dimension(path, values, Double.NaN, Double.NaN, false, false);
        }

        /** @return a dimension that draws from {@code [min, max]} */
        public static Dimension range(String path, double min, double max, boolean log, boolean integer) {
            return new Dimension(path, null, min, max, log, integer);
        }

        /** @return whether this is a list of values */
        public boolean listed() {
            return values != null;
        }

        /** @return one draw: a listed value uniformly, or a number in the range */
        JsonNode sample(SplittableRandom random) {
            if (listed()) {
                // a single value is a fixed setting: it takes no draw, so fixing one leaves the others' draws as they were
                return values.size() == 1 ? values.get(0) : values.get(random.nextInt(values.size()));
            }
            double u = random.nextDouble();
            if (integer) {
                // each whole number its full share: rounding a draw over [min, max] gave the two ends half
                // the others' ({min: 1, max: 4}: 1 and 4 a sixth each, 2 and 3 a third)
                long lo = (long) Math.ceil(min);
                long hi = (long) Math.floor(max);
                long k = log ? Math.round(Math.exp(Math.log(lo - 0.5) + u * (Math.log(hi + 0.5) - Math.log(lo - 0.5))))
                        : lo + (long) Math.floor(u * (hi - lo + 1));
                return LongNode.valueOf(Math.max(lo, Math.min(hi, k)));
            }
            double x = log ? Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min))) : min + u * (max - min);
            return DoubleNode.valueOf(Math.max(min, Math.min(max, round(x))));
        }

        /** @return {@code x} to four significant digits, so reports read 0.002896 rather than 0.0028964390647410122 */
        static double round(double x) {
            return x == 0 || !Double.isFinite(x) ? x : new java.math.BigDecimal(x).round(new java.math.MathContext(4)).doubleValue();
        }

        /** @return the values a check of this setting tries: every listed value, or both ends of the range */
        public List<JsonNode> extremes() {
            if (listed()) {
                return values;
            }
            return integer ? List.of(LongNode.valueOf((long) Math.ceil(min)), LongNode.valueOf((long) Math.floor(max)))
                    : List.of(DoubleNode.valueOf(min), DoubleNode.valueOf(max));
        }
    }

    /** @return the number of grid combinations (saturating at {@code Long.MAX_VALUE}) */
    public long gridSize() {
        long n = 1;
        for (Dimension d : dimensions) {
            try {
                n = Math.multiplyExact(n, d.values().size());
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return n;
    }

    /** @return every combination of the listed values, the last setting varying fastest */
    public List<Map<String, JsonNode>> grid() {
        List<Map<String, JsonNode>> points = new ArrayList<>();
        points.add(new LinkedHashMap<>());
        for (Dimension d : dimensions) {
            if (!d.listed()) {
                throw new IllegalStateException(d.path() + " is a range; a grid needs listed values");
            }
            List<Map<String, JsonNode>> next = new ArrayList<>(points.size() * d.values().size());
            for (Map<String, JsonNode> p : points) {
                for (JsonNode v : d.values()) {
                    Map<String, JsonNode> q = new LinkedHashMap<>(p);
                    q.put(d.path(), v);
                    next.add(q);
                }
            }
            points = next;
        }
        return points;
    }

    /** @return whether every setting is a list of values (the space is a finite grid) */
    public boolean finite() {
        return dimensions.stream().allMatch(Dimension::listed);
    }

    /**
     * @return {@code trials} draws of every setting, the same for the same seed; a draw equal to
     *     an earlier trial's is drawn again (up to {@value #REDRAWS} times), so a small space is
     *     not trained twice with the same settings
     * @throws IllegalArgumentException when {@value #REDRAWS} draws in a row repeat earlier trials:
     *     the space has (about) no more distinct settings than trials
     */
    public List<Map<String, JsonNode>> random(int trials, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Map<String, JsonNode>> points = new ArrayList<>(trials);
        java.util.Set<Map<String, JsonNode>> seen = new java.util.HashSet<>();
        for (int t = 0; t < trials; t++) {
            Map<String, JsonNode> p = draw(random);
            for (int again = 0; again < REDRAWS && seen.contains(p); again++) {
                p = draw(random);
            }
            if (seen.contains(p)) {
                throw new IllegalArgumentException("trial " + (t + 1) + ": " + (REDRAWS + 1) + " draws in a row repeated earlier"
                        + " trials' settings; the space has no more than about " + t + " distinct settings");
            }
            seen.add(p);
            points.add(p);
        }
        return points;
    }

    /** How often a repeated draw is drawn again. */
    static final int REDRAWS = 100;

    private Map<String, JsonNode> draw(SplittableRandom random) {
        Map<String, JsonNode> p = new LinkedHashMap<>();
        for (Dimension d : dimensions) {
            p.put(d.path(), d.sample(random));
        }
        return p;
    }
}
