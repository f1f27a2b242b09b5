package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class TelemetryTest {
    @Test
    void gateUsageReadsRowsEvenlySpacedOverTheSet() {
        // 10 rows, 4 read: 0, 2, 5, 7 (i * 10 / 4), the last quarter of the set (where a set keeps its
        // sampled negatives and attribute rows) included
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {0, 2, 5, 7}, Telemetry.spaced(10, 4));
        // a set no larger than the rows read is read whole, in its order
        org.junit.jupiter.api.Assertions.assertNull(Telemetry.spaced(4, 4));
        org.junit.jupiter.api.Assertions.assertNull(Telemetry.spaced(3, 4));
        // a large set: the last index stays below its size
        int[] large = Telemetry.spaced(2_000_000_000, 4096);
        assertEquals(4096, large.length);
        assertEquals((int) (4095L * 2_000_000_000 / 4096), large[4095]);
    }

    @Test
    void plainWeightingUpdateCanOpposeTheSmallerTask() {
        // g1 = (3, 0), g2 = (-1, 0.5): cos = -3 / (3 * sqrt(1.25)) = -0.8944
        float[][] g = {{3, 0}, {-1, 0.5f}};
        assertEquals(-3 / (3 * Math.sqrt(1.25)), Telemetry.cosine(g[0], g[1]), 1e-6);
        // equal weights: update (2, 0.5); g2 . update = -2 + 0.25 = -1.75, |g2| |update| = sqrt(1.25 * 4.25)
        float[] update = Telemetry.weightedSum(g, new float[] {1, 1});
        assertArrayEquals(new float[] {2, 0.5f}, update);
        assertEquals(-1.75 / Math.sqrt(1.25 * 4.25), Telemetry.cosine(g[1], update), 1e-6);
        // g1 . update = 6, |g1| |update| = 3 sqrt(4.25)
        assertEquals(6 / (3 * Math.sqrt(4.25)), Telemetry.cosine(g[0], update), 1e-6);
        // uncertainty-like weights (0.5, 2): update (1.5 - 2, 1) = (-0.5, 1)
        assertArrayEquals(new float[] {-0.5f, 1}, Telemetry.weightedSum(g, new float[] {0.5f, 2}));
    }

    @Test
    void absentTasksAreSkipped() {
        assertArrayEquals(new float[] {2, 4}, Telemetry.weightedSum(new float[][] {null, {1, 2}}, new float[] {9, 2}));
        assertNull(Telemetry.weightedSum(new float[][] {null, null}, new float[] {1, 1}));
        assertEquals(0, Telemetry.cosine(new float[] {0, 0}, new float[] {1, 2}));
    }
}
