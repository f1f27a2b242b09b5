package dev.taskweave.plugins.weighting;

import ai.djl.ndarray.NDManager;
import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.WeightingContext;
import dev.taskweave.testkit.PluginConfigs;
import dev.taskweave.testkit.WeightingChecks;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The basic weightings against the testkit's contract, with 3 tasks of unequal weights. */
class TestWeightingContracts {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static final WeightingContext CONTEXT = new WeightingContext(List.of("rating", "like", "watch"), List.of(1.0, 0.5, 2.0));

    @Test
    void fixed() {
        Supplier<LossWeighting> create = () -> new FixedWeightingFactory().create(
                PluginConfigs.bind(Map.of(), FixedWeightingConfig.class), CONTEXT);
        WeightingChecks.assertContract(manager, create, 3);
    }

    @Test
    void equal() {
        Supplier<LossWeighting> create = () -> new EqualWeightingFactory().create(
                PluginConfigs.bind(Map.of(), FixedWeightingConfig.class), CONTEXT);
        WeightingChecks.assertContract(manager, create, 3);
    }

    @Test
    void uncertainty() {
        Supplier<LossWeighting> create = () -> new UncertaintyWeightingFactory().create(
                PluginConfigs.bindValid(Map.of("initialLogVariance", -0.5), UncertaintyWeightingConfig.class), CONTEXT);
        WeightingChecks.assertContract(manager, create, 3);
    }
}
