package dev.taskweave.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.core.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void replacesWholeDirectoryAndLeavesNoStaging() throws IOException {
        Path target = tmp.resolve("model");
        AtomicDirectory.write(target, dir -> Files.writeString(dir.resolve("a.txt"), "one"));
        AtomicDirectory.write(target, dir -> Files.writeString(dir.resolve("b.txt"), "two"));
        assertFalse(Files.exists(target.resolve("a.txt")));
        assertEquals("two", Files.readString(target.resolve("b.txt")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void failedWriteKeepsTheOldContent() throws IOException {
        Path target = tmp.resolve("model");
        AtomicDirectory.write(target, dir -> Files.writeString(dir.resolve("a.txt"), "one"));
        assertThrows(UncheckedIOException.class, () -> AtomicDirectory.write(target, dir -> {
            Files.writeString(dir.resolve("partial.txt"), "half");
            throw new IOException("disk full");
        }));
        assertEquals("one", Files.readString(target.resolve("a.txt")));
        assertFalse(Files.exists(target.resolve("partial.txt")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void streamedFileIsReplacedWholeOrNotAtAll() throws IOException {
        Path target = tmp.resolve("recs.tsv");
        AtomicDirectory.writeFile(target, temp -> Files.writeString(temp, "first\n"));
        assertEquals("first\n", Files.readString(target));
        // an IOException and any other exception from the body: the old file stays, no temporary file is left
        assertThrows(UncheckedIOException.class, () -> AtomicDirectory.writeFile(target, temp -> {
            Files.writeString(temp, "half");
            throw new IOException("disk full");
        }));
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> AtomicDirectory.writeFile(target, temp -> {
            Files.writeString(temp, "half");
            throw new IllegalStateException("unknown user");
        }));
        assertEquals("unknown user", thrown.getMessage());
        assertEquals("first\n", Files.readString(target));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(1, s.count());
        }
        AtomicDirectory.writeFile(target, temp -> Files.writeString(temp, "second\n"));
        assertEquals("second\n", Files.readString(target));
    }

    @Test
    void aDirectoryOfOtherFilesIsRefusedNotDeleted() throws IOException {
        Path target = tmp.resolve("project");
        Files.createDirectories(target);
        Files.writeString(target.resolve("experiment.yaml"), "seed: 1\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> AtomicDirectory.write(target, "model.json", dir -> Files.writeString(dir.resolve("model.json"), "{}")));
        assertEquals(target + ": is a directory of other files (it has no model.json), which writing here would delete; "
                + "name a new directory or one written before", e.getMessage());
        assertEquals("seed: 1\n", Files.readString(target.resolve("experiment.yaml")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(1, s.count(), "no staging is left");
        }
        // an empty directory, and one holding the marker, are replaced
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        AtomicDirectory.write(empty, "model.json", dir -> Files.writeString(dir.resolve("model.json"), "{}"));
        AtomicDirectory.write(empty, "model.json", dir -> Files.writeString(dir.resolve("model.json"), "{\"v\": 2}"));
        assertEquals("{\"v\": 2}", Files.readString(empty.resolve("model.json")));
        Path file = Files.writeString(tmp.resolve("file"), "x");
        ConfigException notDirectory = assertThrows(ConfigException.class, () -> AtomicDirectory.write(file, "model.json", dir -> {}));
        assertEquals(file + ": exists and is not a directory; expected a directory to write", notDirectory.getMessage());
    }

    @Test
    void aReplacementKilledBetweenItsRenamesIsPutBackByTheNextWrite() throws IOException {
        Path target = tmp.resolve("model");
        // what a write killed after moving the old model aside and before moving the new one in leaves
        Path old = Files.createDirectories(tmp.resolve(".model.old-abc"));
        Files.writeString(old.resolve("model.json"), "previous");
        Path staging = Files.createDirectories(tmp.resolve(".model.tmp-abc"));
        Files.writeString(staging.resolve("model.json"), "half");
        assertEquals(old, AtomicDirectory.previous(target));
        // a write that fails still put the previous content back first
        assertThrows(UncheckedIOException.class, () -> AtomicDirectory.write(target, "model.json", dir -> {
            throw new IOException("disk full");
        }));
        assertEquals("previous", Files.readString(target.resolve("model.json")));
        assertNull(AtomicDirectory.previous(target));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(1, s.count(), "the stale staging is deleted");
        }
        // killed after the swap, before deleting the old content: the next write deletes it
        Files.createDirectories(tmp.resolve(".model.old-def")).resolve("model.json").toFile().createNewFile();
        AtomicDirectory.write(target, "model.json", dir -> Files.writeString(dir.resolve("model.json"), "new"));
        assertEquals("new", Files.readString(target.resolve("model.json")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void aFileIsNotWrittenOverADirectory() throws IOException {
        Path target = Files.createDirectories(tmp.resolve("out"));
        boolean[] ran = {false};
        ConfigException e = assertThrows(ConfigException.class, () -> AtomicDirectory.writeFile(target, temp -> ran[0] = true));
        assertEquals(target + ": is a directory; expected a file to write", e.getMessage());
        assertFalse(ran[0], "nothing is computed for a file that cannot be written");
        // a temporary file of a killed write is deleted by the next
        Path stale = Files.writeString(tmp.resolve(".recs.tsv.tmp-abc"), "half");
        AtomicDirectory.writeFile(tmp.resolve("recs.tsv"), "rows\n".getBytes());
        assertFalse(Files.exists(stale));
        assertEquals("rows\n", Files.readString(tmp.resolve("recs.tsv")));
        Path file = Files.writeString(tmp.resolve("file"), "x");
        ConfigException underFile = assertThrows(ConfigException.class,
                () -> AtomicDirectory.writeFile(file.resolve("recs.tsv"), "rows".getBytes()));
        assertTrue(underFile.getMessage().startsWith(file.resolve("recs.tsv") + ": cannot write: "), underFile.getMessage());
    }
}
