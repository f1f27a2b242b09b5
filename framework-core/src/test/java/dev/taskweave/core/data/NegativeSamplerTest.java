package dev.taskweave.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.taskweave.api.data.Interactions;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NegativeSamplerTest {
    /** Item 0 has 3 rows, item 1 one, item 2 none, item 3 eight; user 20 was observed with item 3 only. */
    static Interactions train() {
        int[] items = {0, 0, 0, 1, 3, 3, 3, 3, 3, 3, 3, 3};
        int[] users = {1, 2, 3, 4, 20, 21, 22, 23, 24, 25, 26, 27};
        return new Interactions(users, items, Map.of());
    }

    @Test
    void popularityWeightsAreTheCountsPlusOneToTheExponent() {
        Interactions train = train();
        // exponent 1: weights 4, 2, 1, 9 of 16
        NegativeSampler linear = NegativeSampler.popularity(4, List.of(train), train, 1.0);
        double[] expected = {4 / 16.0, 2 / 16.0, 1 / 16.0, 9 / 16.0};
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i], linear.probability(i), 1e-12, "item " + i);
        }
        // exponent 0.5: weights 2, sqrt 2, 1, 3
        NegativeSampler root = NegativeSampler.popularity(4, List.of(train), train, 0.5);
        double total = 6 + Math.sqrt(2);
        assertEquals(2 / total, root.probability(0), 1e-12);
        assertEquals(Math.sqrt(2) / total, root.probability(1), 1e-12);
        assertEquals(1 / total, root.probability(2), 1e-12);
        assertEquals(3 / total, root.probability(3), 1e-12);

        // the draws follow them: a user with no positives, 200,000 draws (sd of a share about 0.001)
        int[] counts = new int[4];
        SplittableRandom random = new SplittableRandom(7);
        int n = 200_000;
        for (int d = 0; d < n; d++) {
            counts[linear.sample(99, random)]++;
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i], counts[i] / (double) n, 0.005, "item " + i);
        }
        // user 20's positive (item 3) is never drawn; the rest keep their ratios 4 : 2 : 1
        counts = new int[4];
        for (int d = 0; d < n; d++) {
            counts[linear.sample(20, random)]++;
        }
        assertEquals(0, counts[3]);
        assertEquals(4 / 7.0, counts[0] / (double) n, 0.005);
        assertEquals(2 / 7.0, counts[1] / (double) n, 0.005);
        assertEquals(1 / 7.0, counts[2] / (double) n, 0.005);
    }

    @Test
    void exponentZeroIsTheUniformSamplerDrawForDraw() {
        Interactions train = train();
        NegativeSampler uniform = new NegativeSampler(4, List.of(train));
        NegativeSampler zero = NegativeSampler.popularity(4, List.of(train), train, 0.0);
        SplittableRandom a = new SplittableRandom(3);
        SplittableRandom b = new SplittableRandom(3);
        for (int d = 0; d < 1000; d++) {
            assertEquals(uniform.sample(20, a), zero.sample(20, b));
        }
        assertEquals(0.25, zero.probability(2), 0);
        assertThrows(IllegalArgumentException.class, () -> NegativeSampler.popularity(4, List.of(train), train, -1));
        assertThrows(IllegalArgumentException.class, () -> NegativeSampler.popularity(4, List.of(train), train, Double.NaN));
    }
}
