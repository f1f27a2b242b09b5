package dev.taskweave.plugins.weighting.dynamic;

import ai.djl.ndarray.NDManager;
import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.LossWeightingFactory;
import dev.taskweave.api.model.WeightingContext;
import dev.taskweave.testkit.PluginConfigs;
import dev.taskweave.testkit.WeightingChecks;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every dynamic weighting against the testkit's contract, with 3 tasks of unequal weights. */
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

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Supplier<LossWeighting> weighting(LossWeightingFactory factory, Map<String, Object> params) {
        return () -> {
            Object config = PluginConfigs.bind(params, factory.configClass());
            if (config instanceof dev.taskweave.api.ValidatedConfig v) {
                v.validate();
            }
            return factory.create(config, CONTEXT);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"dwa", "gradnorm", "pcgrad", "mgda", "mgda-loss+", "cagrad", "rlw"})
    void meetsTheContract(String type) {
        Supplier<LossWeighting> create = switch (type) {
            case "dwa" -> weighting(new DwaWeightingFactory(), Map.of());
            case "gradnorm" -> weighting(new GradNormWeightingFactory(), Map.of());
            case "pcgrad" -> weighting(new PcGradWeightingFactory(), Map.of("seed", 3));
            case "mgda" -> weighting(new MgdaWeightingFactory(), Map.of());
            case "mgda-loss+" -> weighting(new MgdaWeightingFactory(), Map.of("normalization", "loss+"));
            case "cagrad" -> weighting(new CaGradWeightingFactory(), Map.of());
            case "rlw" -> weighting(new RlwWeightingFactory(), Map.of());
            default -> throw new IllegalArgumentException(type);
        };
        WeightingChecks.assertContract(manager, create, 3);
    }
}
