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
 * Telemetry on the synthetic data's planted pairs, through the real plugin jars: {@code like} /
 * {@code dislike} (anti-correlated labels, agreeing gradients) and the opposed pair
 * {@code s_plus} / {@code s_minus} (one signal, opposite noise: conflicting gradients).
 */
class ConflictTelemetryTest extends RuntimeTest {
    private TrainingResult train(String weighting, ByteArrayOutputStream log) throws Exception {
        String config = """
                seed: 5
                data: {type: synthetic, params: {users: 300, items: 100, meanInteractionsPerUser: 25, conflict: {strength: 4.0}}}
                features: {embeddingDim: 8}
                tasks:
                  - {name: like, head: binary, label: like, params: {tower: [8]}}
                  - {name: dislike, head: binary, label: dislike, params: {tower: [8]}}
                sharing: {type: shared-bottom, params: {layers: [16]}}
                weighting: {type: %s}
                optimizer: {learningRate: 0.01}
                training: {batchSize: 128, epochs: 2, progressBar: false}
                """.formatted(weighting);
        Path file = tmp.resolve(weighting + ".yaml");
        Files.writeString(file, config);
        TrainingResult result = taskweave.train(file, tmp.resolve(weighting), new PrintStream(log, true, StandardCharsets.UTF_8));
        for (EpochRecord r : result.history()) {
            System.out.println(weighting + " epoch " + r.epoch() + " cosine " + r.gradientCosine() + " alignment " + r.updateAlignment());
        }
        return result;
    }

