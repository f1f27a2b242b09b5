package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.ExtensionFactory;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureKind;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.config.ExperimentConfig;
import dev.taskweave.core.metric.MetricRegistry;
import dev.taskweave.core.plugin.ExtensionKind;
import dev.taskweave.core.plugin.ExtensionRegistry;
import dev.taskweave.core.plugin.Registered;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@link ModelAssembler#plan} refuses before any data is read, with a stub of every kind of plugin. */
class PlanChecksTest {
    private final ConfigLoader loader = new ConfigLoader();
    private final ModelAssembler assembler;

    PlanChecksTest() {
        ExtensionFactory<Object> stub = new ExtensionFactory<>() {
            @Override
            public String type() {
                return "stub";
            }

            @Override
            public Class<Object> configClass() {
                return Object.class;
            }
        };
        ExtensionRegistry.Builder registry = ExtensionRegistry.builder();
        for (ExtensionKind kind : ExtensionKind.values()) {
            registry.add(kind, new Registered<>("stub", stub, "test", "1.0.0", getClass().getClassLoader()), "test");
        }
        assembler = new ModelAssembler(registry.build(), new MetricRegistry(List.of()), loader);
    }

    private ExperimentConfig experiment(String more) {
        return loader.parse("""
                data: {type: stub}
                tasks: [{name: rating, head: stub, label: rating}]
                sharing: {type: stub}
                weighting: {type: stub}
                """ + more, "t.yaml");
    }

    @Test
    void anEmptyIncludeReadsEveryFeatureAsALeftOutOneDoes() {
        // what releases before wrote into every saved experiment.yaml and best.yaml: such a file trains again as it is
        assembler.plan(experiment("features: {include: []}\n"), "t.yaml");
        List<FeatureSpec> available = List.of(new FeatureSpec("user_id", Entity.USER, FeatureKind.CATEGORICAL, 3, true, List.of(), false),
                new FeatureSpec("item_id", Entity.ITEM, FeatureKind.CATEGORICAL, 4, true, List.of(), false));
        ExperimentConfig all = experiment("");
        assembler.plan(all, "t.yaml");
        assertEquals(available, assembler.selectFeatures(all, available, "t.yaml"));
        assertEquals(available.subList(1, 2), assembler.selectFeatures(experiment("features: {include: [item_id]}\n"), available, "t.yaml"));
        // a model stored by a release that wrote a left-out include as [] keeps loading, and reads every feature
        ExperimentConfig stored = experiment("features: {include: []}\n");
        assembler.planStored(stored, "t.yaml");
        assertEquals(available, assembler.selectFeatures(stored, available, "t.yaml"));
        assertEquals(available, assembler.selectFeatures(experiment("features: {include: []}\n"), available, "t.yaml"));
    }

