package dev.taskweave.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.taskweave.core.config.ConfigException;
import org.junit.jupiter.api.Test;

/** {@code benchmark --results}: what is read back from a results.json before the reports are drawn from it. */
class ResultsReadBackTest {
    private static BenchmarkResults read(String json) throws Exception {
        return BenchmarkCommand.readBack(BenchmarkCommand.reader().readTree(json), "r.json");
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
        // any other JSON object (a tune.json, a model's metrics.json) would read as results of nothing and
        // replace the reports with empty ones
        assertEquals("r.json: formatVersion: not a results.json: missing", assertThrows(ConfigException.class,
                () -> read("{\"trials\": [], \"best\": null}")).getMessage());
        assertEquals("r.json: configurations: not a results.json: missing", assertThrows(ConfigException.class,
                () -> read("{\"formatVersion\": 1, \"suite\": \"s\"}")).getMessage());
        assertEquals("r.json: configurations: not a results.json: the list is empty, there is nothing to report",
                assertThrows(ConfigException.class, () -> read("{\"formatVersion\": 1, \"configurations\": []}")).getMessage());
        assertEquals("r.json: not a results.json: the file holds no JSON object", assertThrows(ConfigException.class,
                () -> read("[1, 2]")).getMessage());
        ConfigException version = assertThrows(ConfigException.class, () -> read("{\"formatVersion\": 2, \"configurations\": []}"));
        assertEquals("r.json: formatVersion: this release reads format version 1, got 2", version.getMessage());
        // null where the reports read an object (a NullPointerException in them before)
        String config = "{\"formatVersion\": 1, \"configurations\": [{\"name\": \"a\", \"seeds\": [1], \"metrics\": {}, %s}]%s}";
        assertEquals("r.json: configurations[0].transfer: not a results.json: expected an object, got null", assertThrows(
                ConfigException.class, () -> read(String.format(config, "\"transfer\": null", ""))).getMessage());
        assertEquals("r.json: configurations[0].transfer.like.auc.verdict: not a results.json: missing", assertThrows(
                ConfigException.class, () -> read(String.format(config, "\"transfer\": {\"like.auc\": {\"gain\": 0.1}}", "")))
                .getMessage());
        assertEquals("r.json: environment: not a results.json: expected an object, got null", assertThrows(ConfigException.class,
                () -> read(String.format(config, "\"singleTask\": {}", ", \"environment\": null"))).getMessage());
    }

    @Test
    void aVerdictReadBackIsEscapedInTheHtml() throws Exception {
        BenchmarkResults data = read("""
                {"formatVersion": 1, "suite": "s", "configurations": [{"name": "a", "seeds": [1], "metrics": {},
                 "transfer": {"like.auc": {"multi": 0.8, "single": 0.7, "gain": 0.1, "relativePercent": 14.3,
                   "verdict": "\\"><script>alert(1)</script>", "negativeTransfer": false}}}]}
                """);
        String html = HtmlReport.render(data, key -> true);
        org.junit.jupiter.api.Assertions.assertFalse(html.contains("<script>"), html);
        org.junit.jupiter.api.Assertions.assertTrue(html.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), html);
    }
}
