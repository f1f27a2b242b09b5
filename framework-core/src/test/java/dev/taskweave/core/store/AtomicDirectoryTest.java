package dev.taskweave.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