    @Test
    void featuresThatAreAllLabelsNameTheTaskOrTheIncludeThatLeftNothing() {
        FeatureSpec rating = new FeatureSpec("rating", Entity.ITEM, FeatureKind.CATEGORICAL, 5, false, List.of(), false);
        FeatureSpec genre = new FeatureSpec("genre", Entity.ITEM, FeatureKind.CATEGORICAL, 3, false, List.of(), false);
        EntityTable users = EntityTable.builder(Entity.USER, List.of("u0")).build();
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0")).categorical("rating", new int[] {4})
                .categorical("genre", new int[] {1}).build();
        Dataset dataset = new Dataset("d", List.of(rating, genre), users, items,
                Map.of(Dataset.TRAIN, new Interactions(new int[] {0}, new int[] {0}, Map.of())), Map.of(), Map.of());
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        ExperimentConfig two = loader.parse("""
                data: {type: stub}
                tasks: [{name: r, head: stub, label: rating}, {name: g, head: stub, label: genre}]
                sharing: {type: stub}
                weighting: {type: stub}
                """, "t.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> assembler.selectFeatures(two, dataset, "t.yaml", quiet));
        assertEquals("t.yaml: tasks[0].label: no feature is left for the encoder once the tasks' labels are removed: the"
                + " experiment's features rating, genre are all labels of its tasks (give the data a feature that is not a label,"
                + " or widen features.include)", e.getMessage());
        // one task: the feature the include kept is its label
        ExperimentConfig only = loader.parse("""
                data: {type: stub}
                tasks: [{name: r, head: stub, label: rating}]
                sharing: {type: stub}
                weighting: {type: stub}
                features: {include: [rating]}
                """, "t.yaml");
        e = assertThrows(ConfigException.class, () -> assembler.selectFeatures(only, dataset, "t.yaml", quiet));
        assertTrue(e.getMessage().startsWith("t.yaml: features.include: no feature is left for the encoder once the tasks' labels"
                + " are removed: the experiment's features rating are"), e.getMessage());
        assertEquals(List.of(genre), assembler.selectFeatures(loader.withOverrides(only, Map.of("features", Map.of("include",
                List.of("rating", "genre"))), "t.yaml", "overrides"), dataset, "t.yaml", quiet));
    }

    @Test
    void aNegativeThreadCountIsRefusedAtItsPath() {
        ConfigException e = assertThrows(ConfigException.class, () -> assembler.plan(experiment("training: {threads: -1}\n"), "t.yaml"));
        assertEquals("t.yaml: training.threads: must be >= 0 (0 chooses: one thread for steps of fewer than 48,000,000"
                + " multiply-adds, else TASKWEAVE_THREADS), got -1", e.getMessage());
        assembler.plan(experiment("training: {threads: 3}\n"), "t.yaml");
    }

    @Test
    void aScheduleSettingTheScheduleDoesNotReadIsRefused() {
        Map<String, String> refused = Map.of(
                "{decay: 0.7}", "optimizer.decay: set, but schedule 'constant' does not use it (only schedule 'step' reads it);"
                        + " remove it, or set optimizer.schedule: step",
                "{decayEpochs: 3}", "optimizer.decayEpochs: set, but schedule 'constant' does not use it (only schedule 'step' reads it)",
                "{finalLearningRate: 0.0001}", "optimizer.finalLearningRate: set, but schedule 'constant' does not use it (only schedule"
                        + " 'cosine' reads it); remove it, or set optimizer.schedule: cosine",
                "{schedule: cosine, decay: 0.1}", "optimizer.decay: set, but schedule 'cosine' does not use it (only schedule 'step'"
                        + " reads it)",
                "{schedule: step, finalLearningRate: 0.001}", "optimizer.finalLearningRate: set, but schedule 'step' does not use it");
        refused.forEach((optimizer, expected) -> {
            ConfigException e = assertThrows(ConfigException.class, () -> assembler.plan(experiment("optimizer: " + optimizer + "\n"),
                    "t.yaml"), optimizer);
            assertTrue(e.getMessage().startsWith("t.yaml: " + expected), e.getMessage());
        });
        assembler.plan(experiment("optimizer: {schedule: step, decay: 0.5, decayEpochs: 2, warmupSteps: 10}\n"), "t.yaml");
        assembler.plan(experiment("optimizer: {schedule: cosine, finalLearningRate: 0.0001}\n"), "t.yaml");
        // a model stored with every setting written out, as releases before wrote them, keeps loading, and its
        // experiment.yaml (or a best.yaml of then) trains again: a setting at its default changes nothing
        assembler.planStored(experiment("optimizer: {schedule: constant, finalLearningRate: 0.0, decay: 0.5, decayEpochs: 1}\n"),
                "t.yaml");
        assembler.plan(experiment("optimizer: {schedule: constant, finalLearningRate: 0.0, decay: 0.5, decayEpochs: 1}\n"), "t.yaml");
        assembler.plan(experiment("optimizer: {schedule: cosine, finalLearningRate: 0.0001, decay: 0.5, decayEpochs: 1}\n"), "t.yaml");
    }

    @Test
    void anOverrideOfTheScheduleDropsTheSettingsOnlyTheOldOneReads() {
        ExperimentConfig step = experiment("optimizer: {schedule: step, decay: 0.3, decayEpochs: 2}\n");
        // a teacher (or a benchmark configuration) on another schedule: the student's decay means nothing to it
        ExperimentConfig cosine = loader.withOverrides(step, Map.of("optimizer", Map.of("schedule", "cosine")), "t.yaml", "overrides");
        assertEquals("cosine", cosine.optimizer.schedule);
        assertEquals(null, cosine.optimizer.decay);
        assertEquals(null, cosine.optimizer.decayEpochs);
        assembler.plan(cosine, "t.yaml");
        ExperimentConfig ending = loader.withOverrides(step, Map.of("optimizer", Map.of("schedule", "cosine", "finalLearningRate", 0.0001)),
                "t.yaml", "overrides");
        assertEquals(0.0001, ending.optimizer.finalLearningRate);
        // the same schedule keeps them, and a setting the override names itself is still refused
        assertEquals(0.3, loader.withOverrides(step, Map.of("optimizer", Map.of("schedule", "step")), "t.yaml", "overrides").optimizer.decay);
        ExperimentConfig both = loader.withOverrides(step, Map.of("optimizer", Map.of("schedule", "cosine", "decay", 0.2)), "t.yaml",
                "overrides");
        ConfigException e = assertThrows(ConfigException.class, () -> assembler.plan(both, "t.yaml"));
        assertTrue(e.getMessage().startsWith("t.yaml: optimizer.decay: set, but schedule 'cosine' does not use it"), e.getMessage());
        assertEquals(0.3, step.optimizer.decay, "the experiment itself is not changed");
    }
}