    /**
     * The planted dislike anti-correlates with like (phi about -0.37 in the data-synthetic test) through
     * the same factors, yet the tasks do not conflict on the shared parameters: each head learns its
     * own sign, so both want the same shared features and the measured cosine is positive (seed 5:
     * +0.29 after epoch 1, +0.25 to +0.33 after epoch 2 across runs; CPU reductions are not bitwise
     * repeatable). Opposite labels are not opposite gradients.
     */
    @Test
    void equalWeightingRecordsCosineAndAlignment() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainingResult result = train("equal", log);
        for (EpochRecord r : result.history()) {
            double cosine = r.gradientCosine().get("like|dislike");
            assertTrue(cosine > 0 && cosine < 1, "cosine " + cosine);
            assertEquals(List.of("like", "dislike"), List.copyOf(r.updateAlignment().keySet()));
            // with a positive cosine the plain sum moves both tasks forward
            r.updateAlignment().values().forEach(a -> assertTrue(a > 0 && a <= 1 + 1e-9, "alignment " + a));
        }
        String printed = log.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("task alignment with the shared update: like=+"), printed);
        String history = Files.readString(tmp.resolve("equal").resolve("history.json"));
        assertTrue(history.contains("\"updateAlignment\""), history);
    }

    /**
     * Trains the synthetic data's opposed pair: {@code s_plus = 3 + signal + eps} and {@code s_minus = 3 +
     * signal - eps}, one {@code eps ~ N(0, 1)} per row. A shared bottom of width 1 and linear heads
     * ({@code tower: []}) make both heads read one shared scalar with the same sign (both fit the
     * signal), so whatever the shared layers memorise of {@code eps} helps one task exactly as much
     * as it hurts the other: once the signal is fitted the residuals are anti-correlated and so are
     * the tasks' shared gradients. (With a wider bottom each head could read the noise from a
     * dimension of its own with opposite signs; then the tasks stop conflicting: cosines rose from
     * about -0.4 to +0.2 within 3 epochs with {@code layers: [16]} and sigma 2.5.) {@code s_minus}
     * has weight 4, which {@code fixed} honours and the gradient combiners ignore.
     */
    private TrainingResult trainOpposed(String weighting) throws Exception {
        String config = """
                seed: 7
                data: {type: synthetic, params: {users: 200, items: 80, meanInteractionsPerUser: 25, opposedScores: {name: s, sigma: 1.0}}}
                features: {embeddingDim: 8}
                tasks:
                  - {name: plus, head: regression, label: s_plus, weight: 1, params: {tower: []}}
                  - {name: minus, head: regression, label: s_minus, weight: 4, params: {tower: []}}
                sharing: {type: shared-bottom, params: {layers: [1]}}
                weighting: {type: %s}
                optimizer: {learningRate: 0.02}
                training: {batchSize: 128, epochs: 3, progressBar: false}
                """.formatted(weighting);
        Path file = tmp.resolve("opposed-" + weighting + ".yaml");
        Files.writeString(file, config);
        TrainingResult result = taskweave.train(file, tmp.resolve("opposed-" + weighting),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        for (EpochRecord r : result.history()) {
            System.out.println("opposed " + weighting + " epoch " + r.epoch() + " cosine " + r.gradientCosine()
                    + " alignment " + r.updateAlignment() + " loss " + r.trainLoss());
        }
        return result;
    }

    private static EpochRecord last(TrainingResult result) {
        return result.history().get(result.history().size() - 1);
    }

    /*
     * Measured on the opposed pair (last of 3 epochs; cosine plus|minus, alignment plus / minus),
     * seeds 5, 6, 7 of the configuration above (the tests use seed 7):
     *   fixed (1, 4): cosine -0.63, -0.75, -0.55; alignment -0.22 / +0.99, -0.38 / +0.97, -0.42 / +0.98
     *   equal:        cosine -0.65, -0.39, -0.62; alignment +0.16 / +0.66, +0.55 / +0.53, +0.39 / +0.45
     *   pcgrad:       cosine -0.14, -0.33, -0.58; alignment +0.46 / +0.66, +0.60 / +0.53, +0.40 / +0.42
     *   cagrad:       cosine -0.48, -0.53, -0.53; alignment +0.50 / +0.51, +0.49 / +0.55, +0.45 / +0.42
     * Earlier epochs are noisier (the telemetry sees 4 batches; epoch-1 cosines ranged from -0.63 to
     * +0.67 while the signal was still being fitted), hence the assertions on the last epoch only.
     * The width-1 ReLU bottleneck is fragile, so the test pins seed 7 (re-runs reproduced its figures
     * to 3 decimals): seed 8 gives fixed -0.67 (alignment -0.60 / +0.99) and pcgrad -0.78, but seed 9
     * ends positive (fixed +0.55, alignment -0.05 / +0.99; pcgrad +0.62, cagrad +0.52; its epoch 2 had
     * -0.56) and with seed 10 the unit is dead from the start (every shared gradient 0, cosine 0).
     * A bottom of [8, 1] did not help (seed 9 +0.53, seeds 5 and 10 dead).
     */

    /**
     * The plain weighted sum {@code g_plus + 4 g_minus} works against the lighter task: with
     * {@code g = c ± d} (common part c, opposed noise part d) {@code g_plus . u = 5|c|^2 - 3|d|^2 + 2 c.d},
     * negative once the noise dominates. Margins: cosine < -0.3 and alignment < -0.1 against
     * measured -0.55 and -0.42 for seed 7 (-0.55 to -0.75 and -0.22 to -0.42 over seeds 5-7). The
     * heavy task memorises the noise its way, so its train MSE ends lower (seed 7: 1.213 vs 1.302;
     * 1.18 vs 1.26 and 1.26 vs 1.38 for seeds 5 and 6).
     */
    @Test
    void weightedSumWorksAgainstTheLighterOpposedTask() throws Exception {
        EpochRecord last = last(trainOpposed("fixed"));
        double cosine = last.gradientCosine().get("plus|minus");
        assertTrue(cosine < -0.3, "cosine " + cosine);
        assertTrue(last.updateAlignment().get("plus") < -0.1, "alignment " + last.updateAlignment());
        assertTrue(last.updateAlignment().get("minus") > 0.8, "alignment " + last.updateAlignment());
        assertTrue(last.trainLoss().get("plus") > last.trainLoss().get("minus"), "loss " + last.trainLoss());
    }

    /**
     * PCGrad's combined update never works against a task: for two tasks,
     * {@code g_i . (g_1' + g_2') = |g_i|^2 (1 - cos^2) >= 0} on every batch (checked by hand numbers in
     * the plugin's TestPcGrad), so the mean alignment over the telemetry batches is >= 0 in every
     * epoch (float rounding only), while the tasks' own gradients still conflict: the conflict is in
     * the data, PCGrad changes what the step does with it (seed 7: cosine -0.58, alignments +0.40 /
     * +0.42 where the weighted sum had -0.42 / +0.98). The cosine margin: < 0 against -0.14 to -0.58
     * measured over seeds 5-7.
     */
    @Test
    void pcgradNeverWorksAgainstAnOpposedTask() throws Exception {
        TrainingResult result = trainOpposed("pcgrad");
        for (EpochRecord r : result.history()) {
            assertEquals(2, r.updateAlignment().size(), r.updateAlignment().toString());
            r.updateAlignment().values().forEach(a -> assertTrue(a >= -1e-6, "alignment " + a));
        }
        double cosine = last(result).gradientCosine().get("plus|minus");
        assertTrue(cosine < 0, "cosine " + cosine);
    }

    /**
     * CAGrad maximises the worst task's improvement in a ball around the mean gradient, so the
     * lighter task's alignment, -0.42 under the weighted sum, is lifted to the level of the other's
     * (seed 7: +0.45 / +0.42; the minimum over seeds 5-7 is +0.42 to +0.50). Margin: > 0.2.
     */
    @Test
    void cagradLiftsTheWorstOpposedTask() throws Exception {
        EpochRecord last = last(trainOpposed("cagrad"));
        double worst = last.updateAlignment().values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        assertTrue(worst > 0.2, "alignment " + last.updateAlignment());
        assertTrue(last.gradientCosine().get("plus|minus") < 0, "cosine " + last.gradientCosine());
    }
}
