package dev.taskweave.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    void aSeedWhoseValueIsNotFiniteLeavesTheMetricUnmeasured() throws Exception {
        // seed 2 of [1, 2, 3] diverged: its place stays, as null, and there is no mean over the other two
        Summary s = Summary.of(java.util.Arrays.asList(0.90, Double.NaN, 0.94));
        assertNull(s.mean());
        assertNull(s.std());
        assertEquals(java.util.Arrays.asList(0.90, null, 0.94), s.values());
        assertFalse(s.measured());
        assertEquals(List.of(2L), s.unmeasured(List.of(1L, 2L, 3L)));
        assertEquals(List.of(1L, 3L), Summary.of(java.util.Arrays.asList(null, 0.5, Double.POSITIVE_INFINITY)).unmeasured(List.of(1L, 2L, 3L)));
        ObjectMapper json = new ObjectMapper();
        assertEquals("{\"mean\":null,\"std\":null,\"values\":[0.9,null,0.94]}", json.writeValueAsString(s));
        assertEquals(s, json.readValue(json.writeValueAsString(s), Summary.class));
        // finite values: as before
        assertEquals("{\"mean\":0.92,\"std\":0.0,\"values\":[0.92]}", json.writeValueAsString(Summary.of(List.of(0.92))));
        assertTrue(Summary.of(List.of(0.92)).measured());
    }

    @Test
    void collectKeepsEverySeedInSeedOrderWithNaNAsNull() {
        // seed 1 measured everything; seed 2 diverged (rmse and logloss NaN) and reported a key seed 1 did not
        Map<String, List<Double>> into = new LinkedHashMap<>();
        Map<String, Map<String, Map<String, Double>>> seed1 = Map.of("test", Map.of("rating", Map.of("rmse", 0.9)),
                "valid", Map.of("rating", Map.of("rmse", 0.8)));
        Map<String, Map<String, Map<String, Double>>> seed2 = new LinkedHashMap<>();
        Map<String, Double> rating = new LinkedHashMap<>();
        rating.put("rmse", Double.NaN);
        Map<String, Double> like = new LinkedHashMap<>();
        like.put("logloss", Double.NaN);
        seed2.put("test", new LinkedHashMap<>(Map.of("rating", rating, "like", like)));
        BenchmarkRunner.collect(seed1, into, null, 0, 2);
        BenchmarkRunner.collect(seed2, into, null, 1, 2);
        assertEquals(java.util.Arrays.asList(0.9, null), into.get("rating.rmse"));
        assertEquals(java.util.Arrays.asList(null, null), into.get("like.logloss"));
        assertFalse(into.containsKey("rating.rmse@valid"), "valid is left out");
        Summary rmse = Summary.of(into.get("rating.rmse"));
        assertEquals(List.of(2L), rmse.unmeasured(List.of(1L, 2L)));
        assertEquals(List.of(1L, 2L), Summary.of(into.get("like.logloss")).unmeasured(List.of(1L, 2L)));
    }

    @Test
    void aMetricNotMeasuredIsNeitherBetterWorseNorATie() {
        Summary diverged = Summary.of(java.util.Arrays.asList(0.90, Double.NaN));
        Summary single = Summary.of(List.of(0.95, 0.96));
        for (boolean higher : new boolean[] {true, false}) {
            Transfer t = Transfer.of(diverged, single, higher);
            assertEquals("not measured", t.verdict());
            assertFalse(t.negativeTransfer());
            assertNull(t.gain());
            assertNull(t.relativePercent());
            assertNull(t.multi());
            assertEquals(0.955, t.single(), 1e-12);
            assertEquals("not measured", Transfer.of(single, diverged, higher).verdict());
        }
        TuneResults.Comparison c = TuneResults.Comparison.of(single, diverged, false);
        assertEquals("not measured", c.verdict());
        assertNull(c.gain());
        assertNull(c.best());
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

        // one seed: no standard deviation, so a difference, however large, is not judged (it was "worse")
        Transfer oneSeed = Transfer.of(Summary.of(List.of(0.7801)), Summary.of(List.of(0.7802)), true);
        assertEquals(Transfer.ONE_SEED, oneSeed.verdict());
        assertEquals(-0.0001, oneSeed.gain(), 1e-12);
        assertFalse(oneSeed.negativeTransfer());
        assertEquals("tie", Transfer.of(Summary.of(List.of(0.78)), Summary.of(List.of(0.78)), true).verdict(), "equal is a tie");
    }
}
