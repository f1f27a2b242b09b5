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
import org.junit.jupiter.api.Test;
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

    /**
     * What {@code check} says a gradient combiner works on, counted by hand. Two MMoE experts
     * {@code [16, 8]}: their last layers hold 2 * (8 * 16 + 8) = 272 values, the norms' reference.
     * {@code separate} shares nothing but the encoder.
     */
    @Test
    void checkNamesTheLayerGradNormMeasuresOn() throws Exception {
        String config = """
                seed: 5
                data: {type: synthetic, params: {users: 60, items: 30, meanInteractionsPerUser: 10}}
                features: {embeddingDim: 4}
                tasks:
                  - {name: rating, head: regression, label: rating, params: {tower: [4]}}
                  - {name: like, head: binary, label: rating, params: {tower: [4], threshold: 4.0}}
                sharing: %s
                weighting: {type: %s}
                """;
        String mmoe = taskweave.check(write("mmoe.yaml", config.formatted("{type: mmoe, params: {experts: 2, expertLayers: [16, 8]}}",
                "gradnorm")), quiet());
        java.util.regex.Matcher line = java.util.regex.Pattern.compile(
                "(?m)^gradients: gradnorm combines each task's gradient of ([0-9,]+) shared values; mmoe's last shared layer"
                        + " \\(GradNorm's reference\\) holds 272 of them$").matcher(mmoe);
        assertTrue(line.find(), mmoe);
        // with w the encoder's output width, the strategy holds 2 experts of 16 * w + 16 + 136 and 2 gates of 2 * w + 2 values,
        // 36 * w + 308 in all; the shared values are the encoder's and the experts' (the gates are the tasks' own)
        java.util.regex.Matcher sizes = java.util.regex.Pattern.compile("(?m)^model: [0-9,]+ parameters; encoder ([0-9,]+), sharing \\(mmoe\\) ([0-9,]+)")
                .matcher(mmoe);
        assertTrue(sizes.find(), mmoe);
        long encoder = Long.parseLong(sizes.group(1).replace(",", ""));
        long sharing = Long.parseLong(sizes.group(2).replace(",", ""));
        long w = (sharing - 308) / 36;
        assertEquals(36 * w + 308, sharing, mmoe);
        assertEquals(encoder + sharing - (4 * w + 4), Long.parseLong(line.group(1).replace(",", "")), mmoe);

        String separate = taskweave.check(write("separate.yaml", config.formatted("{type: separate, params: {layers: [8]}}", "pcgrad")),
                quiet());
        assertTrue(separate.contains("gradients: pcgrad combines each task's gradient of " + String.format(java.util.Locale.ROOT, "%,d",
                encoderValues(separate)) + " shared values; separate shares no layer, so GradNorm's reference is all of them"), separate);
        // a bottom without layers names none and shares nothing but the encoder
        String identity = taskweave.check(write("identity.yaml", config.formatted("{type: shared-bottom, params: {layers: []}}",
                "gradnorm")), quiet());
        assertTrue(identity.contains("gradients: gradnorm combines each task's gradient of " + String.format(java.util.Locale.ROOT,
                "%,d", encoderValues(identity)) + " shared values; shared-bottom shares no layer, so GradNorm's reference is all of them"),
                identity);
        // a loss weighting combines no gradients: no such line
        assertFalse(taskweave.check(write("fixed.yaml", config.formatted("{type: mmoe, params: {experts: 2, expertLayers: [16, 8]}}",
                "fixed")), quiet()).contains("gradients:"));
    }

    private static long encoderValues(String report) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^model: [0-9,]+ parameters; encoder ([0-9,]+),").matcher(report);
        assertTrue(m.find(), report);
        return Long.parseLong(m.group(1).replace(",", ""));
    }
}
