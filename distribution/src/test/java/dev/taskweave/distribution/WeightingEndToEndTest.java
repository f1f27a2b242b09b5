package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.core.run.EpochRecord;
import dev.taskweave.core.run.TrainingResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every loss weighting trains a small synthetic model through the real plugin jars, including the
 * gradient methods that need one backward pass per task, and telemetry is recorded.
 */
class WeightingEndToEndTest extends RuntimeTest {
    @ParameterizedTest
    @ValueSource(strings = {"equal", "uncertainty", "dwa", "rlw", "pcgrad", "mgda-ub", "cagrad", "gradnorm"})
    void weightingTrainsAndRecordsTelemetry(String weighting) throws Exception {
        String config = """
                seed: 5
                data: {type: synthetic, params: {users: 200, items: 80, meanInteractionsPerUser: 25}}
                features: {embeddingDim: 8}
                tasks:
                  - {name: rating, head: regression, label: rating, params: {tower: [8]}}
                  - {name: like, head: binary, label: rating, params: {tower: [8], threshold: 4.0}}
                  - {name: watch, head: binary, label: observed, params: {tower: [8], negatives: 1}}
                sharing: {type: mmoe, params: {experts: 2, expertLayers: [16]}}
                weighting: {type: %s}
                optimizer: {learningRate: 0.01}
                training: {batchSize: 128, epochs: 4, progressBar: false}
                """.formatted(weighting);
        Path file = tmp.resolve("w.yaml");
        Files.writeString(file, config);
        TrainingResult result = taskweave.train(file, tmp.resolve("model"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        List<EpochRecord> history = result.history();
        for (String task : List.of("rating", "like", "watch")) {
            double first = history.get(0).trainLoss().get(task);
            double last = history.get(history.size() - 1).trainLoss().get(task);
            assertTrue(last < first, weighting + ": " + task + " loss did not fall: " + first + " -> " + last);
        }
        EpochRecord last = history.get(history.size() - 1);
        assertEquals(3, last.gradientCosine().size(), last.gradientCosine().toString());
        last.gradientCosine().values().forEach(c -> assertTrue(c >= -1 && c <= 1, "cosine " + c));
        assertEquals(List.of("rating", "like", "watch"), List.copyOf(last.gateUsage().keySet()));
        for (List<Double> usage : last.gateUsage().values()) {
            assertEquals(1.0, usage.stream().mapToDouble(Double::doubleValue).sum(), 1e-4);
        }
        last.taskWeights().values().forEach(w -> assertFalse(w.isNaN() || w < 0, weighting + " weight " + w));
        double rmse = result.metrics().get("test").get("rating").get("rmse");
        assertTrue(rmse < 1.0, weighting + " test RMSE " + rmse);
        assertTrue(result.metrics().get("test").get("watch").containsKey("hr@10"), result.metrics().get("test").toString());
    }
}
