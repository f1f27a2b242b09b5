package dev.taskweave.core;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DropoutSeedTest {
    /** The increment the masks' generator (SplitMix64) adds to its state at every draw. */
    private static final long G = 0x9E37_79B9_7F4A_7C15L;

    @Test
    void neighbouringSeedsStartFarApartInTheMasksStream() {
        // seeded with seed * G + 17, seed s after k draws was exactly seed s + k's start: seeds 1, 2, 3
        // of a benchmark drew the same masks, one draw apart
        Set<Long> starts = new HashSet<>();
        for (long seed = 0; seed < 1_000; seed++) {
            long start = Taskweave.dropoutSeed(seed);
            assertTrue(starts.add(start));
            // no seed's start is within 10^12 draws of a neighbour's (a recipe run draws about 10^8)
            for (long other : new long[] {seed - 1, seed + 1, 100 * seed + 1, 100 * seed + 2}) {
                long distance = (Taskweave.dropoutSeed(other) - start) * modularInverse(G);
                assertTrue(Math.abs(distance) > 1_000_000_000_000L, seed + " against " + other + ": " + distance + " draws apart");
            }
        }
        assertNotEquals(Taskweave.dropoutSeed(1) + G, Taskweave.dropoutSeed(2));
    }

    /** @return x with x * a = 1 modulo 2^64 (a odd), by Newton's iteration */
    private static long modularInverse(long a) {
        long x = a;
        for (int i = 0; i < 6; i++) {
            x *= 2 - a * x;
        }
        return x;
    }
}
