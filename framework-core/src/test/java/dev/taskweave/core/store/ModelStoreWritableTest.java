package dev.taskweave.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.core.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What train checks of its output before it reads the data, recovery of killed writes included. */
class ModelStoreWritableTest {
    @TempDir
    Path tmp;

    @Test
    void aMissingOutputWhosePreviousContentCannotBeReplacedIsRefusedBeforeTraining() throws IOException {
        Path output = tmp.resolve("next");
        // a copy left half deleted by a release that deleted .X.old-* in place (model.json went
        // first), then the model moved away: writing puts it back first, and then refuses it
        Path half = Files.createDirectories(tmp.resolve(".next.old-k1ll3d"));
        Files.writeString(half.resolve("experiment.yaml"), "seed: 1\n");
        Files.writeString(half.resolve("entities.bin"), "half");
        ConfigException e = assertThrows(ConfigException.class, () -> ModelStore.checkWritable(output, "--output"));
        assertEquals("--output: " + output + " does not exist, and writing it first puts back " + half + " (its content before a "
                + "replacement that was interrupted), which is a directory of other files, not a Taskweave model (model.json is "
                + "missing), so that the model could not be written there: remove .next.old-k1ll3d or name another directory",
                e.getMessage());
        // a whole model aside, or an empty directory, is put back and replaced: writable
        Files.writeString(half.resolve(ModelStore.MANIFEST), MANIFEST);
        ModelStore.checkWritable(output, "--output");
        Files.delete(half.resolve(ModelStore.MANIFEST));
        Files.delete(half.resolve("experiment.yaml"));
        Files.delete(half.resolve("entities.bin"));
        ModelStore.checkWritable(output, "--output");
        // a partly deleted copy under the name a write now gives it is never put back: nothing to refuse
        Files.move(half, tmp.resolve(".next.trash-k1ll3d"));
        Files.writeString(tmp.resolve(".next.trash-k1ll3d").resolve("entities.bin"), "half");
        ModelStore.checkWritable(output, "--output");
    }

    /** The least a manifest of any release holds. */
    static final String MANIFEST = "{\"taskweaveVersion\": \"0.1.0\", \"tasks\": []}";

    @Test
    void aDirectoryWithAnotherProgramsModelJsonIsNotAModel() throws IOException {
        // a TensorFlow.js model's directory has a model.json too: it was moved aside and deleted
        Path output = Files.createDirectories(tmp.resolve("tfjs_model"));
        Files.writeString(output.resolve("model.json"), "{\"format\": \"layers-model\", \"weightsManifest\": []}");
        Files.writeString(output.resolve("group1-shard1of1.bin"), "weights");
        ConfigException e = assertThrows(ConfigException.class, () -> ModelStore.checkWritable(output, "--output"));
        assertEquals("--output: " + output + " is a directory of other files, not a Taskweave model (its model.json is another"
                + " program's); writing the model there would delete them: name a new directory", e.getMessage());
        e = assertThrows(ConfigException.class, () -> AtomicDirectory.write(output, ModelStore.MARKER,
                staging -> Files.writeString(staging.resolve("model.json"), MANIFEST)));
        assertTrue(e.getMessage().contains("is a directory of other files (its model.json is another program's)"), e.getMessage());
        assertEquals("weights", Files.readString(output.resolve("group1-shard1of1.bin")));
        // not JSON at all: the same
        Files.writeString(output.resolve("model.json"), "not json");
        assertThrows(ConfigException.class, () -> ModelStore.checkWritable(output, "--output"));
        // a Taskweave manifest makes it a model directory, which a new model replaces
        Files.writeString(output.resolve("model.json"), MANIFEST);
        ModelStore.checkWritable(output, "--output");
    }

    @Test
    void aMountPointIsFoundAndWhyItCannotBeReplacedIsNamed() {
        // a container's bind mount cannot be renamed, and the model replaces its directory by renaming it;
        // /proc is a mount point wherever this runs on Linux
        Path proc = Path.of("/proc");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(proc) && AtomicDirectory.isMountPoint(proc),
                "/proc is not a mount point here");
        assertEquals(false, AtomicDirectory.isMountPoint(tmp), "a directory made inside its parent's file system");
        assertEquals(false, AtomicDirectory.isMountPoint(tmp.resolve("missing")));
        assertTrue(AtomicDirectory.unrenamable(proc).startsWith("is a mount point, which cannot be renamed"));
    }

    @Test
    void aSymbolicLinkIsWrittenThroughNotReplaced() throws IOException {
        Path real = Files.createDirectories(tmp.resolve("disk").resolve("out"));
        Path link = Files.createSymbolicLink(tmp.resolve("out"), real);
        ModelStore.checkWritable(link, "--output");
        AtomicDirectory.write(link, ModelStore.MARKER, staging -> Files.writeString(staging.resolve("model.json"), MANIFEST));
        assertTrue(Files.isSymbolicLink(link), "the link stays a link");
        assertEquals(MANIFEST, Files.readString(real.resolve("model.json")));
        AtomicDirectory.write(link, ModelStore.MARKER, staging -> {
            Files.writeString(staging.resolve("model.json"), MANIFEST);
            Files.writeString(staging.resolve("second"), "2");
        });
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("2", Files.readString(real.resolve("second")));
    }

    @Test
    void anOutputWhoseLockCannotBeTakenIsRefusedBeforeTraining() throws IOException {
        // the model is written under .X.lock: one that cannot be locked (here a directory; on NFS without
        // its lock service, ENOLCK) is found before the data is read, not after training
        Path output = tmp.resolve("model");
        Files.createDirectories(tmp.resolve(".model.lock"));
        ConfigException e = assertThrows(ConfigException.class, () -> ModelStore.checkWritable(output, "--output"));
        assertTrue(e.getMessage().startsWith("--output: cannot write " + output + ": its lock file " + tmp.resolve(".model.lock")
                + " cannot be locked ("), e.getMessage());
        Files.delete(tmp.resolve(".model.lock"));
        ModelStore.checkWritable(output, "--output");
        // a lock another writer holds is no refusal: the write waits for it
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(tmp.resolve(".model.lock"),
                java.nio.file.StandardOpenOption.WRITE); java.nio.channels.FileLock held = channel.lock()) {
            ModelStore.checkWritable(output, "--output");
        }
    }
}
