package dev.taskweave.plugins.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.Interactions;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The optional labels: noisy scores around the rating signal and the planted conflicting {@code dislike}. */
class PlantedLabelsTest {
    private static final long SEED = 7;
    private static SyntheticGenerator.Generated plain;
    private static SyntheticGenerator.Generated extended;
    private static SyntheticGenerator.Generated opposed;

    @BeforeAll
    static void generate() {
        Map<String, Object> base = Map.of("users", 600, "items", 200, "meanInteractionsPerUser", 30);
        plain = new SyntheticGenerator(SyntheticConfigTest.config(base), SEED).generate();
        Map<String, Object> params = new java.util.HashMap<>(base);
        params.put("scores", new java.util.LinkedHashMap<>(Map.of("score_low", 0.5)));
        ((Map<String, Object>) params.get("scores")).put("score_high", 1.5);
        params.put("conflict", Map.of("strength", 2.0));
        extended = new SyntheticGenerator(SyntheticConfigTest.config(params), SEED).generate();
        Map<String, Object> opposedParams = new java.util.HashMap<>(base);
        opposedParams.put("opposedScores", Map.of("name", "pair", "sigma", 1.5));
        opposed = new SyntheticGenerator(SyntheticConfigTest.config(opposedParams), SEED).generate();
    }

    @Test
    void extraLabelsChangeNothingElse() {
        for (String split : plain.dataset().splits().keySet()) {
            Interactions a = plain.dataset().splits().get(split);
            Interactions b = extended.dataset().splits().get(split);
            assertArrayEquals(a.users(), b.users(), split);
            assertArrayEquals(a.items(), b.items(), split);
            assertArrayEquals(a.label("rating"), b.label("rating"), split);
            assertArrayEquals(a.label("like"), b.label("like"), split);
            assertEquals(java.util.List.of("rating", "like", "score_low", "score_high", "dislike"),
                    java.util.List.copyOf(b.labelColumns()), split);
        }
        assertFalse(plain.dataset().train().labelColumns().contains("dislike"));
        assertEquals("1.5", extended.dataset().description().get("scores.score_high.noise"));
        assertEquals("2.0", extended.dataset().description().get("conflict.strength"));
    }

    @Test
    void scoresShareTheSignalWithTheirOwnNoise() {
        Interactions train = extended.dataset().train();
        PlantedModel model = extended.model();
        // residual = score - (3 + signal) is the planted noise: its variance is sigma^2, 0.25 and 2.25
        // (tolerance: with n ~ 12,000 rows the sample variance has relative sd sqrt(2/n) ~ 1.3%; 5% is ~4 sd)
        for (Map.Entry<String, Double> e : Map.of("score_low", 0.5, "score_high", 1.5).entrySet()) {
            float[] score = train.label(e.getKey());
            double sum = 0;
            double squares = 0;
            for (int r = 0; r < train.size(); r++) {
                double residual = score[r] - SyntheticGenerator.RATING_BASE
                        - SyntheticGenerator.signal(model, train.users()[r], train.items()[r]);
                sum += residual;
                squares += residual * residual;
            }
            double mean = sum / train.size();
            double variance = squares / train.size() - mean * mean;
            double expected = e.getValue() * e.getValue();
            assertEquals(0, mean, 4 * e.getValue() / Math.sqrt(train.size()), e.getKey());
            assertEquals(expected, variance, 0.05 * expected, e.getKey());
        }
    }

    @Test
    void dislikeIsPlantedAgainstLike() {
        Interactions train = extended.dataset().train();
        PlantedModel model = extended.model();
        float[] like = train.label("like");
        float[] dislike = train.label("dislike");
        double phi = correlation(like, dislike);
        double[] signal = new double[train.size()];
        for (int r = 0; r < signal.length; r++) {
            signal[r] = SyntheticGenerator.signal(model, train.users()[r], train.items()[r]);
        }
        double likeSignal = correlation(like, signal);
        double dislikeSignal = correlation(dislike, signal);
        System.out.printf("rows=%d like rate=%.3f dislike rate=%.3f phi(like, dislike)=%.3f corr(like, signal)=%.3f corr(dislike, signal)=%.3f%n",
                train.size(), mean(like), mean(dislike), phi, likeSignal, dislikeSignal);
        // the same planted factors drive both labels with opposite signs
        assertTrue(likeSignal > 0.4, "corr(like, signal) " + likeSignal);
        assertTrue(dislikeSignal < -0.4, "corr(dislike, signal) " + dislikeSignal);
        assertTrue(phi < -0.3, "phi(like, dislike) " + phi);
        // centred where ratings turn into likes: about as many dislikes as non-likes
        assertEquals(1 - mean(like), mean(dislike), 0.1);
    }

    @Test
    void opposedScoresCarryOneNoiseWithOppositeSigns() {
        for (String split : plain.dataset().splits().keySet()) {
            Interactions a = plain.dataset().splits().get(split);
            Interactions b = opposed.dataset().splits().get(split);
            assertArrayEquals(a.users(), b.users(), split);
            assertArrayEquals(a.label("rating"), b.label("rating"), split);
            assertEquals(java.util.List.of("rating", "like", "pair_plus", "pair_minus"), java.util.List.copyOf(b.labelColumns()), split);
        }
        assertEquals("pair", opposed.dataset().description().get("opposedScores.name"));
        assertEquals("1.5", opposed.dataset().description().get("opposedScores.sigma"));
        Interactions train = opposed.dataset().train();
        PlantedModel model = opposed.model();
        float[] plus = train.label("pair_plus");
        float[] minus = train.label("pair_minus");
        int n = train.size();
        double[] plusNoise = new double[n];
        double[] minusNoise = new double[n];
        double plusSum = 0;
        double minusSum = 0;
        double squares = 0;
        for (int r = 0; r < n; r++) {
            double mean = SyntheticGenerator.RATING_BASE + SyntheticGenerator.signal(model, train.users()[r], train.items()[r]);
            plusNoise[r] = plus[r] - mean;
            minusNoise[r] = minus[r] - mean;
            // the pair's midpoint is the noiseless signal, up to float rounding of labels near 3 (ulp 2.4e-7)
            assertEquals(mean, (plus[r] + minus[r]) / 2.0, 1e-5, "row " + r);
            plusSum += plus[r];
            minusSum += minus[r];
            squares += plusNoise[r] * plusNoise[r];
        }
        // one draw, opposite signs: the two noises are perfectly anti-correlated (float rounding only)
        assertEquals(-1, correlation(plusNoise, minusNoise), 1e-6);
        // each noise has variance sigma^2 = 2.25 (n ~ 12,000: relative sd of the sample variance ~1.3%, 5% ~ 4 sd)
        assertEquals(2.25, squares / n, 0.05 * 2.25);
        // equal means: both are 3 + mean(signal) in expectation; the sample means differ by 2 sigma mean(eps),
        // whose sd is 2 * 1.5 / sqrt(n) ~ 0.027; 4 sd allowed
        assertEquals(plusSum / n, minusSum / n, 4 * 2 * 1.5 / Math.sqrt(n));
    }

    private static double correlation(double[] x, double[] y) {
        double mx = 0;
        double my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= x.length;
        my /= y.length;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    private static double mean(float[] x) {
        double s = 0;
        for (float v : x) {
            s += v;
        }
        return s / x.length;
    }

    private static double correlation(float[] x, float[] y) {
        double[] yy = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            yy[i] = y[i];
        }
        return correlation(x, yy);
    }

    private static double correlation(float[] x, double[] y) {
        double mx = mean(x);
        double my = 0;
        for (double v : y) {
            my += v;
        }
        my /= y.length;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}
