package dev.taskweave.serve.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.core.store.AtomicDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A load that overlaps a replacement of the model directory is discarded, not served mixed. */
class DirectoryStampTest {
    @TempDir
    Path tmp;

    /** A "model" read file by file, as ModelStore reads model.json, then parameters.bin. */
    static final class Model implements AutoCloseable {
        final String manifest;
        final String parameters;
        boolean closed;

        Model(String manifest, String parameters) {
            this.manifest = manifest;
            this.parameters = parameters;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static void write(Path dir, String version) {
        AtomicDirectory.write(dir, staging -> {
            Files.writeString(staging.resolve("model.json"), "manifest " + version);
            Files.writeString(staging.resolve("parameters.bin"), "parameters " + version);
        });
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aDirectoryReplacedDuringALoadIsLoadedAgainAndTheMixedModelClosed() throws Exception {
        Path dir = tmp.resolve("model");
        write(dir, "1");
        List<Model> loaded = new ArrayList<>();
        ModelHolder.Loader<Model> loader = () -> {
            String manifest = read(dir.resolve("model.json"));
            if (loaded.isEmpty()) {
                write(dir, "2"); // train --output renames a new model into place between two files
            }
            Model m = new Model(manifest, read(dir.resolve("parameters.bin")));
            loaded.add(m);
            return m;
        };
        DirectoryStamp.Loaded<Model> result = DirectoryStamp.load(dir, loader, 3, 0);
        assertEquals(2, loaded.size());
        assertEquals("manifest 1", loaded.get(0).manifest);
        assertEquals("parameters 2", loaded.get(0).parameters, "the first load read two models");
        assertTrue(loaded.get(0).closed, "the mixed model is closed");
        assertSame(loaded.get(1), result.model());
        assertEquals("manifest 2", result.model().manifest);
        assertEquals("parameters 2", result.model().parameters);
        assertEquals(DirectoryStamp.of(dir), result.stamp());
    }

    @Test
    void aDirectoryThatKeepsChangingFailsAfterTheAttemptsWithNothingLeftOpen() {
        Path dir = tmp.resolve("model");
        write(dir, "0");
        List<Model> loaded = new ArrayList<>();
        AtomicInteger version = new AtomicInteger();
        DirectoryStamp.ChangedException e = assertThrows(DirectoryStamp.ChangedException.class, () -> DirectoryStamp.load(dir, () -> {
            Model m = new Model(read(dir.resolve("model.json")), "");
            write(dir, Integer.toString(version.incrementAndGet()));
            loaded.add(m);
            return m;
        }, 3, 1));
        assertEquals("the model directory " + dir + " changed while it was being loaded, 3 times in a row; nothing was loaded"
                + " (reload again once it is written)", e.getMessage());
        assertEquals(3, loaded.size());
        assertTrue(loaded.stream().allMatch(m -> m.closed));
    }

    @Test
    void aLoadThatFailsBecauseTheDirectoryWasReplacedIsTriedAgain() throws Exception {
        Path dir = tmp.resolve("model");
        write(dir, "1");
        AtomicInteger attempts = new AtomicInteger();
        DirectoryStamp.Loaded<Model> result = DirectoryStamp.load(dir, () -> {
            if (attempts.incrementAndGet() == 1) {
                write(dir, "2");
                throw new UncheckedIOException(new NoSuchFileException("parameters.bin"));
            }
            return new Model(read(dir.resolve("model.json")), read(dir.resolve("parameters.bin")));
        }, 3, 0);
        assertEquals(2, attempts.get());
        assertEquals("manifest 2", result.model().manifest);
    }

    @Test
    void aLoadThatFailsOnAnUnchangedDirectoryFailsAtOnce() {
        Path dir = tmp.resolve("model");
        write(dir, "1");
        AtomicInteger attempts = new AtomicInteger();
        IllegalStateException broken = new IllegalStateException("parameters.bin: truncated");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DirectoryStamp.load(dir, () -> {
            attempts.incrementAndGet();
            throw broken;
        }, 3, 0));
        assertSame(broken, e);
        assertEquals(1, attempts.get());
    }

    @Test
    void aMissingDirectoryFailsAtOnceWithTheLoadsOwnError() {
        Path dir = tmp.resolve("gone");
        AtomicInteger attempts = new AtomicInteger();
        IllegalStateException missing = new IllegalStateException("gone: no such directory");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DirectoryStamp.load(dir, () -> {
            attempts.incrementAndGet();
            throw missing;
        }, 3, 0));
        assertSame(missing, e);
        assertEquals(1, attempts.get());
    }

    @Test
    void theStampChangesWhenTheDirectoryOrAFileIsReplaced() throws Exception {
        Path dir = tmp.resolve("model");
        assertNull(DirectoryStamp.of(dir), "a missing directory has no stamp");
        write(dir, "1");
        String first = DirectoryStamp.of(dir);
        assertEquals(first, DirectoryStamp.of(dir));
        write(dir, "1"); // the same content in a new directory
        String second = DirectoryStamp.of(dir);
        assertNotEquals(first, second);
        // one file renamed over, same size and content: only its inode differs
        Path fresh = tmp.resolve("parameters.new");
        Files.writeString(fresh, "parameters 1");
        Files.setLastModifiedTime(fresh, Files.getLastModifiedTime(dir.resolve("parameters.bin")));
        Files.move(fresh, dir.resolve("parameters.bin"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertNotEquals(second, DirectoryStamp.of(dir));
    }
}
