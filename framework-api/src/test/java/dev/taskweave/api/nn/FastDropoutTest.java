package dev.taskweave.api.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FastDropoutTest {
    @Test
    void dropsTheRateAndScalesTheRestToKeepTheMean() {
        int n = 1_000_003;
        float[] mask = FastDropout.mask(n, 0.1f, new SplittableRandom(5));
        int dropped = 0;
        double sum = 0;
        for (float v : mask) {
            assertTrue(v == 0f || v == 1f / 0.9f, "mask value " + v);
            dropped += v == 0f ? 1 : 0;
            sum += v;
        }
        // binomial(n, 0.1): standard deviation 300; 6554/65536 = 0.100006 is the rate used
        assertEquals(0.1 * n, dropped, 1500);
        assertEquals(1.0, sum / n, 0.002);
    }

    @Test
    void theSameSeedDrawsTheSameMask() {
        assertArrayEquals(FastDropout.mask(1001, 0.3f, new SplittableRandom(9)), FastDropout.mask(1001, 0.3f, new SplittableRandom(9)));
        float[] half = FastDropout.mask(10_000, 0.5f, new SplittableRandom(1));
        int kept = 0;
        for (float v : half) {
            kept += v > 0 ? 1 : 0;
        }
        assertEquals(5000, kept, 250);
    }
}
