package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskweave.api.DataException;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.core.data.DataFingerprint;
import dev.taskweave.core.run.Checkpointing;
import dev.taskweave.core.run.ModelAssembler;
import dev.taskweave.core.run.TrainingResult;
import dev.taskweave.core.store.ModelManifest;
import dev.taskweave.core.store.ModelStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Models record the data's fingerprint in its current form ({@link DataFingerprint#PREFIX}); a
 * model of an earlier release records the form before (histories hashed densely), and must still
 * evaluate, and be read back by {@code train --resume}, on the same data.
 */
class DataFingerprintFormsTest extends RuntimeTest {
    @Test
    void aModelRecordingTheFormBeforeEvaluatesAndIsReadBackOnTheSameDataOnly() throws Exception {
        Path config = write("forms.yaml", HistoryDropoutEndToEndTest.CONFIG);
        Path model = tmp.resolve("model");
        TrainingResult trained = taskweave.train(config, model, quiet());
        ObjectMapper json = new ObjectMapper();
        String current = json.readTree(model.resolve(ModelStore.MANIFEST).toFile()).get("dataFingerprint").asText();
        assertTrue(current.matches("v2:[0-9a-f]{64}"), current);

        // the data as the model's source reads it, and its fingerprint in the form before
        String before;
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelStore.LoadedModel loaded = taskweave.injector().getInstance(ModelStore.class).load(model, manager);
            Dataset data = taskweave.injector().getInstance(ModelAssembler.class).loadData(loaded.model().plan(),
                    Path.of(loaded.manifest().baseDirectory));
            before = DataFingerprint.of(data).inFormOf("0".repeat(64)); // any fingerprint of that form
        }
        assertTrue(before.matches("[0-9a-f]{64}"), before);

        recordFingerprint(model, before);
        assertEquals(json.valueToTree(trained.metrics()), json.valueToTree(taskweave.evaluate(model)));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        taskweave.train(config, model, new PrintStream(log, true, StandardCharsets.UTF_8),
                new Checkpointing(tmp.resolve("forms.checkpoint"), true, null));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("nothing to resume: " + model + " holds this experiment's finished model"),
                log.toString(StandardCharsets.UTF_8));

        // a fingerprint of the form before that is not this data's is refused, named in that form
        recordFingerprint(model, "0".repeat(64));
        DataException e = assertThrows(DataException.class, () -> taskweave.evaluate(model));
        assertTrue(e.getMessage().contains("was trained on (fingerprint " + before.substring(0, 12) + " instead of 000000000000)"),
                e.getMessage());
    }

    /** Writes {@code fingerprint} into the model's model.json, with the checksum beside it to match. */
    private static void recordFingerprint(Path model, String fingerprint) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(model.resolve(ModelStore.MANIFEST).toFile());
        manifest.put("dataFingerprint", fingerprint);
        Files.write(model.resolve(ModelStore.MANIFEST), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        json.writeValue(model.resolve(ModelStore.MANIFEST_CHECKSUM).toFile(), ModelManifest.FileEntry.of(model.resolve(ModelStore.MANIFEST)));
    }
}
