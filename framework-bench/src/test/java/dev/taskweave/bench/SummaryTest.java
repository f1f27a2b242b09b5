package dev.taskweave.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTest {
    @Test
    void meanAndSampleStandardDeviation() {
        Summary s = Summary.of(List.of(0.90, 0.92, 0.94));
        assertEquals(0.92, s.mean(), 1e-12);
        // squares 0.0004 + 0 + 0.0004 over n - 1 = 2
        assertEquals(Math.sqrt(0.0004), s.std(), 1e-12);
        assertEquals(List.of(0.90, 0.92, 0.94), s.values());
        assertEquals(0.0, Summary.of(List.of(0.5)).std());
        assertThrows(IllegalArgumentException.class, () -> Summary.of(List.of()));
    }

    @Test
    void steadyThroughputLeavesTheFirstEpochOut() {
        // epoch 1: 10,000 rows in 2 s (warm-up); epochs 2 and 3: 10,000 rows in 0.5 s and in 1 s
        List<dev.taskweave.core.run.EpochRecord> history = List.of(epoch(1, 2.0, 5000), epoch(2, 0.5, 20000), epoch(3, 1.0, 10000));
        assertEquals(20000.0 / 1.5, BenchmarkRunner.steadyThroughput(history), 1e-9);
        assertEquals(5000.0, BenchmarkRunner.steadyThroughput(history.subList(0, 1)), 1e-9);
        assertEquals(0.0, BenchmarkRunner.steadyThroughput(List.of()), 1e-9);
    }

    private static dev.taskweave.core.run.EpochRecord epoch(int n, double seconds, double samplesPerSecond) {
        return new dev.taskweave.core.run.EpochRecord(n, java.util.Map.of(), java.util.Map.of(), java.util.Map.of(), seconds,
                samplesPerSecond, java.util.Map.of(), java.util.Map.of(), java.util.Map.of());
    }

    @Test
    void transferVerdicts() {
        Summary multiRmse = Summary.of(List.of(0.90, 0.91));
        Summary singleRmse = Summary.of(List.of(0.95, 0.96));
        Transfer better = Transfer.of(multiRmse, singleRmse, false);
        assertEquals(0.05, better.gain(), 1e-12);
        assertEquals(100 * 0.05 / 0.955, better.relativePercent(), 1e-9);
        assertEquals("better", better.verdict());
        assertFalse(better.negativeTransfer());

        Transfer worse = Transfer.of(Summary.of(List.of(0.70, 0.71)), Summary.of(List.of(0.80, 0.80)), true);
        assertEquals(-0.095, worse.gain(), 1e-12);
        assertEquals("worse", worse.verdict());
        assertTrue(worse.negativeTransfer());

        // a difference inside one standard deviation is a tie
        Transfer tie = Transfer.of(Summary.of(List.of(0.79, 0.81)), Summary.of(List.of(0.795, 0.796)), true);
        assertEquals("tie", tie.verdict());
        assertFalse(tie.negativeTransfer());
    }
}
