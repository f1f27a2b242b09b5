package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskweave.core.cli.TaskweaveCli;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.config.ExperimentConfig;
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
 * {@code taskweave tune} through the command line on small synthetic data: a grid over the
 * learning rate finds the one that trains, each trial's objective is the mean of its models'
 * validation metric, and best.yaml is the experiment with the winning setting.
 */
class TuneEndToEndTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {}

    private Run tune(Path config, Path output, String... more) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("--plugins", Dist.plugins().toString(), "tune", "--config", config.toString()));
        if (output != null) {
            args.addAll(List.of("--output", output.toString()));
        }
        args.addAll(List.of(more));
        int code = TaskweaveCli.run(args.toArray(String[]::new), new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));
        return new Run(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    }

    private void experiment() throws Exception {
        Files.writeString(tmp.resolve("experiment.yaml"), """
                seed: 3
                data: {type: synthetic, params: {users: 200, items: 80, meanInteractionsPerUser: 25}}
                features: {embeddingDim: 8}
                tasks:
                  - {name: rating, head: regression, label: rating, params: {tower: [8]}}
                  - {name: like, head: binary, label: rating, params: {tower: [8], threshold: 4.0}}
                sharing: {type: shared-bottom, params: {layers: [16]}}
                weighting: {type: fixed}
                optimizer: {learningRate: 0.001}
                training: {batchSize: 128, epochs: 3, progressBar: false}
                """);
    }

    @Test
    void gridFindsTheLearningRateThatTrains() throws Exception {
        experiment();
        Files.writeString(tmp.resolve("tune.yaml"), """
                name: rate
                description: a learning rate too small to train against a usual one
                experiment: experiment.yaml
                objective: valid.rating.rmse
                seeds: [4, 5]
                confirm: {seeds: [6, 7]}
                parameters:
                  optimizer.learningRate: [0.00001, 0.01]
                  tasks.like.weight: [0.5]
                """);
        Path out = tmp.resolve("tuned");
        Run run = tune(tmp.resolve("tune.yaml"), out);
        assertEquals(0, run.code(), run.err() + run.out());
        assertTrue(run.out().contains("2 trials of"), run.out());
        assertTrue(run.out().contains("[trial 1/2] optimizer.learningRate=1.0E-5, tasks.like.weight=0.5: valid.rating.rmse"), run.out());
        assertTrue(run.out().contains("[trial 2/2]"), run.out());

        ObjectMapper json = new ObjectMapper();
        JsonNode results = json.readTree(out.resolve("tune.json").toFile());
        assertEquals("rate", results.get("name").asText());
        assertEquals("minimize", results.get("goal").asText());
        assertEquals("grid", results.get("search").asText());
        assertEquals(2, results.get("trials").size());
        double[] objectives = new double[2];
        for (int t = 0; t < 2; t++) {
            JsonNode trial = results.get("trials").get(t);
            assertEquals(t + 1, trial.get("trial").asInt());
            assertEquals(2, trial.get("values").size());
            // each value is the validation RMSE its model wrote, and the objective is their mean
            double sum = 0;
            for (int s = 0; s < 2; s++) {
                String model = trial.get("models").get(s).asText();
                assertEquals(String.format("trials/trial-%03d/seed-%d", t + 1, 4 + s), model);
                double written = json.readTree(out.resolve(model).resolve("metrics.json").toFile()).at("/valid/rating/rmse").asDouble();
                assertEquals(written, trial.get("values").get(s).asDouble(), 0);
                sum += written;
            }
            objectives[t] = trial.get("objective").asDouble();
            assertEquals(sum / 2, objectives[t], 1e-12);
            assertEquals(objectives[t], trial.get("valid").get("rating.rmse").asDouble(), 1e-12);
            assertTrue(trial.get("valid").has("like.auc"), trial.toString());
        }
        // 1e-5 for three epochs leaves the model near its start; 0.01 trains it
        assertTrue(objectives[1] < objectives[0] - 0.05, "rmse " + objectives[0] + " then " + objectives[1]);
        assertEquals(2, results.get("best").get("trial").asInt());
        assertEquals(0.01, results.get("best").get("parameters").get("optimizer.learningRate").asDouble());
        assertEquals(objectives[1], results.get("best").get("objective").asDouble(), 0);

        // best.yaml is the experiment with the best trial's settings and the experiment's own seed
        ExperimentConfig best = new ConfigLoader().load(out.resolve("best.yaml"));
        assertEquals(0.01, best.optimizer.learningRate);
        assertEquals(0.5, best.task("like").weight);
        assertEquals(3L, best.seed);
        // which seeds gave the objective, since the file trains with another
        assertTrue(Files.readString(out.resolve("best.yaml")).contains("# The objective is the mean over training seeds 4, 5; this file"
                + " keeps the experiment's seed, 3.\n"), Files.readString(out.resolve("best.yaml")));
        assertEquals("shared-bottom", best.sharing.type);
        // the confirmation: the experiment as written (rate 0.001, like weight 1) against the best
        // trial's settings, on fresh seeds, compared on test metrics
        assertTrue(run.out().contains("[confirm] the experiment as written against trial 2, seeds [6, 7]"), run.out());
        JsonNode confirmation = results.get("confirmation");
        assertEquals(List.of(6L, 7L), List.of(confirmation.get("seeds").get(0).asLong(), confirmation.get("seeds").get(1).asLong()));
        double[] baseline = new double[2];
        double[] chosen = new double[2];
        for (int s = 0; s < 2; s++) {
            baseline[s] = json.readTree(out.resolve("confirm/baseline/seed-" + (6 + s)).resolve("metrics.json").toFile())
                    .at("/test/rating/rmse").asDouble();
            chosen[s] = json.readTree(out.resolve("confirm/best/seed-" + (6 + s)).resolve("metrics.json").toFile())
                    .at("/test/rating/rmse").asDouble();
            assertEquals(baseline[s], confirmation.get("baseline").get("rating.rmse").get("values").get(s).asDouble(), 0);
            assertEquals(chosen[s], confirmation.get("best").get("rating.rmse").get("values").get(s).asDouble(), 0);
        }
        assertEquals(0.001, new ConfigLoader().load(out.resolve("confirm/baseline/seed-6/experiment.yaml")).optimizer.learningRate);
        assertEquals(0.01, new ConfigLoader().load(out.resolve("confirm/best/seed-6/experiment.yaml")).optimizer.learningRate);
        JsonNode rmse = confirmation.get("comparison").get("rating.rmse");
        double gain = (baseline[0] + baseline[1]) / 2 - (chosen[0] + chosen[1]) / 2;
        assertEquals(gain, rmse.get("gain").asDouble(), 1e-12, "lower RMSE is a gain");
        double noise = Math.max(confirmation.get("baseline").get("rating.rmse").get("std").asDouble(),
                confirmation.get("best").get("rating.rmse").get("std").asDouble());
        assertEquals(gain > noise ? "better" : -gain > noise ? "worse" : "tie", rmse.get("verdict").asText());
        assertTrue(confirmation.get("comparison").has("rating.rmse@test_cold_user"), confirmation.get("comparison").toString());
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("## Confirmation on fresh seeds"), report);
        assertTrue(report.contains("| rating.rmse | "), report);
        assertTrue(report.contains("| 1 | 2 | 0.01 | 0.5 | "), report);
        assertTrue(report.contains("| 2 | 1 | 1.0E-5 | 0.5 | "), report);
    }

    @Test
    void aBestTrialThatIsTheExperimentAsWrittenIsConfirmedWithoutTrainingItTwice() throws Exception {
        experiment();
        // the experiment's own rate (0.001) against a rate too small to train: the first is best, and is the experiment
        Files.writeString(tmp.resolve("tune.yaml"), """
                experiment: experiment.yaml
                objective: valid.rating.rmse
                confirm: {seeds: [6]}
                parameters:
                  optimizer.learningRate: [0.001, 0.00001]
                """);
        Path out = tmp.resolve("tuned-same");
        Run run = tune(tmp.resolve("tune.yaml"), out);
        assertEquals(0, run.code(), run.err() + run.out());
        assertTrue(run.out().contains("[confirm] trial 1's settings are the experiment as written: trained once per seed,"
                + " compared with itself"), run.out());
        assertTrue(Files.isDirectory(out.resolve("confirm/baseline/seed-6")));
        assertFalse(Files.exists(out.resolve("confirm/best")), "nothing trained twice");
        JsonNode confirmation = new ObjectMapper().readTree(out.resolve("tune.json").toFile()).get("confirmation");
        assertEquals(confirmation.get("baselineModels"), confirmation.get("bestModels"));
        confirmation.get("comparison").forEach(c -> assertFalse(List.of("better", "worse").contains(c.get("verdict").asText()),
                c.toString()));
        assertTrue(confirmation.get("comparison").get("rating.rmse").get("verdict").asText().equals("tie"), confirmation.toString());
    }

    @Test
    void aFormulaObjectiveWeighsSeveralTasks() throws Exception {
        experiment();
        Files.writeString(tmp.resolve("tune.yaml"), """
                experiment: experiment.yaml
                objective: like.auc - 0.5 * rating.rmse
                goal: maximize
                parameters:
                  optimizer.learningRate: [0.00001, 0.01]
                """);
        Path out = tmp.resolve("tuned");
        Run run = tune(tmp.resolve("tune.yaml"), out);
        assertEquals(0, run.code(), run.err() + run.out());
        ObjectMapper json = new ObjectMapper();
        JsonNode results = json.readTree(out.resolve("tune.json").toFile());
        assertEquals("like.auc - 0.5 * rating.rmse", results.get("objective").asText());
        assertEquals("maximize", results.get("goal").asText());
        for (int t = 0; t < 2; t++) {
            JsonNode trial = results.get("trials").get(t);
            JsonNode valid = json.readTree(out.resolve(trial.get("models").get(0).asText()).resolve("metrics.json").toFile()).get("valid");
            double expected = valid.at("/like/auc").asDouble() - 0.5 * valid.at("/rating/rmse").asDouble();
            assertEquals(expected, trial.get("objective").asDouble(), 1e-12);
        }
        assertEquals(2, results.get("best").get("trial").asInt());
        assertTrue(results.get("trials").get(1).get("objective").asDouble() > results.get("trials").get(0).get("objective").asDouble());
    }

    @Test
    void aDivergedTrialIsRecordedWithoutAnObjectiveAndIsNeverBest() throws Exception {
        experiment();
        Files.writeString(tmp.resolve("tune.yaml"), """
                experiment: experiment.yaml
                objective: valid.rating.rmse
                parameters:
                  optimizer.learningRate: [1.0e+30, 0.01]
                """);
        Path out = tmp.resolve("tuned");
        Run run = tune(tmp.resolve("tune.yaml"), out);
        assertEquals(0, run.code(), run.err() + run.out());
        assertTrue(run.out().contains("[trial 1/2] optimizer.learningRate=1.0E30: valid.rating.rmse not finite on seed 3 (diverged?), ranked last "
                + "(best -, trial -)"),
                run.out());
        JsonNode results = new ObjectMapper().readTree(out.resolve("tune.json").toFile());
        JsonNode diverged = results.get("trials").get(0);
        assertTrue(diverged.has("objective") && diverged.get("objective").isNull(), diverged.toString());
        assertTrue(diverged.get("values").get(0).isNull(), diverged.toString());
        assertTrue(diverged.get("valid").get("rating.rmse").isNull(), diverged.toString());
        assertEquals(2, results.get("best").get("trial").asInt());
        assertTrue(Files.readString(out.resolve("report.md")).contains("| 2 | 1 | 1.0E30 | not finite on seed 3 (diverged?), ranked last |"));

        // a later search into the same output in which no trial is measured leaves no best.yaml of the earlier one
        assertTrue(Files.exists(out.resolve("best.yaml")));
        Files.writeString(tmp.resolve("tune.yaml"), """
                experiment: experiment.yaml
                objective: valid.rating.rmse
                parameters:
                  optimizer.learningRate: [1.0e+30]
                """);
        assertTrue(Files.isDirectory(out.resolve("trials/trial-002")));
        Run none = tune(tmp.resolve("tune.yaml"), out);
        assertEquals(0, none.code(), none.err() + none.out());
        assertTrue(none.out().contains("no trial measured the objective: no best.yaml"), none.out());
        assertFalse(Files.exists(out.resolve("best.yaml")));
        // the earlier search's trial beyond this one's single trial is gone with its results, said in the log
        assertFalse(Files.exists(out.resolve("trials/trial-002")), "no trial of the earlier search is left beside this one's");
        assertTrue(none.out().contains("held an earlier search: its results and the trials beyond this search's 1 are removed"),
                none.out());
    }

    @Test
    void anOutputHoldingFilesTuneDidNotWriteIsRefusedBeforeAnyTrial() throws Exception {
        experiment();
        Files.writeString(tmp.resolve("tune.yaml"), """
                experiment: experiment.yaml
                objective: valid.rating.rmse
                seeds: [4]
                parameters:
                  optimizer.learningRate: [0.003]
                """);
        Path out = Files.createDirectories(tmp.resolve("project"));
        Files.writeString(out.resolve("best.yaml"), "seed: 1\n");
        for (String resume : new String[] {null, "--resume"}) {
            Run r = resume == null ? tune(tmp.resolve("tune.yaml"), out) : tune(tmp.resolve("tune.yaml"), out, resume);
            assertEquals(TaskweaveCli.BAD_INPUT, r.code(), r.err() + r.out());
            assertEquals("taskweave: " + out.resolve("best.yaml") + ": --output: was not written by taskweave tune (expected a file that"
                    + " begins with \"# taskweave tune:\"), and taskweave tune writes tune.json, report.md, best.yaml there, replacing"
                    + " what is there; name another directory, or move the file", r.err().strip());
        }
        assertEquals("seed: 1\n", Files.readString(out.resolve("best.yaml")));
        assertFalse(Files.exists(out.resolve("trials")), "refused before any trial");
        // --dry-run writes nothing, so it runs
        assertEquals(0, tune(tmp.resolve("tune.yaml"), out, "--dry-run").code());
        // a benchmark's report.md is not tune's either
        Files.delete(out.resolve("best.yaml"));
        Files.writeString(out.resolve("report.md"), "# Benchmark: tiny (quick mode)\n");
        Run bench = tune(tmp.resolve("tune.yaml"), out);
        assertTrue(bench.err().startsWith("taskweave: " + out.resolve("report.md") + ": --output: was not written by taskweave tune"
                + " (expected a file that begins with \"# Tuning:\")"), bench.err());
    }

    @Test
    void resumeReusesTheModelsOfTheSameSettingsAndRefusesOthers() throws Exception {
        experiment();
        String tune = """
                experiment: experiment.yaml
                objective: valid.like.auc
                seeds: [4, 5]
                parameters:
                  optimizer.learningRate: [0.003, 0.01]
                """;
        Files.writeString(tmp.resolve("tune.yaml"), tune);
        Path out = tmp.resolve("tuned");
        Run first = tune(tmp.resolve("tune.yaml"), out);
        assertEquals(0, first.code(), first.err() + first.out());
        JsonNode complete = new ObjectMapper().readTree(out.resolve("tune.json").toFile());
        // an interrupted search: the second trial's second seed and the results never written
        Path trial2seed5 = out.resolve("trials/trial-002/seed-5");
        Files.walk(trial2seed5).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        Files.delete(out.resolve("tune.json"));
        java.nio.file.attribute.FileTime written = Files.getLastModifiedTime(out.resolve("trials/trial-001/seed-4/model.json"));

        Run resumed = tune(tmp.resolve("tune.yaml"), out, "--resume");
        assertEquals(0, resumed.code(), resumed.err() + resumed.out());
        assertTrue(resumed.out().contains("[trial 1/2] optimizer.learningRate=0.003: valid.like.auc"), resumed.out());
        assertTrue(resumed.out().matches("(?s).*\\[trial 1/2\\][^\n]*, resumed\n.*"), resumed.out());
        assertTrue(resumed.out().matches("(?s).*\\[trial 2/2\\][^\n]*, 1 of its seeds resumed\n.*"), resumed.out());
        assertEquals(written, Files.getLastModifiedTime(out.resolve("trials/trial-001/seed-4/model.json")), "not trained again");
        assertTrue(Files.exists(trial2seed5.resolve("model.json")), "the missing model is trained");
        JsonNode again = new ObjectMapper().readTree(out.resolve("tune.json").toFile());
        for (int t = 0; t < 2; t++) {
            // the same seed trains the same model, so the resumed search measures what the whole one did
            assertEquals(complete.get("trials").get(t).get("values"), again.get("trials").get(t).get("values"));
        }
        assertEquals(complete.get("best").get("trial"), again.get("best").get("trial"));

        // the same output with other settings is refused, naming the directory
        Files.writeString(tmp.resolve("tune.yaml"), tune.replace("[0.003, 0.01]", "[0.002, 0.01]"));
        Run other = tune(tmp.resolve("tune.yaml"), out, "--resume");
        assertEquals(TaskweaveCli.BAD_INPUT, other.code(), other.out());
        assertTrue(other.err().contains("trial-001" + java.io.File.separator + "seed-4: holds a model of other settings"), other.err());
    }

    @Test
    void aSearchStoppedByItsTimeLimitGoesOnWhereItStopped() throws Exception {
        experiment();
        Files.writeString(tmp.resolve("tune.yaml"), """
                experiment: experiment.yaml
                objective: valid.rating.rmse
                seeds: [4]
                parameters:
                  optimizer.learningRate: [0.003, 0.01]
                """);
        Run whole = tune(tmp.resolve("tune.yaml"), tmp.resolve("whole"));
        assertEquals(0, whole.code(), whole.err() + whole.out());

        // a time limit of zero stops each call after one epoch; --resume goes on from the checkpoint
        Path out = tmp.resolve("stopped");
        int calls = 0;
        Run r;
        do {
            calls++;
            r = calls == 1 ? tune(tmp.resolve("tune.yaml"), out, "--max-time", "0s")
                    : tune(tmp.resolve("tune.yaml"), out, "--max-time", "0s", "--resume");
            assertTrue(r.code() == 0 || r.code() == TaskweaveCli.SUSPENDED, r.err() + r.out());
            if (calls == 1) {
                // the same command without --resume is refused before anything trains, not when trial 1 is reached again
                Run again = tune(tmp.resolve("tune.yaml"), out);
                assertEquals(2, again.code(), again.err() + again.out());
                assertTrue(again.err().contains("--output " + out + ": " + out.resolve("trials/trial-001/seed-4.checkpoint")
                        + " holds the checkpoint of an interrupted run: pass --resume"), again.err());
                assertFalse(again.out().contains("[trial 1/2]"), again.out());
            }
        } while (r.code() != 0 && calls < 10);
        assertEquals(0, r.code(), r.err());
        // two trials of three epochs, one epoch per call (the call that finishes trial 1 also
        // trains trial 2's first epoch)
        assertEquals(5, calls);
        assertTrue(r.out().contains("going on from " + out.resolve("trials/trial-002/seed-4.checkpoint")), r.out());
        ObjectMapper json = new ObjectMapper();
        JsonNode a = json.readTree(tmp.resolve("whole/tune.json").toFile());
        JsonNode b = json.readTree(out.resolve("tune.json").toFile());
        for (int t = 0; t < 2; t++) {
            assertEquals(a.get("trials").get(t).get("values"), b.get("trials").get(t).get("values"));
            assertEquals(a.get("trials").get(t).get("valid"), b.get("trials").get(t).get("valid"));
        }
        assertEquals(a.get("best"), b.get("best"));
    }

    @Test
    void dryRunPrintsTheTrialsAndTrainsNothing() throws Exception {
        experiment();
        Files.writeString(tmp.resolve("tune.yaml"), """
                experiment: experiment.yaml
                objective: valid.like.auc
                confirm: {seeds: [8, 9]}
                parameters:
                  optimizer.learningRate: [0.003, 0.01]
                  tasks.like.params.tower: [[8], [16, 8]]
                """);
        // no --output: a dry run writes nothing
        Run run = tune(tmp.resolve("tune.yaml"), null, "--dry-run");
        assertEquals(0, run.code(), run.err() + run.out());
        assertTrue(run.out().contains("4 trials of"), run.out());
        assertTrue(run.out().contains("[trial 1/4] optimizer.learningRate=0.003, tasks.like.params.tower=[8]\n"), run.out());
        assertTrue(run.out().contains("[trial 4/4] optimizer.learningRate=0.01, tasks.like.params.tower=[16,8]\n"), run.out());
        assertTrue(run.out().contains("[confirm] the experiment as written against the best trial, seeds [8, 9]"), run.out());
        Path out = tmp.resolve("never");
        assertEquals(0, tune(tmp.resolve("tune.yaml"), out, "--dry-run").code());
        assertTrue(!Files.exists(out), "nothing written");
        // without --dry-run, --output is required, and that is a usage error before anything starts
        Run missing = tune(tmp.resolve("tune.yaml"), null);
        assertEquals(2, missing.code(), missing.err() + missing.out());
        assertTrue(missing.err().contains("Missing required option: '--output=DIR' (only --dry-run runs without it)"), missing.err());
        assertFalse(missing.out().contains("trials of"), missing.out());
    }

    /**
     * A sharing strategy's params searched beside another sharing.type are checked with that type: the quickstart's MMoE
     * does not know shared-bottom's layers (before: "the value [64] does not fit …/quickstart.yaml: sharing.params.layers:
     * unknown field 'layers'").
     */
    @Test
    void paramsSearchedBesideAnotherTypeAreCheckedWithIt() throws Exception {
        Files.copy(Dist.home().resolve("examples/quickstart.yaml"), tmp.resolve("quickstart.yaml"));
        String tune = """
                experiment: quickstart.yaml
                objective: valid.like.auc
                parameters:
                  sharing.type: %s
                  sharing.params.layers: [[64], [32]]
                """;
        Files.writeString(tmp.resolve("tt.yaml"), tune.formatted("[shared-bottom]"));
        Run run = tune(tmp.resolve("tt.yaml"), null, "--dry-run");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("sharing.type=shared-bottom, sharing.params.layers=[32]"), run.out());
        // with the experiment's own type the layers fit neither
        Files.writeString(tmp.resolve("tt.yaml"), tune.formatted("[mmoe]"));
        run = tune(tmp.resolve("tt.yaml"), null, "--dry-run");
        assertEquals(TaskweaveCli.BAD_INPUT, run.code(), run.out());
        assertTrue(run.err().startsWith("taskweave: " + tmp.resolve("tt.yaml") + ":5: parameters.sharing.params.layers: the value [64]"
                + " does not fit " + tmp.resolve("quickstart.yaml") + " with sharing.type=mmoe: "), run.err());
        assertTrue(run.err().contains("sharing.params.layers: unknown field 'layers'"), run.err());
        // a grid of both types combines the layers with MMoE too: the trial is refused, by its settings
        Files.writeString(tmp.resolve("tt.yaml"), tune.formatted("[shared-bottom, mmoe]"));
        run = tune(tmp.resolve("tt.yaml"), null, "--dry-run");
        assertEquals(TaskweaveCli.BAD_INPUT, run.code(), run.out());
        assertTrue(run.err().contains("parameters: trial 3 (sharing.type=mmoe, sharing.params.layers=[64], seed 42) does not fit"),
                run.err());
    }

    @Test
    void aBadSettingStopsBeforeAnythingTrains() throws Exception {
        experiment();
        Files.writeString(tmp.resolve("tune.yaml"), """
                experiment: experiment.yaml
                objective: valid.like.auc
                search: random
                trials: 4
                parameters:
                  optimizer.learningRate: {min: 0.001, max: 0.01, log: true}
                  sharing.params.layers: [[16], [0]]
                """);
        Path out = tmp.resolve("never");
        Run run = tune(tmp.resolve("tune.yaml"), out);
        assertEquals(TaskweaveCli.BAD_INPUT, run.code(), run.out());
        assertTrue(run.err().contains("tune.yaml:7: parameters.sharing.params.layers: the value [0] does not fit"), run.err());
        assertTrue(run.err().contains("sharing.params.layers[0]: expected a layer width >= 1, got 0"), run.err());
        assertTrue(!Files.exists(out.resolve("trials")), "nothing trained");
    }
}
