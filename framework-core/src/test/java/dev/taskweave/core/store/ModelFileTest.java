package dev.taskweave.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.core.config.ConfigException;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model file is opened once: the bytes checked against model.json are the bytes parsed, so a
 * file replaced between the check and the parse (a directory renamed into place while a model is
 * loaded) cannot be read in place of the one checked.
 */
class ModelFileTest {
    @TempDir
    Path tmp;

    @Test
    void theBytesCheckedAreTheBytesParsed() throws IOException {
        Path file = Files.write(tmp.resolve("parameters.bin"), bytes(1000, 1));
        ModelManifest.FileEntry recorded = ModelManifest.FileEntry.of(file);
        byte[] other = bytes(1000, 2);
        List<Path> opened = new ArrayList<>();
        // the seam: every open of the file; right after the first, another model's file takes its
        // place, as a train renaming its output into place would do between a check and a read
        ModelFile read = ModelFile.read(file, recorded, "model.json", path -> {
            opened.add(path);
            InputStream in = Files.newInputStream(path);
            Path replacement = Files.write(tmp.resolve("other.bin"), other);
            Files.move(replacement, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return in;
        });
        assertEquals(List.of(file), opened, "opened once, for the check and the parse alike");
        assertArrayEquals(other, Files.readAllBytes(file), "the file was replaced meanwhile");
        // what is parsed is what was checked: the first file's bytes
        byte[] parsed = new byte[1000];
        try (DataInputStream in = read.data()) {
            in.readFully(parsed);
            assertEquals(-1, in.read());
        }
        assertArrayEquals(bytes(1000, 1), parsed);
        assertArrayEquals(bytes(1000, 1), read.bytes());
        assertEquals(recorded.crc32c, read.entry().crc32c);
        // read anew, the replacement is checked, and refused as not the recorded file
        ConfigException e = assertThrows(ConfigException.class, () -> ModelFile.read(file, recorded, "model.json"));
        assertTrue(e.getMessage().startsWith(file + ": is damaged: its checksum (CRC-32C "), e.getMessage());
    }

    @Test
    void aFileOfOtherLengthIsRefusedByName() throws IOException {
        Path file = Files.write(tmp.resolve("entities.bin"), bytes(100, 3));
        ModelManifest.FileEntry recorded = ModelManifest.FileEntry.of(file);
        Files.write(file, bytes(40, 3));
        assertEquals(file + ": holds 40 bytes, and model.json recorded 100 when the model was written: the file is truncated (was the"
                + " model copied whole?)", assertThrows(ConfigException.class, () -> ModelFile.read(file, recorded, "model.json")).getMessage());
        // a longer file is read no further than one byte past the recorded length
        Files.write(file, bytes(1 << 20, 3));
        int[] read = {0};
        ConfigException longer = assertThrows(ConfigException.class, () -> ModelFile.read(file, recorded, "model.json", path -> {
            InputStream in = Files.newInputStream(path);
            return new java.io.FilterInputStream(in) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    read[0] += Math.max(0, n);
                    return n;
                }
            };
        }));
        assertEquals(file + ": holds more than the 100 bytes model.json recorded when the model was written: the file is not the one "
                + "written with this model", longer.getMessage());
        assertEquals(101, read[0]);
        // unrecorded (a model of a release before checksums): read whole, unchecked
        assertEquals(1 << 20, ModelFile.read(file, null, "model.json").length());
    }

    @Test
    void aFileLongerThanOnePartIsReadWhole() throws IOException {
        byte[] content = bytes(ModelFile.CHUNK * 2 + 17, 4);
        Path file = Files.write(tmp.resolve("parameters.bin"), content);
        ModelFile read = ModelFile.read(file, ModelManifest.FileEntry.of(file), "model.json");
        assertEquals(content.length, read.length());
        assertArrayEquals(content, read.stream().readAllBytes());
        assertArrayEquals(content, read.stream().readAllBytes(), "each stream starts from the first byte");
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
