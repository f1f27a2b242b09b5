package dev.taskweave.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A pair's neighbourhood score reads the k most similar of the user's items: the scorer keeps them
 * with a heap, and must give what the plain selection gives (k passes, each taking the largest
 * similarity left, the earliest among equal ones, summed in that order) bit for bit, so that
 * scores, and every figure trained on them, do not change.
 */
class NeighbourScorerTest {
    /** The plain selection, as the scorer computed it before. */
    private static float reference(double[] s, double[] v, int k, double lambda) {
        double weighted = 0;
        double total = 0;
        if (s.length <= k) {
            for (int c = 0; c < s.length; c++) {
                weighted += s[c] * v[c];
                total += s[c];
            }
            return (float) (weighted / (total + lambda));
        }
        boolean[] taken = new boolean[s.length];
        for (int t = 0; t < k; t++) {
            int best = -1;
            for (int c = 0; c < s.length; c++) {
                if (!taken[c] && (best < 0 || s[c] > s[best])) {
                    best = c;
                }
            }
            taken[best] = true;
            weighted += s[best] * v[best];
            total += s[best];
        }
        return (float) (weighted / (total + lambda));
    }

    @Test
    void theHeapKeepsWhatThePlainSelectionTakesBitForBit() {
        Random random = new Random(7);
        ItemNeighbours.Scorer scorer = new ItemNeighbours.Scorer();
        for (int trial = 0; trial < 5_000; trial++) {
            int n = random.nextInt(200);
            int k = 1 + random.nextInt(40);
            // coarse similarities: many ties, which the order of addition breaks
            double[] s = new double[n];
            double[] v = new double[n];
            for (int c = 0; c < n; c++) {
                s[c] = random.nextInt(4) == 0 ? 0.25 * (1 + random.nextInt(3)) : random.nextDouble();
                v[c] = random.nextGaussian();
                scorer.add(s[c], v[c]);
            }
            double lambda = random.nextDouble() * 2 + 0.01;
            assertEquals(Float.floatToIntBits(reference(s, v, k, lambda)), Float.floatToIntBits(scorer.score(k, lambda)),
                    "trial " + trial + ": n " + n + ", k " + k);
        }
    }

    @Test
    void onlyPositiveSimilaritiesCount() {
        ItemNeighbours.Scorer scorer = new ItemNeighbours.Scorer();
        scorer.add(0.5, 2.0);
        scorer.add(0.0, 100.0);
        scorer.add(-0.3, 100.0);
        scorer.add(Double.NaN, 100.0);
        scorer.add(0.25, -1.0);
        // (0.5 * 2 + 0.25 * -1) / (0.75 + 1)
        assertEquals((float) (0.75 / 1.75), scorer.score(20, 1.0));
        // the two largest of three
        scorer.add(0.1, 5.0);
        scorer.add(0.3, 1.0);
        scorer.add(0.2, 3.0);
        assertEquals((float) ((0.3 * 1.0 + 0.2 * 3.0) / (0.5 + 1.0)), scorer.score(2, 1.0));
    }
}
