package dev.taskweave.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CheckedWriterTest {
    @Test
    void writesThroughAndFailsOnceTheStreamUnderItFails() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Writer ok = new BufferedWriter(new TaskweaveCli.CheckedWriter(new PrintWriter(bytes, false, StandardCharsets.UTF_8)))) {
            ok.write("u1\ti1\t0.5\n");
        }
        assertEquals("u1\ti1\t0.5\n", bytes.toString(StandardCharsets.UTF_8));

        // a full disk or a closed pipe: System.out (a PrintStream) and PrintWriter only note it
        OutputStream closed = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        Writer failing = new BufferedWriter(new TaskweaveCli.CheckedWriter(new PrintWriter(new java.io.PrintStream(closed), false)), 16);
        IOException e = assertThrows(IOException.class, () -> {
            for (int i = 0; i < 10; i++) {
                failing.write("u1\ti1\t0.5\n");
            }
            failing.flush();
        });
        assertEquals("writing to standard output failed (a full disk, or a pipe closed by its reader); the output is incomplete",
                e.getMessage());
    }
}
