package dev.taskweave.api.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextFilesTest {
    @TempDir
    Path dir;

    /** Four lines ending with {@code end}, the third holding a Latin-1 'é' (one byte 0xE9, not UTF-8). */
    Path file(String name, String end) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String line : new String[] {"user,item", "u1,i1", "u2,Amélie", "u3,i3"}) {
            bytes.write(line.getBytes(StandardCharsets.ISO_8859_1));
            bytes.write(end.getBytes(StandardCharsets.ISO_8859_1));
        }
        Path file = dir.resolve(name);
        Files.write(file, bytes.toByteArray());
        return file;
    }

    @Test
    void everyKindOfLineEndCountsOnce() throws IOException {
        assertEquals(3, TextFiles.firstUndecodableLine(file("lf.csv", "\n"), StandardCharsets.UTF_8));
        assertEquals(3, TextFiles.firstUndecodableLine(file("crlf.csv", "\r\n"), StandardCharsets.UTF_8));
        // old Mac files end lines with a carriage return alone: was line 1
        assertEquals(3, TextFiles.firstUndecodableLine(file("cr.csv", "\r"), StandardCharsets.UTF_8));
        // mixed, and blank lines of each kind: "a\r\n\r\rb\n\né" is a, blank, blank, b, blank, é
        Path mixed = dir.resolve("mixed.csv");
        Files.write(mixed, "a\r\n\r\rb\n\n\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(6, TextFiles.firstUndecodableLine(mixed, StandardCharsets.UTF_8));
    }

    @Test
    void validTextAndUnreadableFilesGiveZero() throws IOException {
        assertEquals(0, TextFiles.firstUndecodableLine(file("latin.csv", "\r"), StandardCharsets.ISO_8859_1));
        Path last = dir.resolve("last.csv");
        Files.write(last, "a\rb\r\u00e9".getBytes(StandardCharsets.ISO_8859_1)); // no line end after the last line
        assertEquals(3, TextFiles.firstUndecodableLine(last, StandardCharsets.UTF_8));
        assertEquals(0, TextFiles.firstUndecodableLine(dir.resolve("missing.csv"), StandardCharsets.UTF_8));
    }
}
