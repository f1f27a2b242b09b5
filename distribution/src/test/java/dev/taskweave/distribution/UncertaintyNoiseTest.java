package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/**
 * Uncertainty weighting learns the planted noise levels: two regression tasks on the synthetic
 * data's scores share one signal ({@code 3 + b_u + b_i + 0.5 a(u, i)}) and differ only in their
 * Gaussian noise, sigma = 0.5 and 1.5, a true variance ratio of 9.
 */
class UncertaintyNoiseTest extends RuntimeTest {
    @Test
    void learnedVariancesFollowThePlantedNoise() throws Exception {
        String config = """
                seed: 5
                data: {type: synthetic, params: {users: 400, items: 120, meanInteractionsPerUser: 30, scores: {low: 0.5, high: 1.5}}}
                features: {embeddingDim: 8}
                tasks:
                  - {name: low, head: regression, label: low, params: {tower: [8]}}
                  - {name: high, head: regression, label: high, params: {tower: [8]}}
                sharing: {type: shared-bottom, params: {layers: [16]}}
                weighting: {type: uncertainty}
                optimizer: {learningRate: 0.02}
                training: {batchSize: 128, epochs: 6, progressBar: false}
                """;
        Path file = tmp.resolve("u.yaml");
        Files.writeString(file, config);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TrainingResult result = taskweave.train(file, tmp.resolve("model"), new PrintStream(out, true, StandardCharsets.UTF_8));
        System.out.println(out.toString(StandardCharsets.UTF_8));
        for (EpochRecord r : result.history()) {
            System.out.printf("epoch %d loss low=%.4f high=%.4f  sigma^2 low=%.4f high=%.4f ratio=%.3f difference=%.3f%n", r.epoch(),
                    r.trainLoss().get("low"), r.trainLoss().get("high"), variance(r, "low"), variance(r, "high"),
                    variance(r, "high") / variance(r, "low"), variance(r, "high") - variance(r, "low"));
        }
        EpochRecord last = result.history().get(result.history().size() - 1);
        // Our block minimises 0.5 e^(-s) L + 0.5 s per task (w = 1), s = log sigma^2. d/ds = 0 at
        // s = log L: the learned variance is the task's MSE (Kendall et al., regression). The reported
        // weight is w = 0.5 e^(-s), so sigma^2 = e^s = 1 / (2 w). Seed 5 measured: low 0.297 vs MSE
        // 0.294, high 2.284 vs 2.247 (epoch means of a still-moving optimum); 5% allows for that lag.
        for (String task : List.of("low", "high")) {
            assertEquals(last.trainLoss().get(task), variance(last, task), 0.05 * last.trainLoss().get(task), task);
        }
        // The MSE is the planted noise plus the model's error e on the shared signal:
        // sigma^2 = 0.5^2 + e = 0.25 + e and 1.5^2 + e = 2.25 + e. Their difference is 2.25 - 0.25 = 2.0
        // whatever e is (seed 5: 1.987); 0.2 allows e to differ by 10% of the gap between the heads.
        double low = variance(last, "low");
        double high = variance(last, "high");
        assertEquals(2.0, high - low, 0.2);
        // Their ratio is (2.25 + e) / (0.25 + e): 9 at e = 0, 6.4 at e = 0.1, so it lies below 9 by the
        // model error (seed 5: 7.69, e ~ 0.047); a fitted model (e < 0.1) keeps it in [6.4, 9], with
        // 0.5 of slack above for the epoch-mean lag.
        assertTrue(high / low > 6.4 && high / low < 9.5, "variance ratio " + high / low);
    }

    /** @return the learned variance e^s = 1 / (2 w) from the task's mean effective weight w in the epoch */
    private static double variance(EpochRecord record, String task) {
        return 1 / (2 * record.taskWeights().get(task));
    }
}
