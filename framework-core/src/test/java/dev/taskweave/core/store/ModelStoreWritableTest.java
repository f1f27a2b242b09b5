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
        Files.writeString(half.resolve(ModelStore.MANIFEST), "{}");
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
