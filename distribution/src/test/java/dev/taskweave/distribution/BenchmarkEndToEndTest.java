package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskweave.bench.BenchmarkRunner;
import dev.taskweave.bench.Suite;
import dev.taskweave.core.Taskweave;
import dev.taskweave.core.cli.TaskweaveCli;
import dev.taskweave.core.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code taskweave benchmark --quick} on a small synthetic suite, through the command line: the
 * three outputs, the documented results.json shape, single-task counterparts and verdicts.
 */
class BenchmarkEndToEndTest {
    @TempDir
    Path tmp;

    @Test
    void quickSuiteWritesResultsAndReports() throws Exception {
        Files.writeString(tmp.resolve("experiment.yaml"), """
                seed: 3
                data: {type: synthetic, params: {users: 200, items: 80, meanInteractionsPerUser: 25}}
                features: {embeddingDim: 8}
                tasks:
                  - {name: rating, head: regression, label: rating, params: {tower: [8]}}
                  - {name: like, head: binary, label: rating, params: {tower: [8], threshold: 4.0}}
                sharing: {type: mmoe, params: {experts: 2, expertLayers: [16]}}
                weighting: {type: equal}
                optimizer: {learningRate: 0.01}
                training: {batchSize: 128, epochs: 6, progressBar: false, earlyStopping: {metric: valid.rating.rmse}}
                """);
        Files.writeString(tmp.resolve("suite.yaml"), """
                name: tiny
                description: two tasks, two sharing strategies
                seeds: [4, 5, 6]
                quick: {seeds: 1, epochs: 2}
                singleTask: {earlyStopping: {like: valid.like.auc}}
                configurations:
                  - {name: mmoe, experiment: experiment.yaml}
                  - name: shared-bottom
                    experiment: experiment.yaml
                    singleTask: false
                    overrides: {sharing: {type: shared-bottom, params: {layers: [16]}}}
                """);
        Path out = tmp.resolve("bench");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = TaskweaveCli.run(new String[] {"--plugins", Dist.plugins().toString(), "benchmark", "--suite",
                tmp.resolve("suite.yaml").toString(), "--output", out.toString(), "--quick"},
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        String printed = stdout.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, stderr.toString(StandardCharsets.UTF_8) + printed);
        assertTrue(printed.contains("[mmoe] seed 4: training like alone"), printed);

        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals("tiny", results.get("suite").asText());
        assertEquals("quick", results.get("mode").asText());
        assertEquals(2, results.get("configurations").size());
        JsonNode mmoe = results.get("configurations").get(0);
        assertEquals("mmoe", mmoe.get("name").asText());
        assertEquals(List.of(4L), longs(mmoe.get("seeds")));
        JsonNode rmse = mmoe.get("metrics").get("rating.rmse");
        assertEquals(1, rmse.get("values").size());
        assertEquals(rmse.get("values").get(0).asDouble(), rmse.get("mean").asDouble(), 0);
        assertEquals(0.0, rmse.get("std").asDouble(), 0);
        assertTrue(mmoe.get("metrics").has("rating.rmse@test_cold_user"), mmoe.get("metrics").toString());
        // each task's single-task model reports that task only, and every shared key gets a verdict
        assertTrue(mmoe.get("singleTask").has("rating.rmse") && mmoe.get("singleTask").has("like.auc"), mmoe.get("singleTask").toString());
        mmoe.get("singleTask").fieldNames().forEachRemaining(k -> assertTrue(k.startsWith("rating.") || k.startsWith("like."), k));
        JsonNode verdict = mmoe.get("transfer").get("rating.rmse");
        assertEquals(mmoe.get("singleTask").get("rating.rmse").get("mean").asDouble() - rmse.get("mean").asDouble(),
                verdict.get("gain").asDouble(), 1e-12);
        // quick mode has one seed: no standard deviation, no verdict but a tie of equal values
        assertTrue(List.of("one seed", "tie").contains(verdict.get("verdict").asText()), verdict.toString());
        assertFalse(verdict.get("negativeTransfer").asBoolean());
        assertTrue(mmoe.get("samplesPerSecond").asDouble() > 0 && mmoe.get("trainSeconds").asDouble() > 0);
        // batches of 128 rows train on one PyTorch thread (training.threads: 0), whatever the engine's count
        assertEquals(1, mmoe.get("threads").asInt(), mmoe.toString());
        // quick mode caps the epochs
        assertTrue(mmoe.get("epochs").asDouble() <= 2, mmoe.toString());
        assertEquals(2, mmoe.get("curves").get("trainLoss").get("rating").size());
        assertEquals(2, mmoe.get("curves").get("gateUsage").size());
        JsonNode sb = results.get("configurations").get(1);
        assertEquals("shared-bottom", sb.get("sharing").asText());
        assertEquals(0, sb.get("singleTask").size());

        assertTrue(Files.isRegularFile(out.resolve("runs/mmoe/seed-4/model.json")));
        assertTrue(Files.isRegularFile(out.resolve("runs/mmoe/single-like/seed-4/model.json")));
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("# Benchmark: tiny (quick mode)") && md.contains("## Multi-task versus single-task: mmoe"), md);
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("data:image/png;base64,") && html.endsWith("</html>\n"), "html report");

        // the reports can be rendered again from results.json alone, identically
        Path again = tmp.resolve("again");
        int rerender = TaskweaveCli.run(new String[] {"--plugins", Dist.plugins().toString(), "benchmark", "--results",
                out.resolve("results.json").toString(), "--output", again.toString()},
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        assertEquals(0, rerender, stderr.toString(StandardCharsets.UTF_8));
        assertEquals(md, Files.readString(again.resolve("report.md")));
        assertEquals(results, new ObjectMapper().readTree(again.resolve("results.json").toFile()));
        // --results trains nothing: options that steer trainings are refused, not ignored; an output
        // that is a file is named (before: an internal error from deleting the reports inside it)
        CliTest.Run quickToo = CliTest.run("benchmark", "--results", out.resolve("results.json").toString(), "--output", again.toString(),
                "--quick");
        assertEquals(TaskweaveCli.BAD_INPUT, quickToo.code(), quickToo.err());
        assertEquals("taskweave: --quick: steers trainings, and --results trains nothing; leave it out", quickToo.err().strip());
        CliTest.Run intoFile = CliTest.run("benchmark", "--results", out.resolve("results.json").toString(), "--output",
                out.resolve("results.json").toString());
        assertEquals(TaskweaveCli.BAD_INPUT, intoFile.code(), intoFile.err());
        assertEquals("taskweave: " + out.resolve("results.json") + ": --output: is a file; expected a directory for results.json and the"
                + " reports", intoFile.err().strip());

        // its own files are replaced; a user's report.md, or a directory in place of a report, is refused, and kept
        CliTest.Run twice = CliTest.run("benchmark", "--results", out.resolve("results.json").toString(), "--output", again.toString());
        assertEquals(0, twice.code(), twice.err());
        Path notes = Files.createDirectories(tmp.resolve("notes"));
        Files.writeString(notes.resolve("report.md"), "# My notes\n");
        CliTest.Run mine = CliTest.run("benchmark", "--results", out.resolve("results.json").toString(), "--output", notes.toString());
        assertEquals(TaskweaveCli.BAD_INPUT, mine.code(), mine.err());
        assertEquals("taskweave: " + notes.resolve("report.md") + ": --output: was not written by taskweave benchmark (expected a file"
                + " that begins with \"# Benchmark:\"), and taskweave benchmark writes results.json, report.md, report.html there,"
                + " replacing what is there; name another directory, or move the file", mine.err().strip());
        assertEquals("# My notes\n", Files.readString(notes.resolve("report.md")));
        assertFalse(Files.exists(notes.resolve("results.json")), "nothing written");
        Files.delete(notes.resolve("report.md"));
        Files.writeString(notes.resolve("results.json"), "{\"accuracy\": 1}\n");
        CliTest.Run json = CliTest.run("benchmark", "--results", out.resolve("results.json").toString(), "--output", notes.toString());
        assertEquals(TaskweaveCli.BAD_INPUT, json.code(), json.err());
        assertTrue(json.err().startsWith("taskweave: " + notes.resolve("results.json") + ": --output: was not written by taskweave"
                + " benchmark (expected a JSON object with \"formatVersion\" and \"configurations\")"), json.err());
        Files.delete(notes.resolve("results.json"));
        Files.createDirectories(notes.resolve("report.html"));
        CliTest.Run dir = CliTest.run("benchmark", "--results", out.resolve("results.json").toString(), "--output", notes.toString());
        assertEquals(TaskweaveCli.BAD_INPUT, dir.code(), dir.err());
        assertTrue(dir.err().startsWith("taskweave: " + notes.resolve("report.html") + ": --output: is a directory, and"), dir.err());
    }

    @Test
    void aDivergedConfigurationIsMarkedNotDropped() throws Exception {
        Files.writeString(tmp.resolve("experiment.yaml"), """
                seed: 3
                data: {type: synthetic, params: {users: 200, items: 80, meanInteractionsPerUser: 25}}
                features: {embeddingDim: 8}
                tasks:
                  - {name: rating, head: regression, label: rating, params: {tower: [8]}}
                  - {name: like, head: binary, label: rating, params: {tower: [8], threshold: 4.0}, metrics: [auc, logloss]}
                sharing: {type: shared-bottom, params: {layers: [16]}}
                weighting: {type: equal}
                optimizer: {learningRate: 1.0e+30}
                training: {batchSize: 128, epochs: 1, progressBar: false}
                """);
        Files.writeString(tmp.resolve("suite.yaml"), """
                name: diverging
                seeds: [1, 2]
                configurations:
                  - {name: diverged, experiment: experiment.yaml, singleTask: false}
                """);
        Path out = tmp.resolve("bench");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = TaskweaveCli.run(new String[] {"--plugins", Dist.plugins().toString(), "benchmark", "--suite",
                tmp.resolve("suite.yaml").toString(), "--output", out.toString()},
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        String printed = stdout.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, stderr.toString(StandardCharsets.UTF_8) + printed);
        assertTrue(printed.contains("[diverged] seed 2: not finite (NaN: a diverged run, or a metric undefined on its split): rating.rmse, rating.mae, like.auc, like.logloss"),
                printed);
        // every key is there, one null per seed, and no mean or std
        JsonNode metrics = new ObjectMapper().readTree(out.resolve("results.json").toFile()).get("configurations").get(0).get("metrics");
        for (String key : List.of("rating.rmse", "rating.mae", "like.auc", "like.logloss")) {
            JsonNode m = metrics.get(key);
            assertTrue(m != null && m.get("mean").isNull() && m.get("std").isNull(), key + ": " + metrics);
            assertEquals(2, m.get("values").size(), key);
            assertTrue(m.get("values").get(0).isNull() && m.get("values").get(1).isNull(), key + ": " + m);
        }
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("| rating.rmse ↓ | n/a (not finite on seeds 1, 2) |"), md);
        assertTrue(md.contains("| like.logloss ↓ | n/a (not finite on seeds 1, 2) |"), md);
        assertTrue(md.contains("n/a: not measured, because the value of the seeds named is not finite"), md);
        assertTrue(Files.readString(out.resolve("report.html")).contains("<td class=\"worse\">n/a (not finite on seeds 1, 2)</td>"),
                "html report");
    }

    @Test
    void aStoppedBenchmarkGoesOnWhereItStoppedAndEndsWithTheSameResults() throws Exception {
        String experiment = """
                seed: 3
                data: {type: synthetic, params: {users: 150, items: 60, meanInteractionsPerUser: 20}}
                features: {embeddingDim: 8}
                tasks:
                  - {name: rating, head: regression, label: rating, params: {tower: [8]}}
                  - {name: like, head: binary, label: rating, params: {tower: [8], threshold: 4.0}}
                sharing: {type: mmoe, params: {experts: 2, expertLayers: [16], dropout: 0.1}}
                weighting: {type: equal}
                optimizer: {learningRate: 0.01}
                training: {batchSize: 128, epochs: 6, progressBar: false}
                """;
        Files.writeString(tmp.resolve("experiment.yaml"), experiment);
        Files.writeString(tmp.resolve("suite.yaml"), """
                name: stop-and-go
                seeds: [4, 5]
                quick: {seeds: 1, epochs: 2}
                configurations:
                  - {name: mmoe, experiment: experiment.yaml}
                """);
        String suite = tmp.resolve("suite.yaml").toString();
        Path whole = tmp.resolve("whole");
        CliTest.Run uninterrupted = CliTest.run("benchmark", "--suite", suite, "--output", whole.toString(), "--quick");
        assertEquals(0, uninterrupted.code(), uninterrupted.err());

        // a time limit of zero stops each call after one epoch; --resume reads back the finished
        // runs (the multi-task model, then each task alone) and goes on with the stopped one
        Path stopped = tmp.resolve("stopped");
        int calls = 0;
        CliTest.Run r;
        do {
            calls++;
            r = calls == 1 ? CliTest.run("benchmark", "--suite", suite, "--output", stopped.toString(), "--quick", "--max-time", "0s")
                    : CliTest.run("benchmark", "--suite", suite, "--output", stopped.toString(), "--quick", "--max-time", "0s", "--resume");
            assertTrue(r.code() == 0 || r.code() == TaskweaveCli.SUSPENDED, r.err() + r.out());
            if (r.code() == TaskweaveCli.SUSPENDED) {
                assertTrue(r.out().contains("benchmark stopped: the time limit ran out after epoch 1 of 2"), r.out());
                assertTrue(Files.notExists(stopped.resolve("results.json")));
            }
        } while (r.code() != 0 && calls < 10);
        assertEquals(0, r.code(), r.err());
        // three runs of two epochs, one epoch per call, each call but the first finishing a run
        assertEquals(4, calls);
        assertTrue(r.out().contains("finished before: read back from " + stopped.resolve("runs/mmoe/seed-4")), r.out());
        JsonNode a = new ObjectMapper().readTree(whole.resolve("results.json").toFile()).get("configurations").get(0);
        JsonNode b = new ObjectMapper().readTree(stopped.resolve("results.json").toFile()).get("configurations").get(0);
        for (String field : List.of("metrics", "singleTask", "transfer", "curves", "epochs")) {
            assertEquals(a.get(field), b.get(field), field);
        }
        try (var files = Files.walk(stopped)) {
            assertTrue(files.noneMatch(f -> f.toString().endsWith(".checkpoint")), "every checkpoint is removed with its run's model");
        }

        // resuming into the output of other settings is refused, naming the run
        Files.writeString(tmp.resolve("experiment.yaml"), experiment.replace("learningRate: 0.01", "learningRate: 0.02"));
        CliTest.Run other = CliTest.run("benchmark", "--suite", suite, "--output", stopped.toString(), "--quick", "--resume");
        assertEquals(TaskweaveCli.BAD_INPUT, other.code(), other.out());
        assertTrue(other.err().contains("seed-4: holds a model of other settings than this run's"), other.err());
    }

    /**
     * Every experiment a suite trains is checked before the first trains: a value only the second
     * configuration (or a single-task counterpart) cannot take is refused at once, naming the
     * suite's configuration, not after hours of training and in the experiment file's terms.
     */
    @Test
    void everyExperimentOfASuiteIsCheckedBeforeAnyTrains() throws Exception {
        Files.writeString(tmp.resolve("experiment.yaml"), """
                data: {type: synthetic, params: {users: 100, items: 60, meanInteractionsPerUser: 20}}
                tasks:
                  - {name: rating, head: regression, label: rating}
                  - {name: like, head: binary, label: rating, params: {threshold: 4.0}}
                sharing: {type: shared-bottom, params: {layers: [8]}}
                training: {epochs: 2, progressBar: false}
                """);
        String good = "  - {name: ok, experiment: experiment.yaml}\n";
        CliRun bad = bench("configurations:\n" + good
                + "  - {name: bad, experiment: experiment.yaml, overrides: {sharing: {type: mmoe, params: {experts: 0}}}}\n");
        assertEquals(TaskweaveCli.BAD_INPUT, bad.code(), bad.out() + bad.err());
        assertFalse(bad.out().contains("training"), "nothing trained: " + bad.out());
        assertTrue(bad.err().contains("suite.yaml:5: configurations[1]: its experiment (seed 1), made of experiment.yaml with this"
                + " suite's settings, is refused: sharing.params.experts: expected an integer >= 1, got 0"), bad.err());
        // a counterpart's early stopping on the test split: refused before the multi-task model trains
        CliRun alone = bench("singleTask: {earlyStopping: {like: test.like.auc}}\nconfigurations:\n" + good);
        assertEquals(TaskweaveCli.BAD_INPUT, alone.code(), alone.out() + alone.err());
        assertFalse(alone.out().contains("training"), "nothing trained: " + alone.out());
        assertTrue(alone.err().contains("configurations[0]: the single-task counterpart of like (seed 1, with singleTask's settings"
                + " for it), made of experiment.yaml with this suite's settings, is refused: training.earlyStopping.metric:"), alone.err());
    }

    /** A finished run is read back by --resume only while the data reads the same: rerun on changed data, it trains again. */
    @Test
    void aResumedBenchmarkTrainsAgainWhatFinishedOnOtherData() throws Exception {
        FilesEndToEndTest.writeData(tmp);
        Files.writeString(tmp.resolve("experiment.yaml"), FilesEndToEndTest.CONFIG.replace("epochs: 8", "epochs: 1"));
        Files.writeString(tmp.resolve("suite.yaml"), "name: daily\nseeds: [1]\nconfigurations: [{name: a, experiment: experiment.yaml,"
                + " singleTask: false}]\n");
        String[] args = {"--plugins", Dist.plugins().toString(), "benchmark", "--suite", tmp.resolve("suite.yaml").toString(),
            "--output", tmp.resolve("bench").toString(), "--resume"};
        CliTest.Run first = CliTest.run(java.util.Arrays.copyOfRange(args, 2, args.length));
        assertEquals(0, first.code(), first.err());
        CliTest.Run same = CliTest.run(java.util.Arrays.copyOfRange(args, 2, args.length));
        assertEquals(0, same.code(), same.err());
        assertTrue(same.out().contains("finished before: read back from"), same.out());
        // a run killed after writing its model and before removing its checkpoint left it: the
        // resumed benchmark removes it (else every later benchmark into this output stops on it)
        Path left = tmp.resolve("bench/runs/a/seed-1.checkpoint");
        Files.writeString(left, "left by a killed run");
        CliTest.Run again = CliTest.run(java.util.Arrays.copyOfRange(args, 2, args.length));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("removing " + left + ", left from before the model was written"), again.out());
        assertFalse(Files.exists(left));
        // the next day's data: one rating changed
        List<String> rows = new ArrayList<>(Files.readAllLines(tmp.resolve("train.csv")));
        String[] row = rows.get(1).split(",");
        row[2] = Integer.toString(Integer.parseInt(row[2]) % 5 + 1);
        rows.set(1, String.join(",", row));
        Files.write(tmp.resolve("train.csv"), rows);
        CliTest.Run changed = CliTest.run(java.util.Arrays.copyOfRange(args, 2, args.length));
        assertEquals(0, changed.code(), changed.err());
        assertFalse(changed.out().contains("read back"), "trained again: " + changed.out());
        assertTrue(changed.out().contains("finished before, trained on other data: training again"), changed.out());
    }

    private CliRun bench(String suite) throws Exception {
        Files.writeString(tmp.resolve("suite.yaml"), "name: checked\nseeds: [1]\n" + suite);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = TaskweaveCli.run(new String[] {"--plugins", Dist.plugins().toString(), "benchmark", "--suite",
                tmp.resolve("suite.yaml").toString(), "--output", tmp.resolve("bench").toString()},
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        return new CliRun(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    }

    private record CliRun(int code, String out, String err) {}

    @Test
    void exampleSuitesLoad() throws Exception {
        List<Path> suites;
        try (var files = Files.list(Dist.home().resolve("examples"))) {
            suites = files.filter(f -> f.getFileName().toString().endsWith("-suite.yaml")).sorted().toList();
        }
        assertEquals(List.of("ml100k-catalogue-suite.yaml", "ml100k-distilled-sb-suite.yaml", "ml100k-distilled-suite.yaml", "ml100k-folds-suite.yaml", "ml100k-fresh-seeds-suite.yaml", "ml100k-suite.yaml", "ml100k-throughput-suite.yaml",
                "ml100k-u1-suite.yaml", "quickstart-suite.yaml", "shop-suite.yaml"), suites.stream().map(p -> p.getFileName().toString()).toList());
        try (Taskweave taskweave = Taskweave.start(List.of(Dist.plugins()))) {
            for (Path suite : suites) {
                Suite loaded = Suite.load(suite, new ConfigLoader());
                assertTrue(loaded.variants().size() >= 1, suite.toString());
                // every experiment each trains, counterparts included, passes the checks made before training
                new BenchmarkRunner(taskweave).checkExperiments(loaded, loaded.config().seeds, false);
            }
        }
        Suite shop = Suite.load(Dist.home().resolve("examples/shop-suite.yaml"), new ConfigLoader());
        assertEquals("files", shop.variants().get(0).experiment().data.type);
        assertEquals(5, shop.variants().get(0).experiment().tasks.size());
        Suite ml = Suite.load(Dist.home().resolve("examples/ml100k-suite.yaml"), new ConfigLoader());
        assertEquals("ple", ml.variants().get(2).experiment().sharing.type);
        assertEquals(4, ml.variants().get(0).experiment().tasks.size());
        Suite distilled = Suite.load(Dist.home().resolve("examples/ml100k-distilled-suite.yaml"), new ConfigLoader());
        assertEquals(5, distilled.variants().get(0).experiment().training.distillation.teachers);
        assertEquals(List.of("rating", "like", "interaction"), distilled.variants().get(0).experiment().training.distillation.tasks);
        // the recipe's teachers are shared-bottom copies; this suite's are MMoE copies, as the recipe's network
        assertEquals("shared-bottom", ((java.util.Map<?, ?>) ml.variants().get(0).experiment().training.distillation.teacher.get("sharing")).get("type"));
        assertEquals("mmoe", ((java.util.Map<?, ?>) distilled.variants().get(0).experiment().training.distillation.teacher.get("sharing")).get("type"));
    }

    private static List<Long> longs(JsonNode array) {
        List<Long> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asLong()));
        return values;
    }
}
