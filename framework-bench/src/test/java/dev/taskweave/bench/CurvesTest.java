package dev.taskweave.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskweave.core.run.EpochRecord;
import dev.taskweave.core.run.TrainingResult;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The results' curves: one value per epoch in every list, whatever an epoch lacks. */
class CurvesTest {
    private static EpochRecord epoch(int n, Map<String, Double> loss, Map<String, Map<String, Double>> valid, Map<String, Double> cosine) {
        return new EpochRecord(n, loss, Map.of(), valid, 1.0, 100.0, cosine, Map.of(), Map.of());
    }

    @Test
    void aValueAnEpochLacksIsANullInItsPlace() {
        // epoch 1's telemetry batches held no genre row, so no rating|genre cosine; epoch 2 measured no genre validation
        TrainingResult result = new TrainingResult(List.of(
                epoch(1, Map.of("rating", 1.2), Map.of("rating", Map.of("rmse", 0.97)), Map.of()),
                epoch(2, Map.of("rating", 1.0, "genre", 0.3), Map.of("rating", Map.of("rmse", 0.95)), Map.of("rating|genre", 0.4)),
                epoch(3, Map.of("rating", 0.9, "genre", 0.2), Map.of("rating", Map.of("rmse", 0.94), "genre", Map.of("map", 0.5)),
                        Map.of("rating|genre", -0.1))), 3, false, 3.0, Map.of());
        BenchmarkResults.Curves c = BenchmarkRunner.curves(result);
        assertEquals(List.of(1, 2, 3), c.epochs);
        assertEquals(List.of(1.2, 1.0, 0.9), c.trainLoss.get("rating"));
        assertEquals(Arrays.asList(null, 0.3, 0.2), c.trainLoss.get("genre"));
        assertEquals(Arrays.asList(null, 0.4, -0.1), c.gradientCosine.get("rating|genre"));
        assertEquals(Arrays.asList(null, null, 0.5), c.validation.get("genre.map"));
        assertEquals(List.of(0.97, 0.95, 0.94), c.validation.get("rating.rmse"));
    }
}
