package dev.taskweave.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A pair's neighbourhood score reads the k most similar of the user's items: the scorer keeps them
 * in a list of k, best first, and must give what the plain selection gives (k passes, each taking the largest
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
    void theKeptListHoldsWhatThePlainSelectionTakesBitForBit() {
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
    void aRowOfTheMatrixAddsWhatAddingEachPairDoes() {
        Random random = new Random(11);
        ItemNeighbours.Scorer gathered = new ItemNeighbours.Scorer();
        ItemNeighbours.Scorer oneByOne = new ItemNeighbours.Scorer();
        int width = 300;
        for (int trial = 0; trial < 2_000; trial++) {
            // a row of similarities with zeros, negatives and NaN, and a user's ascending items (up to 250:
            // beyond the scorer's first 64 entries), one of which may be the scored item itself
            float[] matrix = new float[2 * width];
            for (int j = 0; j < matrix.length; j++) {
                int kind = random.nextInt(8);
                matrix[j] = kind == 0 ? 0f : kind == 1 ? -random.nextFloat() : kind == 2 ? Float.NaN : kind == 3 ? 0.5f : random.nextFloat();
            }
            int row = random.nextInt(2) * width;
            int[] items = random.ints(0, width).distinct().limit(random.nextInt(250)).sorted().toArray();
            float[] values = new float[items.length];
            for (int q = 0; q < values.length; q++) {
                values[q] = (float) random.nextGaussian();
            }
            int item = items.length > 0 && random.nextBoolean() ? items[random.nextInt(items.length)] : width;
            gathered.addGathered(matrix, row, items, values, item);
            for (int q = 0; q < items.length; q++) {
                if (items[q] != item) {
                    oneByOne.add(matrix[row + items[q]], values[q]);
                }
            }
            int k = 1 + random.nextInt(40);
            assertEquals(Float.floatToIntBits(oneByOne.score(k, 1.0)), Float.floatToIntBits(gathered.score(k, 1.0)),
                    "trial " + trial + ": " + items.length + " items, k " + k);
        }
        // NaN, zero and negative similarities, and the scored item's own, are left out: (0.5 * 2 + 0.25 * -1) / (0.75 + 1)
        gathered.addGathered(new float[] {0.5f, Float.NaN, 0f, -0.3f, 0.25f, 0.9f}, 0, new int[] {0, 1, 2, 3, 4, 5},
                new float[] {2f, 100f, 100f, 100f, -1f, 100f}, 5);
        assertEquals((float) (0.75 / 1.75), gathered.score(20, 1.0));
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
