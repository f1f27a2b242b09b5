package dev.taskweave.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.core.config.ConfigException;
import org.junit.jupiter.api.Test;

class ServeConfigTest {
    @Test
    void defaults() {
        ServeConfig c = ServeConfig.parse("", "serve.yaml");
        assertEquals("0.0.0.0", c.host);
        assertEquals(8080, c.port);
        assertEquals(16, c.threads);
        assertEquals(1000, c.maxPairs);
        assertEquals(100, c.maxK);
        assertEquals(1 << 20, c.maxRequestBytes);
        assertNull(c.formula);
        assertFalse(c.excludeSeen);
        assertFalse(c.watch);
        assertEquals(2000, c.watchIntervalMillis);
        assertEquals(10_000, c.shutdownGraceMillis);
        assertEquals(0, c.shutdownDelayMillis);
    }

    @Test
    void theAdminTokenIsReadFromItsFileAndMustBeOneLongToken(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("token");
        java.nio.file.Files.writeString(file, "  s3cret-s3cret-s3cret\n");
        assertEquals("s3cret-s3cret-s3cret", ServeConfig.parse("adminTokenFile: " + file + "\n", "serve.yaml").adminToken());
        assertNull(ServeConfig.parse("", "serve.yaml").adminToken());
        java.nio.file.Files.writeString(file, "short\n");
        assertMessage("adminTokenFile: " + file + "\n", "serve.yaml: adminTokenFile: " + file
                + " must hold one token of at least 16 characters without white space, got 5 characters");
        java.nio.file.Files.writeString(file, "\n");
        assertMessage("adminTokenFile: " + file + "\n", "got an empty file");
        assertMessage("adminTokenFile: " + dir.resolve("missing") + "\n", "serve.yaml: adminTokenFile: cannot read " + dir.resolve("missing") + ": file not found");
        // from a file, a relative path is relative to that file's directory, as an experiment's paths are
        java.nio.file.Files.writeString(dir.resolve("token"), "relative-token-0123456789\n");
        java.nio.file.Path yaml = dir.resolve("serve.yaml");
        java.nio.file.Files.writeString(yaml, "adminTokenFile: token\n");
        assertEquals("relative-token-0123456789", ServeConfig.load(yaml).adminToken());
    }

    @Test
    void scoringSlotsNeverHoldEveryWorkerThread() {
        // the default, one slot per processor, is capped below the workers Jetty leaves (here 3: two
        // spare for the probes and refusals, so one slot), whatever the processor count
        ServeConfig defaults = ServeConfig.parse("", "serve.yaml");
        assertEquals(1, TaskweaveServer.slotsFor(defaults, 3));
        assertEquals(Math.min(Runtime.getRuntime().availableProcessors(), 12), TaskweaveServer.slotsFor(defaults, 14));
        ServeConfig twelve = ServeConfig.parse("maxConcurrentScoring: 12\n", "serve.yaml");
        assertEquals(12, TaskweaveServer.slotsFor(twelve, 14));
        ConfigException tooMany = assertThrows(ConfigException.class, () -> TaskweaveServer.slotsFor(twelve, 13));
        assertEquals("serve.yaml: maxConcurrentScoring: at most 11 with threads: 16 (13 threads run requests once the server has taken"
                + " its own, and 2 stay free for /health, /ready and refusals), got 12; raise threads or lower maxConcurrentScoring",
                tooMany.getMessage());
    }

    @Test
    void fullMapping() {
        ServeConfig c = ServeConfig.parse("""
                host: 127.0.0.1
                port: 9000
                threads: 32
                maxPairs: 10
                maxK: 5
                maxRequestBytes: 4096
                formula: 0.6 * like + 0.4 * watch
                excludeSeen: true
                watch: true
                watchIntervalMillis: 500
                shutdownGraceMillis: 0
                shutdownDelayMillis: 5000
                """, "serve.yaml");
        assertEquals("127.0.0.1", c.host);
        assertEquals(9000, c.port);
        assertEquals(32, c.threads);
        assertEquals(10, c.maxPairs);
        assertEquals(5, c.maxK);
        assertEquals(4096, c.maxRequestBytes);
        assertEquals("0.6 * like + 0.4 * watch", c.formula);
        assertTrue(c.excludeSeen);
        assertTrue(c.watch);
        assertEquals(500, c.watchIntervalMillis);
        assertEquals(0, c.shutdownGraceMillis);
        assertEquals(5000, c.shutdownDelayMillis);
    }

    @Test
    void errorsNameTheFileAndTheField() {
        assertMessage("prot: 80\n", "serve.yaml: prot: unknown field 'prot'; expected one of [adminTokenFile, excludeSeen, factoredScoring, formula, host, maxConcurrentScoring, maxK, maxPairs, maxQueueMillis, maxRequestBytes, minRequestBytesPerSecond, port, shutdownDelayMillis, shutdownGraceMillis, threads, watch, watchIntervalMillis]");
        assertMessage("shutdownGraceMillis: -1\n", "serve.yaml: shutdownGraceMillis: must be in [0, 600000] (0 = stop at once), got -1");
        assertMessage("shutdownGraceMillis: 600001\n", "serve.yaml: shutdownGraceMillis: must be in [0, 600000] (0 = stop at once), got 600001");
        assertMessage("shutdownDelayMillis: -1\n", "serve.yaml: shutdownDelayMillis: must be in [0, 600000] (0 = close the listener at once), got -1");
        assertMessage("shutdownDelayMillis: 600001\n", "serve.yaml: shutdownDelayMillis: must be in [0, 600000] (0 = close the listener at once), got 600001");
        assertMessage("maxQueueMillis: -1\n", "serve.yaml: maxQueueMillis: must be >= 0, got -1");
        assertMessage("maxConcurrentScoring: -2\n", "serve.yaml: maxConcurrentScoring: must be >= 0 (0 = one per processor), got -2");
        assertMessage("port: eighty\n", "serve.yaml: port: cannot read 'eighty' as an integer");
        assertMessage("maxK: 0\n", "serve.yaml: maxK: must be >= 1, got 0");
        assertMessage("port: 70000\n", "serve.yaml: port: must be in [0, 65535], got 70000");
        assertMessage("threads: 2\n", "serve.yaml: threads: must be in [8, 1024], got 2");
        assertMessage("formula: 'like +'\n", "serve.yaml: formula: expected a number, a task or '(' but the formula ends");
        assertMessage("port: [1\n", "serve.yaml:");
        assertMessage("- 1\n", "expected a mapping");
        assertMessage("port: 80\nthreads: 16\nport: 81\n", "serve.yaml:3: duplicate key 'port' (a key may be given once in a mapping)");
        assertMessage("port: [1\n", "serve.yaml:2: malformed YAML: ");
    }

    @Test
    void commandLineValuesNameTheirOption() {
        ConfigException port = assertThrows(ConfigException.class, () -> ServeConfig.checkPort("command line", "--port", 70000));
        assertEquals("command line: --port: must be in [0, 65535], got 70000", port.getMessage());
        ConfigException host = assertThrows(ConfigException.class, () -> ServeConfig.checkHost("command line", "--host", " "));
        assertEquals("command line: --host: must not be empty", host.getMessage());
    }

    private static void assertMessage(String yaml, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> ServeConfig.parse(yaml, "serve.yaml"));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
