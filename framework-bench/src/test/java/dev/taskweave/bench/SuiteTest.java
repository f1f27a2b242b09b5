package dev.taskweave.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.config.ExperimentConfig;
import dev.taskweave.core.config.TaskConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteTest {
    @TempDir
    Path tmp;

    private final ConfigLoader loader = new ConfigLoader();

    @BeforeEach
    void experiment() throws Exception {
        Files.createDirectories(tmp.resolve("experiments"));
        Files.writeString(tmp.resolve("experiments/base.yaml"), """
                seed: 7
                data: {type: synthetic, params: {users: 50}}
                tasks:
                  - {name: rating, head: regression, label: rating}
                  - {name: like, head: binary, label: rating, params: {threshold: 4.0}}
                sharing: {type: mmoe, params: {experts: 4}}
                weighting: {type: equal}
                training: {epochs: 9, earlyStopping: {metric: valid.rating.rmse}}
                """);
    }

    private Suite load(String text) throws Exception {
        Path file = tmp.resolve("suite.yaml");
        Files.writeString(file, text);
        return Suite.load(file, loader);
    }

    @Test
    void defaultsAndOverrides() throws Exception {
        Suite suite = load("""
                name: demo
                configurations:
                  - {name: base, experiment: experiments/base.yaml}
                  - name: wider
                    experiment: experiments/base.yaml
                    overrides: {sharing: {params: {expertLayers: [8]}}}
                  - name: ple
                    experiment: experiments/base.yaml
                    singleTask: false
                    overrides:
                      sharing: {type: ple, params: {levels: 2}}
                      training: {epochs: 3}
                """);
        assertEquals("demo", suite.config().name);
        assertEquals(List.of(1L, 2L, 3L), suite.config().seeds);
        assertEquals(1, suite.config().quick.seeds);
        assertEquals(2, suite.config().quick.epochs);
        assertEquals(3, suite.variants().size());
        assertEquals(4, suite.variants().get(1).experiment().sharing.params.get("experts"));
        assertEquals(List.of(8), suite.variants().get(1).experiment().sharing.params.get("expertLayers"));
        ExperimentConfig base = suite.variants().get(0).experiment();
        assertEquals("mmoe", base.sharing.type);
        assertEquals(9, base.training.epochs);
        assertTrue(suite.variants().get(0).singleTask());
        ExperimentConfig ple = suite.variants().get(2).experiment();
        assertEquals("ple", ple.sharing.type);
        // a mapping override replaces the mapping's fields it names and keeps the rest
        assertEquals(2, ple.sharing.params.get("levels"));
        // another type replaces the old type's params; the same type merges them
        assertEquals(null, ple.sharing.params.get("experts"));
        assertEquals(3, ple.training.epochs);
        assertEquals("valid.rating.rmse", ple.training.earlyStopping.metric);
        assertEquals(tmp.resolve("experiments/base.yaml"), suite.variants().get(2).file());
        assertFalse(suite.variants().get(2).singleTask());
    }

    @Test
    void aSingleTaskModelCanHaveFieldsOfItsOwn() throws Exception {
        Suite suite = load("""
                singleTask: {overrides: {like: {training: {epochs: 80, batchSize: 64}, optimizer: {weightDecay: 0.0}}}}
                configurations: [{name: a, experiment: experiments/base.yaml}]
                """);
        ExperimentConfig base = suite.variants().get(0).experiment();
        base.optimizer.weightDecay = 0.001;
        ExperimentConfig like = Suite.withOverrides(new com.fasterxml.jackson.databind.ObjectMapper(), base,
                suite.config().singleTask.overrides.get("like"), null, null, null);
        assertEquals(80, like.training.epochs);
        // the optimizer is no plugin component: another type keeps the fields it does not name
        base.optimizer.learningRate = 0.002;
        ExperimentConfig adamw = Suite.withOverrides(new com.fasterxml.jackson.databind.ObjectMapper(), base,
                java.util.Map.of("optimizer", java.util.Map.of("type", "adamw")), null, null, null);
        assertEquals("adamw", adamw.optimizer.type);
        assertEquals(0.002, adamw.optimizer.learningRate);
        assertEquals(0.001, adamw.optimizer.weightDecay);
        assertEquals(64, like.training.batchSize);
        assertEquals(0.0, like.optimizer.weightDecay);
        // the fields not named are kept, and the experiment itself is not changed
        assertEquals("valid.rating.rmse", like.training.earlyStopping.metric);
        assertEquals(9, base.training.epochs);
        assertEquals(0.001, base.optimizer.weightDecay);
        assertEquals(base.tasks.size(), like.tasks.size());
    }

    @Test
    void aSingleTaskCounterpartLeavesOutTheWideOnlyFeaturesOfOtherTasks() throws Exception {
        ExperimentConfig base = load("configurations: [{name: a, experiment: experiments/base.yaml}]").variants().get(0).experiment();
        base.features.wideOnly = List.of("user_recent", "item_recent");
        base.features.exclude = List.of("item_recent");
        base.task("rating").wideFeatures = List.of("user_recent");
        base.task("like").wideFeatures = List.of("user_recent", "item_recent");
        ExperimentConfig rating = BenchmarkRunner.singleTask(base, "rating", null);
        assertEquals(List.of("user_recent"), rating.features.wideOnly);
        assertEquals(List.of("item_recent"), rating.features.exclude);
        ExperimentConfig like = BenchmarkRunner.singleTask(base, "like", null);
        assertEquals(List.of("user_recent", "item_recent"), like.features.wideOnly);
        base.task("like").wideFeatures = List.of();
        ExperimentConfig alone = BenchmarkRunner.singleTask(base, "like", null);
        assertEquals(List.of(), alone.features.wideOnly);
        assertEquals(List.of("item_recent", "user_recent"), alone.features.exclude);
        // the experiment itself is not changed
        assertEquals(List.of("user_recent", "item_recent"), base.features.wideOnly);
        // a dropout rate of a feature the counterpart leaves out goes with it (a rate of a left-out
        // feature is refused, so the whole suite was refused before it started)
        base.features.dropout = java.util.Map.of("user_recent", 0.1, "item_id", 0.2);
        base.features.historyDropout = java.util.Map.of("user_recent", 0.3);
        ExperimentConfig thinned = BenchmarkRunner.singleTask(base, "like", null);
        assertEquals(java.util.Map.of("item_id", 0.2), thinned.features.dropout);
        assertEquals(java.util.Map.of(), thinned.features.historyDropout);
        assertEquals(0.1, base.features.dropout.get("user_recent"), "the experiment keeps its rates");
        assertEquals(java.util.Map.of("user_recent", 0.1), BenchmarkRunner.singleTask(base, "rating", null).features.dropout.entrySet()
                .stream().filter(e -> e.getKey().equals("user_recent")).collect(java.util.stream.Collectors.toMap(e -> e.getKey(),
                        e -> e.getValue())), "a task that reads it keeps its rate");
    }

    @Test
    void aDependentTaskAloneDropsItsDependencySettingsAndAnEsmmTaskGetsNoCounterpart() throws Exception {
        ExperimentConfig base = load("configurations: [{name: a, experiment: experiments/base.yaml}]").variants().get(0).experiment();
        TaskConfig like = base.task("like");
        like.dependsOn = "rating";
        like.transfer = "aitm";
        like.calibration = 0.3;
        // alone, AITM's settings would be refused as "set without dependsOn" after every multi-task seed trained
        TaskConfig alone = BenchmarkRunner.singleTask(base, "like", null).task("like");
        assertEquals(null, alone.dependsOn);
        assertEquals(new TaskConfig().transfer, alone.transfer);
        assertEquals(new TaskConfig().calibration, alone.calibration);
        assertEquals(null, BenchmarkRunner.noSingleTask(like));
        assertEquals(null, BenchmarkRunner.noSingleTask(base.task("rating")));
        // ESMM scores the task as the joint event with its parent: nothing a model of it alone is scored on
        like.transfer = "esmm";
        assertTrue(BenchmarkRunner.noSingleTask(like).startsWith("transfer: esmm scores it as the joint event with rating"),
                BenchmarkRunner.noSingleTask(like));
        // the experiment itself is not changed
        assertEquals("rating", base.task("like").dependsOn);
        // a ranking formula names the other tasks: the counterpart, which is not served, has none
        base.serving.formula = "rating * like";
        assertEquals(null, BenchmarkRunner.singleTask(base, "rating", null).serving.formula);
        assertEquals("rating * like", base.serving.formula);
    }

    @Test
    void aSingleTaskCounterpartKeepsTheDistillationOfItsOwnTaskOnly() throws Exception {
        ExperimentConfig base = load("configurations: [{name: a, experiment: experiments/base.yaml}]").variants().get(0).experiment();
        base.training.distillation = new dev.taskweave.core.config.DistillationConfig();
        base.training.distillation.teachers = 3;
        base.training.distillation.tasks = List.of("rating", "like");
        ExperimentConfig rating = BenchmarkRunner.singleTask(base, "rating", null);
        assertEquals(3, rating.training.distillation.teachers);
        assertEquals(List.of("rating"), rating.training.distillation.tasks);
        base.training.distillation.tasks = List.of("like");
        assertEquals(null, BenchmarkRunner.singleTask(base, "rating", null).training.distillation);
        // the experiment itself is not changed
        assertEquals(3, base.training.distillation.teachers);
    }

    /**
     * An experiment that distils every task that can be (no {@code tasks} named), with single-task
     * counterparts: refused when the suite is loaded, not when a counterpart whose head cannot be
     * distilled is reached after hours of training; without counterparts it runs.
     */
    @Test
    void counterpartsNeedTheDistilledTasksNamed() throws Exception {
        String distilled = "  - name: d\n    experiment: experiments/base.yaml\n    overrides: {training: {distillation: {teachers: 2}}}\n";
        ConfigException e = assertThrows(ConfigException.class, () -> load("name: x\nconfigurations:\n" + distilled));
        assertTrue(e.getMessage().contains("configurations[0]") && e.getMessage().contains("training.distillation.tasks")
                && e.getMessage().contains("name them"), e.getMessage());
        assertEquals(2, load("name: x\nconfigurations:\n" + distilled + "    singleTask: false\n").variants().get(0).experiment()
                .training.distillation.teachers);
        assertEquals(List.of("like"), load("name: x\nconfigurations:\n" + distilled.replace("teachers: 2", "teachers: 2, tasks: [like]"))
                .variants().get(0).experiment().training.distillation.tasks);
    }

    @Test
    void errorsNameTheField() {
        assertPath("configurations", "name: x\nconfigurations: []\n");
        assertPath("configurations[0].experiment", "configurations: [{name: a}]\n");
        assertPath("configurations[1].name", """
                configurations:
                  - {name: a, experiment: experiments/base.yaml}
                  - {name: a, experiment: experiments/base.yaml}
                """);
        assertPath("seeds", "seeds: [1, 1]\nconfigurations: [{name: a, experiment: experiments/base.yaml}]\n");
        assertPath("singleTask.earlyStopping.like", """
                singleTask: {earlyStopping: {like: valid.rating.rmse}}
                configurations: [{name: a, experiment: experiments/base.yaml}]
                """);
        assertPath("configurations[0].overrides.training.epoch", """
                configurations:
                  - {name: a, experiment: experiments/base.yaml, overrides: {training: {epoch: 2}}}
                """);
        assertPath("singleTask.overrides.like.training.epoch", """
                singleTask: {overrides: {like: {training: {epoch: 2}}}}
                configurations: [{name: a, experiment: experiments/base.yaml}]
                """);
        assertPath("singleTask.overrides.genre: no configuration has a task named 'genre'", """
                singleTask: {overrides: {genre: {training: {epochs: 80}}}}
                configurations: [{name: a, experiment: experiments/base.yaml}]
                """);
        assertPath("colour", "colour: red\nconfigurations: [{name: a, experiment: experiments/base.yaml}]\n");
        // a name is a directory of the output: "." and ".." would put runs outside runs/
        assertPath("configurations[0].name: expected a name with a letter, a digit", "configurations: [{name: '..', experiment: experiments/base.yaml}]\n");
        assertPath("got '.'", "configurations: [{name: '.', experiment: experiments/base.yaml}]\n");
        // the suite's seeds set every run's: a seed of one's own would be overwritten, so it is refused
        assertPath("configurations[0].overrides.seed: the suite's seeds set every run's seed", """
                configurations: [{name: a, experiment: experiments/base.yaml, overrides: {seed: 7}}]
                """);
        assertPath("singleTask.overrides.like.seed", """
                singleTask: {overrides: {like: {seed: 7}}}
                configurations: [{name: a, experiment: experiments/base.yaml}]
                """);
        // a bare "singleTask:" (null), and early stopping for a task no configuration has (a typo)
        assertPath("singleTask: empty; expected a mapping", "singleTask:\nconfigurations: [{name: a, experiment: experiments/base.yaml}]\n");
        assertPath("singleTask.earlyStopping.lik: no configuration has a task named 'lik'", """
                singleTask: {earlyStopping: {lik: valid.lik.auc}}
                configurations: [{name: a, experiment: experiments/base.yaml}]
                """);
        // in the experiment's terms, with the line and the mapping (before: Jackson's "Duplicate field")
        ConfigException twice = assertThrows(ConfigException.class, () -> load("""
                configurations:
                  - name: a
                    experiment: experiments/base.yaml
                    name: b
                """));
        assertEquals(tmp.resolve("suite.yaml") + ":4: configurations[0]: duplicate key 'name' (a key may be given once in a mapping)",
                twice.getMessage());
        ConfigException missing = assertThrows(ConfigException.class,
                () -> load("configurations: [{name: a, experiment: experiments/none.yaml}]\n"));
        assertTrue(missing.getMessage().contains("none.yaml") && missing.getMessage().contains("not found"), missing.getMessage());
    }

    private void assertPath(String path, String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(text));
        assertTrue(e.getMessage().contains(path), "expected " + path + " in: " + e.getMessage());
    }
}
