package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.taskweave.core.run.EpochRecord;
import dev.taskweave.core.run.TrainingResult;
import dev.taskweave.core.store.ModelStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Stateful loss weightings (DWA, GradNorm) save their state with the model, so a loaded model's
 * weighting block reports the weights training ended with; a model directory without the state
 * file (written before) still loads, with the initial weights. The GradNorm run uses CGC, whose
 * task experts and gates stay out of the combiner.
 */
class WeightingStateEndToEndTest extends RuntimeTest {
    @Test
    void dwaWeightsSurviveSaveAndLoad() throws Exception {
        TrainingResult result = train("dwa", "{type: dwa, params: {temperature: 2.0}}", "{type: mmoe, params: {experts: 2, expertLayers: [8]}}");
        // after epoch 3 the weights are 3 * softmax(r / 2) with r_t = L_t(3) / L_t(2)
        EpochRecord second = result.history().get(1);
        EpochRecord third = result.history().get(2);
        double[] e = new double[3];
        double sum = 0;
        List<String> tasks = List.of("rating", "like", "watch");
        for (int t = 0; t < 3; t++) {
            e[t] = Math.exp(third.trainLoss().get(tasks.get(t)) / second.trainLoss().get(tasks.get(t)) / 2);
            sum += e[t];
        }
        float[] expected = new float[3];
        for (int t = 0; t < 3; t++) {
            expected[t] = (float) (3 * e[t] / sum);
        }
        assertArrayEquals(expected, loadedWeights(tmp.resolve("dwa")), 1e-5f);

        Dist.withoutChecksums(tmp.resolve("dwa")); // a model of a release before weighting.bin
        Files.delete(tmp.resolve("dwa").resolve(ModelStore.WEIGHTING_STATE));
        assertArrayEquals(new float[] {1, 1, 1}, loadedWeights(tmp.resolve("dwa")));
    }

    @Test
    void gradNormWeightsSurviveSaveAndLoad() throws Exception {
        train("gradnorm", "{type: gradnorm}", "{type: cgc, params: {sharedExperts: 1, taskExperts: 1, expertLayers: [8]}}");
        Path dir = tmp.resolve("gradnorm");
        assertTrue(Files.isRegularFile(dir.resolve(ModelStore.WEIGHTING_STATE)));
        float[] first = loadedWeights(dir);
        float[] again = loadedWeights(dir);
        assertArrayEquals(first, again);
        assertEquals(3, first[0] + first[1] + first[2], 1e-4);
        assertFalse(first[0] == 1f && first[1] == 1f && first[2] == 1f, "the trained weights moved away from 1");

        Dist.withoutChecksums(dir);
        Files.delete(dir.resolve(ModelStore.WEIGHTING_STATE));
        assertArrayEquals(new float[] {1, 1, 1}, loadedWeights(dir));
    }

    private TrainingResult train(String name, String weighting, String sharing) throws Exception {
        String config = """
                seed: 3
                data: {type: synthetic, params: {users: 150, items: 60, meanInteractionsPerUser: 20}}
                features: {embeddingDim: 8}
                tasks:
                  - {name: rating, head: regression, label: rating, params: {tower: [8]}}
                  - {name: like, head: binary, label: rating, params: {tower: [8], threshold: 4.0}}
                  - {name: watch, head: binary, label: observed, params: {tower: [8], negatives: 1}}
                sharing: %s
                weighting: %s
                optimizer: {learningRate: 0.01}
                training: {batchSize: 128, epochs: 3, progressBar: false, telemetry: false}
                """.formatted(sharing, weighting);
        Path file = tmp.resolve(name + ".yaml");
        Files.writeString(file, config);
        return taskweave.train(file, tmp.resolve(name), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    /** @return the weights the loaded model's weighting block reports for three present tasks */
    private static float[] loadedWeights(Path dir) {
        ModelStore store = taskweave.injector().getInstance(ModelStore.class);
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelStore.LoadedModel loaded = store.load(dir, manager);
            NDList out = loaded.model().block().combineLosses(new ParameterStore(manager, false),
                    manager.create(new float[] {1, 1, 1}), manager.create(new float[] {1, 1, 1}), false);
            return out.get(1).toFloatArray();
        }
    }
}
