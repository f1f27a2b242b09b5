package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.core.run.EpochRecord;
import dev.taskweave.core.run.TrainingResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every sharing strategy whose block computes from its own parameters (cross-stitch's mixing
 * matrices, soft-l2's penalty over the columns' weights) and uncertainty weighting's log-variances
 * train through the runtime: the losses fall and the steps leave no array in the model's memory
 * (the runtime warns when an epoch's steps leave one or more per step).
 */
class SharingEndToEndTest extends RuntimeTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "{type: cross-stitch, params: {layers: [16, 8]}}",
        "{type: soft-l2, params: {layers: [16, 8], penalty: 0.01}}",
        "{type: separate, params: {layers: [16]}}"})
    void trainsAndLeavesNoArrayBehind(String sharing) throws Exception {
        String yaml = EndToEndTest.CONFIG.replace("epochs: 6", "epochs: 3")
                .replace("sharing: {type: mmoe, params: {experts: 3, expertLayers: [32, 16]}}", "sharing: " + sharing);
        assertTrue(yaml.contains(sharing) && yaml.contains("weighting: {type: uncertainty}"), yaml);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainingResult result = taskweave.train(write("sharing.yaml", yaml), tmp.resolve("m" + Math.abs(sharing.hashCode())),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        String printed = log.toString(StandardCharsets.UTF_8);
        assertFalse(printed.contains("arrays in the model's memory"), printed);
        List<EpochRecord> history = result.history();
        assertEquals(3, history.size());
        for (String task : List.of("rating", "like", "watch")) {
            double first = history.get(0).trainLoss().get(task);
            double last = history.get(2).trainLoss().get(task);
            assertTrue(last < first, sharing + ": " + task + " loss did not fall: " + first + " -> " + last);
        }
    }
}
