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
