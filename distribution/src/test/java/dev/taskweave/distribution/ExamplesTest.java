package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.bench.Tuning;
import dev.taskweave.core.Taskweave;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.run.ModelAssembler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every example experiment and tuning file of the distribution loads and validates against the
 * bundled plugins.
 */
class ExamplesTest {
    @Test
    void everyExampleExperimentValidates() throws Exception {
        List<Path> experiments;
        try (var files = Files.list(Dist.home().resolve("examples"))) {
            experiments = files.filter(f -> f.getFileName().toString().endsWith(".yaml"))
                    .filter(f -> !f.getFileName().toString().endsWith("-suite.yaml"))
                    .filter(f -> !f.getFileName().toString().endsWith("-tune.yaml")).sorted().toList();
        }
        assertTrue(experiments.size() >= 7, experiments.toString());
        try (Taskweave taskweave = Taskweave.start(List.of(Dist.plugins()))) {
            ModelAssembler assembler = taskweave.injector().getInstance(ModelAssembler.class);
            for (Path experiment : experiments) {
                assertDoesNotThrow(() -> assembler.plan(new ConfigLoader().load(experiment), experiment.toString()),
                        experiment.toString());
            }
        }
    }

    @Test
    void everyExampleTuningFileValidates() throws Exception {
        List<Path> tunings;
        try (var files = Files.list(Dist.home().resolve("examples"))) {
            tunings = files.filter(f -> f.getFileName().toString().endsWith("-tune.yaml")).sorted().toList();
        }
        assertTrue(tunings.size() >= 2, tunings.toString());
        try (Taskweave taskweave = Taskweave.start(List.of(Dist.plugins()))) {
            ModelAssembler assembler = taskweave.injector().getInstance(ModelAssembler.class);
            for (Path tuning : tunings) {
                Tuning loaded = assertDoesNotThrow(() -> Tuning.load(tuning, new ConfigLoader(), e -> assembler.plan(e, null)),
                        tuning.toString());
                assertTrue(loaded.points().size() >= 2, tuning + ": " + loaded.points());
            }
        }
    }
}
