package dev.taskweave.api.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FastDropoutTest {
    @Test
    void dropsTheRateAndScalesTheRestToKeepTheMean() {
        int n = 1_000_003;
        float[] mask = FastDropout.mask(n, 0.1f, new FastDropout.SplitMix64(5));
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
    void onPyTorchTheMaskIsWrittenIntoTheArraysMemoryWithTheSameValues() {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertTrue(FastDropout.writesInPlace(manager), "PyTorch's CPU arrays are written in place");
            // 37 x 5: the last long's four draws are not all used
            NDArray x = manager.arange(1f, 186f).reshape(37, 5);
            FastDropout.seed(3);
            float[] dropped = FastDropout.apply(x, 0.3f, true).toFloatArray();
            float[] mask = FastDropout.mask(185, 0.3f, new FastDropout.SplitMix64(3));
            float[] expected = new float[185];
            for (int i = 0; i < 185; i++) {
                expected[i] = (i + 1) * mask[i];
            }
            assertArrayEquals(expected, dropped);
            // the next call continues the stream where the array-built mask of 185 values left it
            FastDropout.SplitMix64 next = new FastDropout.SplitMix64(3);
            for (int i = 0; i < 47; i++) {
                next.nextLong();
            }
            float[] second = FastDropout.apply(manager.ones(new Shape(8)), 0.5f, true).toFloatArray();
            assertArrayEquals(FastDropout.mask(8, 0.5f, next), second);
            // the mask went into its own array, not into x
            float[] original = new float[185];
            for (int i = 0; i < 185; i++) {
                original[i] = i + 1;
            }
            assertArrayEquals(original, x.toFloatArray());
            // the path of engines that copy draws the same values
            FastDropout.seed(3);
            assertArrayEquals(dropped, FastDropout.copied(x, x.getShape(), 0.3f).toFloatArray());
        }
    }

    @Test
    void eachDrawGivesFourUniformsLowestBitsFirstKeptAtOrAboveTheRoundedRate() {
        // the rule written out element by element, as masks were drawn before the branch-free fill
        for (int n : new int[] {1, 3, 4, 5, 8, 185, 1001}) {
            // 1e-6 rounds to threshold 0 (every element kept), 0.999995 to 65,536 (every one dropped)
            for (float rate : new float[] {0.1f, 0.3f, 0.5f, 0.95f, 1e-6f, 0.999995f}) {
                FastDropout.SplitMix64 reference = new FastDropout.SplitMix64(n * 31L + 7);
                float[] expected = new float[n];
                int threshold = Math.round(rate * 65_536f);
                for (int i = 0; i < n; i += 4) {
                    long bits = reference.nextLong();
                    for (int k = 0; k < 4 && i + k < n; k++) {
                        expected[i + k] = ((bits >>> (16 * k)) & 0xFFFF) >= threshold ? 1f / (1f - rate) : 0f;
                    }
                }
                FastDropout.SplitMix64 ours = new FastDropout.SplitMix64(n * 31L + 7);
                assertArrayEquals(expected, FastDropout.mask(n, rate, ours), "n " + n + ", rate " + rate);
                assertEquals(reference.nextLong(), ours.nextLong(), "the same number of draws, n " + n);
            }
        }
    }

    @Test
    void theSameSeedDrawsTheSameMask() {
        assertArrayEquals(FastDropout.mask(1001, 0.3f, new FastDropout.SplitMix64(9)), FastDropout.mask(1001, 0.3f, new FastDropout.SplitMix64(9)));
        float[] half = FastDropout.mask(10_000, 0.5f, new FastDropout.SplitMix64(1));
        int kept = 0;
        for (float v : half) {
            kept += v > 0 ? 1 : 0;
        }
        assertEquals(5000, kept, 250);
    }

    @Test
    void theGeneratorIsSplittableRandomsStreamAndItsStateResumesIt() {
        // masks drawn before the generator became SplitMix64 are drawn again: trained figures are unchanged
        for (long seed : new long[] {0, 7, -3, 42 * 0x9E37_79B9_7F4A_7C15L + 17}) {
            SplittableRandom reference = new SplittableRandom(seed);
            FastDropout.SplitMix64 ours = new FastDropout.SplitMix64(seed);
            for (int i = 0; i < 1000; i++) {
                assertEquals(reference.nextLong(), ours.nextLong(), "seed " + seed + ", draw " + i);
            }
        }
        FastDropout.seed(11);
        FastDropout.SplitMix64 probe = new FastDropout.SplitMix64(11);
        probe.nextLong();
        probe.nextLong();
        long afterTwo = probe.state;
        FastDropout.restore(afterTwo);
        assertEquals(afterTwo, FastDropout.state());
        float[] resumed = FastDropout.mask(64, 0.5f, new FastDropout.SplitMix64(FastDropout.state()));
        float[] continued = FastDropout.mask(64, 0.5f, probe);
        assertArrayEquals(continued, resumed);
    }
}
