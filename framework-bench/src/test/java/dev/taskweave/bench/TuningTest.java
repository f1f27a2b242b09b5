package dev.taskweave.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.config.ExperimentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuningTest {
    @TempDir
    Path tmp;

    private final ConfigLoader loader = new ConfigLoader();
    private final List<ExperimentConfig> checked = new ArrayList<>();

    @BeforeEach
    void experiment() throws Exception {
        Files.createDirectories(tmp.resolve("experiments"));
        Files.writeString(tmp.resolve("experiments/base.yaml"), """
                seed: 7
                data: {type: synthetic, params: {users: 50}}
                tasks:
                  - {name: rating, head: regression, label: rating, metrics: [rmse, mae]}
                  - {name: like, head: binary, label: rating, params: {threshold: 4.0}}
                sharing: {type: mmoe, params: {experts: 4}}
                weighting: {type: fixed}
                optimizer: {learningRate: 0.001}
                training: {epochs: 9, earlyStopping: {metric: valid.rating.rmse}}
                """);
    }

    private Tuning load(String text) throws Exception {
        Path file = tmp.resolve("tune.yaml");
        Files.writeString(file, text);
        return Tuning.load(file, loader, checked::add);
    }

    private ConfigException error(String text) {
        return assertThrows(ConfigException.class, () -> load(text));
    }

    @Test
    void gridRunsEveryCombinationInOrderAndSetsTheNamedTask() throws Exception {
        Tuning tuning = load("""
                experiment: experiments/base.yaml
                objective: valid.rating.rmse
                parameters:
                  optimizer.learningRate: [0.001, 0.01]
                  tasks.like.weight: [0.5, 1, 2]
                  sharing.params.expertLayers: [[16, 8]]
                """);
        assertEquals(List.of(7L), tuning.seeds(), "no seeds: the experiment's own");
        List<Map<String, JsonNode>> points = tuning.points();
        assertEquals(6, points.size());
        assertEquals(0.001, points.get(0).get("optimizer.learningRate").asDouble());
        assertEquals(List.of(0.5, 1.0, 2.0, 0.5, 1.0, 2.0), points.stream().map(p -> p.get("tasks.like.weight").asDouble()).toList());
        ExperimentConfig last = tuning.experiment(points.get(5));
        assertEquals(0.01, last.optimizer.learningRate);
        assertEquals(2.0, last.task("like").weight);
        assertEquals(1.0, last.task("rating").weight, "only the named task changes");
        assertEquals(List.of(16, 8), last.sharing.params.get("expertLayers"));
        assertEquals(4, last.sharing.params.get("experts"), "the rest of a mapping stays");
        assertEquals(0.001, tuning.experiment().optimizer.learningRate, "the loaded experiment is not changed");
        // every listed value was checked against the experiment before anything trains (2 + 3 + 1),
        // then every trial's combination of them (6)
        assertEquals(12, checked.size());
    }

    @Test
    void anImplicitTasksRankingMetricOnValidationIsAnObjective() throws Exception {
        Files.writeString(tmp.resolve("experiments/implicit.yaml"), """
                data: {type: synthetic, params: {users: 50}}
                tasks:
                  - {name: rating, head: regression, label: rating}
                  - {name: watch, head: binary, label: observed, metrics: [auc], params: {negatives: 2}}
                sharing: {type: mmoe}
                """);
        String rest = "parameters: {optimizer.learningRate: [0.01]}\n";
        Tuning hr = load("experiment: experiments/implicit.yaml\nobjective: valid.watch.hr@10\n" + rest);
        assertEquals(List.of("watch.hr@10"), hr.objective().keys());
        assertEquals(0.7, hr.objective().value(Map.of("watch.hr@10", 0.7)));
        assertEquals(List.of("watch.ndcg@10", "watch.auc_per_user"),
                load("experiment: experiments/implicit.yaml\nobjective: valid.watch.ndcg@10 + valid.watch.auc_per_user\ngoal: maximize\n"
                        + rest).objective().keys());
        assertMessage(error("experiment: experiments/implicit.yaml\nobjective: valid.watch.hr@5\n" + rest),
                "objective: hr@5 is not reported: training.rankingCutoff is 10 (hr@10, ndcg@10)");
        assertMessage(error("experiment: experiments/implicit.yaml\nobjective: valid.rating.hr@10\n" + rest),
                "objective: task 'rating' has explicit labels: hr@10 ranks the lists of an implicit (label: observed) task");
    }

    @Test
    void everyTrialsCombinationIsCheckedBeforeTheFirstTrains() throws Exception {
        // each value fits alone; the second trial's pair does not (a final rate above the rate)
        Path file = tmp.resolve("tune.yaml");
        Files.writeString(file, """
                experiment: experiments/base.yaml
                objective: valid.rating.rmse
                seeds: [3, 4]
                parameters:
                  optimizer.learningRate: [0.01, 0.0005]
                  optimizer.finalLearningRate: [0.0008]
                """);
        List<String> seen = new ArrayList<>();
        ConfigException e = assertThrows(ConfigException.class, () -> Tuning.load(file, loader, x -> {
            seen.add(x.optimizer.learningRate + "/" + x.seed);
            if (x.optimizer.finalLearningRate() > x.optimizer.learningRate) {
                throw new ConfigException(null, "optimizer.finalLearningRate", 0, "must be at most learningRate");
            }
        }));
        assertMessage(e, "parameters: trial 2 (optimizer.learningRate=5.0E-4, optimizer.finalLearningRate=8.0E-4, seed 3) does not fit");
        assertMessage(e, "optimizer.finalLearningRate: must be at most learningRate");
        // trial 1 was checked with both training seeds first
        assertTrue(seen.containsAll(List.of("0.01/3", "0.01/4")), seen.toString());

        // a grid draws nothing: a seed for the draws is refused rather than ignored
        assertMessage(error("""
                experiment: experiments/base.yaml
                objective: valid.rating.rmse
                seed: 7
                parameters: {optimizer.learningRate: [0.01]}
                """), "seed: seeds the draws of search: random");
    }

    @Test
    void anObjectiveIsOneValidationMetricOrAFormulaOverThem() throws Exception {
        String rest = "parameters: {optimizer.learningRate: [0.01]}\n";
        Tuning single = load("experiment: experiments/base.yaml\nobjective: valid.like.auc\n" + rest);
        assertEquals(List.of("like.auc"), single.objective().keys());
        assertEquals(null, single.objective().goal(), "a single metric keeps its own direction");
        assertEquals(0.8, single.objective().value(Map.of("like.auc", 0.8, "rating.rmse", 0.9)));
        Tuning formula = load("experiment: experiments/base.yaml\nobjective: like.auc - 0.5 * valid.rating.rmse\ngoal: maximize\n"
                + rest);
        assertEquals(List.of("like.auc", "rating.rmse"), formula.objective().keys());
        assertEquals("maximize", formula.objective().goal());
        assertEquals(0.8 - 0.5 * 0.9, formula.objective().value(Map.of("like.auc", 0.8, "rating.rmse", 0.9)), 1e-12);
        assertTrue(Double.isNaN(formula.objective().value(Map.of("like.auc", Double.NaN, "rating.rmse", 0.9))));
    }

    private static Map<String, Double> valid(double rmse, double auc) {
        Map<String, Double> m = new java.util.LinkedHashMap<>();
        m.put("rating.rmse", rmse);
        m.put("like.auc", auc);
        return m;
    }

    @Test
    void aTrialWithASeedWhoseObjectiveIsNotFiniteIsUnmeasuredAndRankedLast() throws Exception {
        Tuning tuning = load("""
                experiment: experiments/base.yaml
                objective: valid.rating.rmse
                seeds: [1, 2]
                parameters: {optimizer.learningRate: [0.01, 5000]}
                """);
        TuneResults.Trial good = new TuneResults.Trial();
        good.trial = 1;
        good.parameters.putAll(tuning.points().get(0));
        Tuner.measure(good, tuning.objective(), List.of(valid(0.9, 0.7), valid(1.0, 0.8)));
        assertEquals(List.of(0.9, 1.0), good.values);
        assertEquals(0.95, good.objective, 1e-12);
        assertEquals(0.95, good.valid.get("rating.rmse"), 1e-12);
        assertEquals(0.75, good.valid.get("like.auc"), 1e-12);
        // seed 2 diverged: its RMSE is NaN. The mean of the seeds left (0.5) would have made it the best
        TuneResults.Trial diverged = new TuneResults.Trial();
        diverged.trial = 2;
        diverged.parameters.putAll(tuning.points().get(1));
        Tuner.measure(diverged, tuning.objective(), List.of(valid(0.5, 0.6), valid(Double.NaN, 0.5)));
        assertEquals(java.util.Arrays.asList(0.5, null), diverged.values);
        assertEquals(null, diverged.objective);
        assertEquals(null, diverged.valid.get("rating.rmse"));
        assertTrue(diverged.valid.containsKey("rating.rmse"));
        assertEquals(0.55, diverged.valid.get("like.auc"), 1e-12);
        // never the best, whichever the goal and whether or not a best was found before
        for (boolean maximize : new boolean[] {false, true}) {
            assertEquals(false, Tuner.beats(diverged, null, maximize));
            assertEquals(false, Tuner.beats(diverged, good, maximize));
            assertEquals(true, Tuner.beats(good, diverged, maximize));
            assertEquals(true, Tuner.beats(good, null, maximize));
        }
        assertEquals("not finite on seed 2 (diverged?), ranked last", Tuner.describeObjective(diverged, tuning.seeds()));

        TuneResults r = new TuneResults();
        r.name = "rate";
        r.command = "taskweave tune";
        r.experiment = "base.yaml";
        r.objective = "valid.rating.rmse";
        r.goal = "minimize";
        r.search = "grid";
        r.seeds.addAll(tuning.seeds());
        r.trials.addAll(List.of(diverged, good));
        r.best = new TuneResults.Best();
        r.best.trial = 1;
        r.best.parameters.putAll(good.parameters);
        r.best.objective = good.objective;
        String report = Tuner.report(tuning, r);
        // std of 0.9 and 1.0: sqrt(0.005)
        assertTrue(report.contains("| 1 | 1 | 0.01 | 0.9500 | 0.0707 | 0.0 | 0.0 |\n"
                + "| 2 | 2 | 5000 | not finite on seed 2 (diverged?), ranked last | - | 0.0 | 0.0 |\n"), report);
        r.best = null;
        r.trials.remove(good);
        assertTrue(Tuner.report(tuning, r).contains("No trial measured the objective: every trial has a seed whose value is not finite"),
                Tuner.report(tuning, r));
    }

    @Test
    void missingMappingsOnThePathAreCreated() throws Exception {
        Tuning tuning = load("""
                experiment: experiments/base.yaml
                objective: valid.like.auc
                parameters:
                  features.dropout.item_id: [0.1]
                """);
        assertEquals(0.1, tuning.experiment(tuning.points().get(0)).features.dropout.get("item_id"));
    }

    @Test
    void randomDrawsAreReproducibleWithinTheirRangesAndRounded() throws Exception {
        String text = """
                experiment: experiments/base.yaml
                objective: valid.like.auc
                search: random
                trials: 40
                seed: 3
                parameters:
                  optimizer.learningRate: {min: 0.0001, max: 0.01, log: true}
                  sharing.params.experts: {min: 2, max: 8, integer: true}
                  tasks.like.weight: [1, 2]
                """;
        List<Map<String, JsonNode>> a = load(text).points();
        List<Map<String, JsonNode>> b = load(text).points();
        assertEquals(a, b, "the same seed draws the same trials");
        assertNotEquals(a, load(text.replace("seed: 3", "seed: 4")).points());
        int belowMillesimal = 0;
        for (Map<String, JsonNode> p : a) {
            double lr = p.get("optimizer.learningRate").asDouble();
            assertTrue(lr >= 0.0001 && lr <= 0.01, "in range: " + lr);
            assertEquals(lr, new java.math.BigDecimal(lr).round(new java.math.MathContext(4)).doubleValue(), "four significant digits");
            belowMillesimal += lr < 0.001 ? 1 : 0;
            assertTrue(p.get("sharing.params.experts").isIntegralNumber(), p.toString());
            long experts = p.get("sharing.params.experts").asLong();
            assertTrue(experts >= 2 && experts <= 8, "in range: " + experts);
        }
        // log-uniform: half the draws fall in the decade below 0.001 (binomial 40, 1/2: 20 ± 3.2)
        assertTrue(belowMillesimal >= 10 && belowMillesimal <= 30, "draws below 0.001: " + belowMillesimal);
        assertEquals(40, new HashSet<>(a).size(), "no trial repeats another's settings");
    }

    @Test
    void aFixedSettingTakesNoDraw() throws Exception {
        String base = """
                experiment: experiments/base.yaml
                objective: valid.like.auc
                search: random
                trials: 5
                parameters:
                  optimizer.learningRate: {min: 0.0001, max: 0.01, log: true}
                """;
        List<Map<String, JsonNode>> alone = load(base).points();
        List<Map<String, JsonNode>> withFixed = load(base + "  training.epochs: 3\n").points();
        for (int i = 0; i < 5; i++) {
            assertEquals(alone.get(i).get("optimizer.learningRate"), withFixed.get(i).get("optimizer.learningRate"));
            assertEquals(IntNode.valueOf(3), withFixed.get(i).get("training.epochs"));
        }
    }

    @Test
    void searchSpaceByHand() {
        SearchSpace space = new SearchSpace(List.of(
                SearchSpace.Dimension.of("a", List.of(IntNode.valueOf(1), IntNode.valueOf(2))),
                SearchSpace.Dimension.of("b", List.of(TextNode.valueOf("x"), TextNode.valueOf("y"), TextNode.valueOf("z")))));
        assertEquals(6, space.gridSize());
        assertEquals(List.of("1x", "1y", "1z", "2x", "2y", "2z"),
                space.grid().stream().map(p -> p.get("a").asText() + p.get("b").asText()).toList());
        SearchSpace.Dimension range = SearchSpace.Dimension.range("c", 1.5, 4.5, false, true);
        assertEquals(List.of(2L, 4L), range.extremes().stream().map(JsonNode::asLong).toList(), "whole numbers inside the range");
        assertEquals(List.of(DoubleNode.valueOf(0.5), DoubleNode.valueOf(2.0)),
                SearchSpace.Dimension.range("d", 0.5, 2.0, true, false).extremes());
        assertEquals(0.002896, SearchSpace.Dimension.round(0.0028964390647410122));
    }

    @Test
    void anIntegerRangeDrawsEveryWholeNumberAsOften() {
        // rounding a uniform draw over [1, 4] gave 1 and 4 a sixth each and 2 and 3 a third
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (boolean log : new boolean[] {false, true}) {
            SearchSpace.Dimension experts = SearchSpace.Dimension.range("e", 1, 4, log, true);
            int[] counts = new int[5];
            for (int i = 0; i < 40_000; i++) {
                counts[(int) experts.sample(random).asLong()]++;
            }
            assertEquals(0, counts[0]);
            if (!log) {
                for (int k = 1; k <= 4; k++) {
                    // 10,000 expected; a binomial sd of 87
                    assertTrue(Math.abs(counts[k] - 10_000) < 500, k + ": " + java.util.Arrays.toString(counts));
                }
            } else {
                // log-uniform over [0.5, 4.5]: k's share is ln((k + 0.5) / (k - 0.5)) / ln 9
                for (int k = 1; k <= 4; k++) {
                    double expected = 40_000 * Math.log((k + 0.5) / (k - 0.5)) / Math.log(9);
                    assertTrue(Math.abs(counts[k] - expected) < 600, k + ": " + java.util.Arrays.toString(counts));
                }
            }
        }
    }

    @Test
    void errorsNameTheFileThePathAndWhatWasExpected() {
        String head = "experiment: experiments/base.yaml\n";
        assertMessage(error(head + "objective: test.rating.rmse\nparameters: {optimizer.learningRate: [0.01]}\n"),
                "objective: must be measured on valid, got 'test'");
        // another slice's metric (or a typo of valid) was read as valid's and optimised that instead
        assertMessage(error(head + "objective: test_cold_user.rating.rmse\nparameters: {optimizer.learningRate: [0.01]}\n"),
                "objective: expected valid.task.metric or task.metric, for example valid.rating.rmse, got 'test_cold_user.rating.rmse':"
                        + " the objective is measured on valid, and 'test_cold_user' is not valid");
        assertMessage(error(head + "objective: vaild.like.auc\nparameters: {optimizer.learningRate: [0.01]}\n"),
                "'vaild' is not valid");
        assertMessage(error(head + "objective: valid.rating\nparameters: {optimizer.learningRate: [0.01]}\n"),
                "objective: expected valid.task.metric or task.metric, for example valid.rating.rmse, got 'valid.rating'");
        assertMessage(error(head + "objective: like.auc - rating.rmse\nparameters: {optimizer.learningRate: [0.01]}\n"),
                "goal: an objective formula needs goal: maximize or minimize");
        assertMessage(error(head + "objective: like.auc\ngoal: up\nparameters: {optimizer.learningRate: [0.01]}\n"),
                "goal: expected maximize or minimize, got up");
        assertMessage(error(head + "objective: like.auc - test.rating.rmse\ngoal: maximize\nparameters: {optimizer.learningRate: [0.01]}\n"),
                "objective: must be measured on valid, got 'test'");
        assertMessage(error(head + "objective: like.auc - (rating.rmse\ngoal: maximize\nparameters: {optimizer.learningRate: [0.01]}\n"),
                "objective: cannot read 'like.auc - (rating.rmse'");
        assertMessage(error(head + "objective: 0.5 * 2\ngoal: maximize\nparameters: {optimizer.learningRate: [0.01]}\n"),
                "objective: '0.5 * 2' reads no metric");
        assertMessage(error(head + "objective: valid.ctr.auc\nparameters: {optimizer.learningRate: [0.01]}\n"),
                "objective: the experiment has no task named 'ctr'; tasks: [rating, like]");
        assertMessage(error(head + "objective: valid.rating.auc\nparameters: {optimizer.learningRate: [0.01]}\n"),
                "objective: task 'rating' reports [rmse, mae], not 'auc'");
        assertMessage(error(head + "objective: valid.rating.rmse\n"), "parameters: expected at least one setting");
        assertMessage(error(head + "objective: valid.rating.rmse\nparameters: {optimizer.learningRate: {min: 0.01}}\n"),
                "parameters.optimizer.learningRate: expected a range {min, max}");
        assertMessage(error(head + "objective: valid.rating.rmse\nsearch: random\ntrials: 4\n"
                + "parameters: {optimizer.learningRate: {min: 0, max: 0.01, log: true}}\n"),
                "parameters.optimizer.learningRate: a log range needs min > 0, got 0.0");
        assertMessage(error(head + "objective: valid.rating.rmse\nparameters: {optimizer.learningRate: {min: 0.001, max: 0.01}}\n"),
                "parameters.optimizer.learningRate: a range needs search: random");
        assertMessage(error(head + "objective: valid.rating.rmse\nsearch: random\nparameters: {optimizer.learningRate: [0.1, 0.2]}\n"),
                "trials: search: random needs trials between 1 and 10000, got null");
        assertMessage(error(head + "objective: valid.rating.rmse\nsearch: random\ntrials: 2\nparameters: {optimizer.learningRate: [0.1, 0.2]}\n"),
                "trials: 2 random trials over 2 combinations of listed values; use search: grid");
        assertMessage(error(head + "objective: valid.rating.rmse\ntrials: 3\nparameters: {optimizer.learningRate: [0.1, 0.2]}\n"),
                "trials: applies to search: random; a grid runs every combination (2 here)");
        assertMessage(error(head + "objective: valid.rating.rmse\nsearch: bayes\nparameters: {optimizer.learningRate: [0.1]}\n"),
                "search: expected grid or random, got bayes");
        assertMessage(error(head + "objective: valid.rating.rmse\nparameters: {seed: [1, 2]}\n"),
                "parameters.seed: the training seed is not searched");
        assertMessage(error(head + "objective: valid.rating.rmse\nparameters: {tasks.ctr.weight: [2]}\n"),
                "parameters.tasks.ctr.weight: the value 2 does not fit");
        assertMessage(error(head + "objective: valid.rating.rmse\nparameters: {tasks.ctr.weight: [2]}\n"),
                "the experiment has no task named 'ctr'; tasks: [rating, like]");
        assertMessage(error(head + "objective: valid.rating.rmse\nparameters: {optimizer.learningRat: [0.01]}\n"),
                "parameters.optimizer.learningRat: the value 0.01 does not fit");
        assertMessage(error(head + "objective: valid.rating.rmse\nparameters: {tasks.like: [1]}\n"),
                "names a task; expected a field of it, for example tasks.like.weight");
        assertMessage(error(head + "objective: valid.rating.rmse\nparameters: {training.epochs.max: [3]}\n"),
                "training.epochs is 9, not a mapping");
        assertMessage(error(head + "objective: valid.rating.rmse\nseeds: [1, 1]\nparameters: {training.epochs: [3]}\n"),
                "seeds: a seed is listed twice");
        assertMessage(error("objective: valid.rating.rmse\nparameters: {training.epochs: [3]}\n"), "experiment: missing");
        assertMessage(error(head + "objective: valid.rating.rmse\nseeds: [1, 2]\nconfirm: {seeds: [2, 3]}\nparameters: {training.epochs: [3]}\n"),
                "confirm.seeds: seeds [2] also choose between the trials");
        assertMessage(error(head + "objective: valid.rating.rmse\nconfirm: {seeds: [7]}\nparameters: {training.epochs: [3]}\n"),
                "confirm.seeds: seeds [7] also choose between the trials");
        assertMessage(error(head + "objective: valid.rating.rmse\nconfirm: {seeds: []}\nparameters: {training.epochs: [3]}\n"),
                "confirm.seeds: expected a list of distinct training seeds, got []");
        // an empty list is no list of seeds (as a suite's): left out, the experiment's own seed is used
        assertMessage(error(head + "objective: valid.rating.rmse\nseeds: []\nparameters: {training.epochs: [3]}\n"),
                "tune.yaml: seeds: expected a list of at least one seed; leave it out to train with the experiment's own (7)");
        assertMessage(error(head + "objective: valid.rating.rmse\nparameter: {training.epochs: [3]}\n"), "parameter");
    }

    @Test
    void aFileThatIsMissingNotYamlOrNotAMappingIsNamed() throws Exception {
        Path missing = tmp.resolve("nope.yaml");
        assertEquals(missing + ": file not found",
                assertThrows(ConfigException.class, () -> Tuning.load(missing, loader, checked::add)).getMessage());
        assertMessage(error("experiment: [a\nobjective: b\n"), "tune.yaml:");
        assertMessage(error("experiment: [a\nobjective: b\n"), "malformed YAML: ");
        assertMessage(error("experiment: experiments/base.yaml\nobjective: valid.rating.rmse\nobjective: valid.like.auc\n"),
                "tune.yaml:3: duplicate key 'objective' (a key may be given once in a mapping)");
        assertMessage(error("- just\n- a list\n"), "expected a mapping with experiment, objective and parameters");
        assertMessage(error("experiment: experiments/missing.yaml\nobjective: valid.rating.rmse\n"),
                "tune.yaml: experiment: 'experiments/missing.yaml' is not found (" + tmp.resolve("experiments/missing.yaml")
                        + "); expected an experiment file relative to this file");
        assertMessage(error("experiment: experiments\nobjective: valid.rating.rmse\n"), "experiment: 'experiments' is a directory");
    }

    @Test
    void theExperimentsCheckRunsOnEveryListedValueAndBothEndsOfARange() throws Exception {
        Path file = tmp.resolve("tune.yaml");
        Files.writeString(file, """
                experiment: experiments/base.yaml
                objective: valid.rating.rmse
                search: random
                trials: 3
                parameters:
                  optimizer.learningRate: {min: 0.001, max: 0.5}
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> Tuning.load(file, loader, x -> {
            if (x.optimizer.learningRate > 0.1) {
                throw new ConfigException(null, "optimizer.learningRate", 0, "too large for this check, got " + x.optimizer.learningRate);
            }
        }));
        assertMessage(e, "parameters.optimizer.learningRate: the value 0.5 does not fit");
        assertMessage(e, "optimizer.learningRate: too large for this check, got 0.5");

        // with a confirmation, the experiment as written is checked too: it trains as well
        Files.writeString(file, """
                experiment: experiments/base.yaml
                objective: valid.rating.rmse
                confirm: {seeds: [1]}
                parameters:
                  optimizer.learningRate: [0.01]
                """);
        ConfigException base = assertThrows(ConfigException.class, () -> Tuning.load(file, loader, x -> {
            if (x.optimizer.learningRate < 0.005) {
                throw new ConfigException(null, "optimizer.learningRate", 0, "too small for this check");
            }
        }));
        assertMessage(base, "confirm: the confirmation trains the experiment as written");
        assertMessage(base, "optimizer.learningRate: too small for this check");
    }

    @Test
    void whatWouldFailAfterTrainingIsRefusedBeforeIt() throws Exception {
        // a searched metrics list leaves the objective out of trial 1: found when loading, not once it trained
        assertMessage(error("""
                experiment: experiments/base.yaml
                objective: valid.like.logloss
                parameters:
                  tasks.like.metrics: [[auc], [auc, logloss]]
                """), "objective: trial 1 (tasks.like.metrics=[\"auc\"]) would not report it: task 'like' reports [auc], not 'logloss'");
        // a value listed twice would train twice
        assertMessage(error("""
                experiment: experiments/base.yaml
                objective: valid.rating.rmse
                parameters:
                  optimizer.learningRate: [0.001, 0.003, 0.001]
                """), "parameters.optimizer.learningRate[2]: 0.001 is listed twice");
        // 1 and 1.0 are one setting
        assertMessage(error("""
                experiment: experiments/base.yaml
                objective: valid.rating.rmse
                parameters:
                  training.epochs: [1, 1.0]
                """), "parameters.training.epochs[1]: 1.0 is listed twice");
        // three expert counts cannot make five distinct trials
        assertMessage(error("""
                experiment: experiments/base.yaml
                objective: valid.rating.rmse
                search: random
                trials: 5
                parameters:
                  sharing.params.experts: {min: 2, max: 4, integer: true}
                """), "trials: 5 random trials: trial 4: 101 draws in a row repeated earlier trials' settings; the space has no more"
                + " than about 3 distinct settings");
        // a minus sign without spaces is part of a name: said so, not that 'like' is a split
        assertMessage(error("""
                experiment: experiments/base.yaml
                objective: like.auc-rating.rmse
                goal: maximize
                parameters:
                  optimizer.learningRate: [0.001, 0.003]
                """), "got 'like.auc-rating.rmse' (a minus sign between two metrics needs spaces around it: 'like.auc - rating.rmse'");
        // an experiment file that is not there is the tuning file's experiment field
        assertMessage(error("""
                experiment: experiments/base.yml
                objective: valid.rating.rmse
                parameters:
                  optimizer.learningRate: [0.001, 0.003]
                """), "experiment: 'experiments/base.yml' is not found");
    }

    @Test
    void anotherComponentTypeDropsTheOldOnesParams() throws Exception {
        Tuning tuning = load("""
                experiment: experiments/base.yaml
                objective: valid.rating.rmse
                parameters:
                  sharing.params.layers: [[32]]
                  sharing.type: [mmoe, shared-bottom]
                """);
        // listed after its params, the type is set first: shared-bottom gets the searched layers, not MMoE's experts
        ExperimentConfig sharedBottom = tuning.experiment(tuning.points().get(1));
        assertEquals("shared-bottom", sharedBottom.sharing.type);
        assertEquals(Map.of("layers", List.of(32)), sharedBottom.sharing.params);
        // the same type keeps its params, the searched one added
        ExperimentConfig mmoe = tuning.experiment(tuning.points().get(0));
        assertEquals(4, mmoe.sharing.params.get("experts"));
        assertEquals(List.of(32), mmoe.sharing.params.get("layers"));
    }

    /** Each value was checked with the experiment's own type (MMoE), which refused shared-bottom's layers. */
    @Test
    void aComponentsParamsAreCheckedWithTheTypeSearchedBesideThem() throws Exception {
        Path file = tmp.resolve("tune.yaml");
        Tuning.Check mmoeHasNoLayers = e -> {
            if (e.sharing.type.equals("mmoe") && e.sharing.params.containsKey("layers")) {
                throw new ConfigException("base.yaml", "sharing.params.layers", 0, "unknown field 'layers'");
            }
            checked.add(e);
        };
        String tune = """
                experiment: experiments/base.yaml
                objective: valid.rating.rmse
                parameters:
                  sharing.type: %s
                  sharing.params.layers: [[64], [32]]
                """;
        Files.writeString(file, tune.formatted("[shared-bottom]"));
        assertEquals(2, Tuning.load(file, loader, mmoeHasNoLayers).points().size());
        Files.writeString(file, tune.formatted("[mmoe]"));
        ConfigException e = assertThrows(ConfigException.class, () -> Tuning.load(file, loader, mmoeHasNoLayers));
        assertEquals(file + ": parameters.sharing.params.layers: the value [64] does not fit " + tmp.resolve("experiments/base.yaml")
                + " with sharing.type=mmoe: base.yaml: sharing.params.layers: unknown field 'layers'", e.getMessage());
        // a value fits when it fits one type searched; the trial that combines it with the other is refused as a trial
        Files.writeString(file, tune.formatted("[mmoe, shared-bottom]"));
        ConfigException trial = assertThrows(ConfigException.class, () -> Tuning.load(file, loader, mmoeHasNoLayers));
        assertTrue(trial.getMessage().startsWith(file + ": parameters: trial 1 (sharing.type=mmoe, sharing.params.layers=[64], seed 7)"
                + " does not fit"), trial.getMessage());
        // a schedule's setting is checked with the schedule searched beside it
        List<Map<String, JsonNode>> contexts = Tuning.contexts(new SearchSpace(List.of(
                SearchSpace.Dimension.of("optimizer.schedule", List.of(TextNode.valueOf("step"), TextNode.valueOf("cosine"))),
                SearchSpace.Dimension.of("optimizer.decay", List.of(DoubleNode.valueOf(0.5))))),
                SearchSpace.Dimension.of("optimizer.decay", List.of(DoubleNode.valueOf(0.5))));
        assertEquals(List.of(Map.of("optimizer.schedule", TextNode.valueOf("step")), Map.of("optimizer.schedule", TextNode.valueOf("cosine"))),
                contexts);
    }

    @Test
    void anotherScheduleDropsTheSettingsOnlyTheOldOneReads() throws Exception {
        Files.writeString(tmp.resolve("experiments/step.yaml"), Files.readString(tmp.resolve("experiments/base.yaml"))
                .replace("optimizer: {learningRate: 0.001}", "optimizer: {learningRate: 0.001, schedule: step, decay: 0.3}"));
        Tuning tuning = load("""
                experiment: experiments/step.yaml
                objective: valid.rating.rmse
                parameters:
                  optimizer.schedule: [step, cosine]
                """);
        ExperimentConfig step = tuning.experiment(tuning.points().get(0));
        assertEquals(0.3, step.optimizer.decay, "the same schedule keeps its settings");
        // cosine does not read the step schedule's decay: kept, it would refuse the trial
        ExperimentConfig cosine = tuning.experiment(tuning.points().get(1));
        assertEquals("cosine", cosine.optimizer.schedule);
        assertEquals(null, cosine.optimizer.decay);
        // listed before the schedule, a searched setting is set after it: the trial keeps it (and the plan refuses it)
        Tuning searched = load("""
                experiment: experiments/step.yaml
                objective: valid.rating.rmse
                parameters:
                  optimizer.decay: [0.2]
                  optimizer.schedule: [cosine, step]
                """);
        assertEquals(0.2, searched.experiment(searched.points().get(0)).optimizer.decay);
        assertEquals("cosine", searched.experiment(searched.points().get(0)).optimizer.schedule);
    }

    @Test
    void anUnknownObjectiveMetricIsRefusedBeforeAnyTrialTrains() throws Exception {
        dev.taskweave.core.metric.MetricRegistry registry = new dev.taskweave.core.metric.MetricRegistry(List.of());
        // the like task lists no metrics (its head's defaults): only the installed metrics say the name is wrong
        Tuning typo = load("""
                experiment: experiments/base.yaml
                objective: valid.like.aucc
                parameters:
                  optimizer.learningRate: [0.001, 0.003]
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> Tuner.checkObjective(typo, registry));
        assertMessage(e, "tune.yaml: objective: unknown metric 'aucc' of task 'like'; available: " + registry.names());
        Tuning inFormula = load("""
                experiment: experiments/base.yaml
                objective: like.auc - 0.1 * like.loglos
                goal: maximize
                parameters:
                  optimizer.learningRate: [0.001, 0.003]
                """);
        assertMessage(assertThrows(ConfigException.class, () -> Tuner.checkObjective(inFormula, registry)),
                "objective: unknown metric 'loglos' of task 'like'");
        Tuner.checkObjective(load("""
                experiment: experiments/base.yaml
                objective: valid.like.auc
                parameters:
                  optimizer.learningRate: [0.001, 0.003]
                """), registry);
    }

    @Test
    void aGoalAgainstTheMetricsDirectionIsRefused() throws Exception {
        dev.taskweave.core.metric.MetricRegistry registry = new dev.taskweave.core.metric.MetricRegistry(List.of());
        Tuning worst = load("""
                experiment: experiments/base.yaml
                objective: valid.rating.rmse
                goal: maximize
                parameters:
                  optimizer.learningRate: [0.001, 0.003]
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> Tuner.checkObjective(worst, registry));
        assertMessage(e, "goal: maximize would choose the worst trial: valid.rating.rmse is lower-is-better; remove goal");
        Tuner.checkObjective(load("""
                experiment: experiments/base.yaml
                objective: valid.rating.rmse
                goal: minimize
                parameters:
                  optimizer.learningRate: [0.001, 0.003]
                """), registry);
        // a formula's goal is the user's to choose
        Tuner.checkObjective(load("""
                experiment: experiments/base.yaml
                objective: -valid.rating.rmse
                goal: maximize
                parameters:
                  optimizer.learningRate: [0.001, 0.003]
                """), registry);
    }

    private void assertMessage(ConfigException e, String expected) {
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(tmp.resolve("tune.yaml").toString()) || e.getMessage().contains("experiments"),
                "names the file: " + e.getMessage());
    }
}
