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
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.run.CheckpointException;
import dev.taskweave.core.run.Checkpointing;
import dev.taskweave.core.run.TrainingSuspendedException;
import dev.taskweave.core.run.ModelAssembler;
import dev.taskweave.core.run.TrainingResult;
import dev.taskweave.core.store.ModelManifest;
import dev.taskweave.core.store.ModelStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    @Test
    void aCheckpointRecordingTheFormBeforeResumesOnTheSameDataOnly() throws Exception {
        Path config = write("resumed.yaml", CheckpointResumeTest.CONFIG.formatted("{type: fixed}").replace("epochs: 4", "epochs: 2"));
        TrainingResult whole = taskweave.train(config, tmp.resolve("whole"), quiet());
        Dataset data = taskweave.injector().getInstance(ModelAssembler.class).loadData(taskweave.injector()
                .getInstance(ModelAssembler.class).plan(taskweave.injector().getInstance(ConfigLoader.class).load(config), config.toString()),
                config.getParent());
        String before = DataFingerprint.of(data).inFormOf("0".repeat(64));
        ObjectMapper json = new ObjectMapper();
        for (String recorded : new String[] {before, "f".repeat(64)}) {
            Path checkpoint = tmp.resolve("resumed-" + recorded.charAt(0) + ".checkpoint");
            Path output = tmp.resolve("resumed-" + recorded.charAt(0));
            // a time limit of zero stops the run after its first epoch
            assertThrows(TrainingSuspendedException.class,
                    () -> taskweave.train(config, output, quiet(), new Checkpointing(checkpoint, false, Duration.ZERO)));
            recordData(checkpoint, recorded);
            if (recorded.equals(before)) {
                TrainingResult resumed = taskweave.train(config, output, quiet(), new Checkpointing(checkpoint, true, null));
                assertEquals(json.valueToTree(whole.metrics()), json.valueToTree(resumed.metrics()));
            } else {
                CheckpointException e = assertThrows(CheckpointException.class,
                        () -> taskweave.train(config, output, quiet(), new Checkpointing(checkpoint, true, null)));
                assertTrue(e.getMessage().contains("was written by this experiment on other data"), e.getMessage());
            }
        }
    }

    /**
     * Writes {@code data} as the data fingerprint of a checkpoint's identity (after its magic
     * number, format and experiment digest, as DataOutput's UTF), with the CRC-32 at its end to match.
     */
    private static void recordData(Path checkpoint, String data) throws Exception {
        byte[] bytes = Files.readAllBytes(checkpoint);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        int at = 8;
        at += 2 + in.getShort(at); // the experiment's digest
        int end = at + 2 + in.getShort(at); // the data's fingerprint
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(bytes, 0, at);
        java.io.DataOutputStream utf = new java.io.DataOutputStream(out);
        utf.writeUTF(data);
        out.write(bytes, end, bytes.length - 4 - end);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(out.toByteArray());
        utf.writeInt((int) crc.getValue());
        Files.write(checkpoint, out.toByteArray());
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
