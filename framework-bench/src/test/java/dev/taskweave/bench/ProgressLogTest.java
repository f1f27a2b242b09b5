package dev.taskweave.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressLogTest {
    @Test
    void progressLinesKeepTheirNonAsciiCharacters() {
        // written a byte at a time, "café" printed as "cafÃ©": each byte of its UTF-8 became a character
        StringWriter text = new StringWriter();
        PrintStream log = BenchmarkCommand.log(new PrintWriter(text));
        log.printf("[café] seed 1: read back from runs/café/seed-1%n");
        assertEquals("[café] seed 1: read back from runs/café/seed-1" + System.lineSeparator(), text.toString());
    }
}
