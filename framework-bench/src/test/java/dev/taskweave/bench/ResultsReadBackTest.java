package dev.taskweave.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.taskweave.core.config.ConfigException;
import org.junit.jupiter.api.Test;

/** {@code benchmark --results}: what is read back from a results.json before the reports are drawn from it. */
class ResultsReadBackTest {
    private static BenchmarkResults read(String json) throws Exception {
        BenchmarkResults data = BenchmarkCommand.reader().readValue(json, BenchmarkResults.class);
        BenchmarkCommand.checkReadable(data, "r.json");
        return data;
    }

    @Test
    void fieldsALaterReleaseAddsAreReadPast() throws Exception {
        BenchmarkResults data = read("""
                {"formatVersion": 1, "suite": "s", "addedLater": {"x": 1},
                 "configurations": [{"name": "a", "seeds": [1], "metrics": {}, "alsoNew": 2}]}
                """);
        assertEquals("a", data.configurations.get(0).name);
    }

    @Test
    void aFileTheReportsCannotBeDrawnFromNamesWhatIsMissing() {
        ConfigException seeds = assertThrows(ConfigException.class,
                () -> read("{\"formatVersion\": 1, \"configurations\": [{\"name\": \"a\", \"seeds\": []}]}"));
        assertEquals("r.json: configurations[0]: not a results.json: seeds missing or empty", seeds.getMessage());
        ConfigException name = assertThrows(ConfigException.class,
                () -> read("{\"formatVersion\": 1, \"configurations\": [{\"seeds\": [1]}]}"));
        assertEquals("r.json: configurations[0].name: not a results.json: missing", name.getMessage());
        ConfigException version = assertThrows(ConfigException.class, () -> read("{\"formatVersion\": 2, \"configurations\": []}"));
        assertEquals("r.json: formatVersion: this release reads format version 1, got 2", version.getMessage());
    }
}
