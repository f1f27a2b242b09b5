package dev.taskweave.plugins.sharing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.taskweave.api.model.SharingContext;
import dev.taskweave.api.model.TaskOwnedParameters;
import dev.taskweave.testkit.PluginConfigs;
import dev.taskweave.testkit.SharingChecks;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MMoE declares each task's gate as that task's own (3 tasks, 2 experts {@code 10 -> 8 -> 4}), and
 * the declaration is exact: only that task's output reaches a gate, every task's reaches every
 * expert. Shared-bottom shares everything. Both meet the testkit's sharing contract.
 */
final class TaskOwnershipTest {
    private static final SharingContext CONTEXT = new SharingContext(List.of("task0", "task1", "task2"), 10);

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(7);
        dev.taskweave.api.nn.FastDropout.seed(7);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    @Test
    void bothStrategiesMeetTheSharingContract() {
        SharingChecks.assertContract(manager, new MmoeFactory().create(PluginConfigs.bindValid(
                Map.of("experts", 2, "expertLayers", List.of(8, 4)), MmoeConfig.class), CONTEXT), 3,
                manager.randomNormal(new Shape(4, 10)));
        SharingChecks.assertContract(manager, new SharedBottomFactory().create(PluginConfigs.bindValid(
                Map.of("layers", List.of(8, 4)), SharedBottomConfig.class), CONTEXT), 3,
                manager.randomNormal(new Shape(4, 10)));
    }

    @Test
    void mmoeOwnsEachTasksGate() {
        MmoeBlock block = new MmoeBlock(10, 3, 2, List.of(8, 4), 0);
        block.initialize(manager, DataType.FLOAT32, new Shape(4, 10));
        Map<Parameter, String> names = new IdentityHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            names.put(p.getValue(), SharingChecks.plainName(p.getKey()));
        }
        for (int t = 0; t < 3; t++) {
            List<String> owned = new ArrayList<>();
            long size = 0;
            for (Parameter p : block.taskOwnedParameters(t)) {
                owned.add(names.get(p));
                size += p.getArray().size();
            }
            assertEquals(List.of("gate" + t + "_weight", "gate" + t + "_bias"), owned);
            assertEquals(10 * 2 + 2, size);
        }

        Map<String, List<Integer>> reach = SharingChecks.assertOwnership(manager, block, manager.randomNormal(new Shape(4, 10)), 3);
        reach.forEach((name, tasks) -> {
            if (!name.startsWith("gate")) {
                assertEquals(List.of(0, 1, 2), tasks, name);
            }
        });
        assertEquals(2 * 4 + 3 * 2, reach.size());
    }

    @Test
    void bothNameTheSharedLayerClosestToTheHeads() {
        MmoeBlock mmoe = new MmoeBlock(10, 3, 2, List.of(8, 4), 0);
        mmoe.initialize(manager, DataType.FLOAT32, new Shape(4, 10));
        assertEquals(List.of("expert0_linear1_weight", "expert0_linear1_bias", "expert1_linear1_weight", "expert1_linear1_bias"),
                SharingChecks.assertLastSharedLayer(manager, mmoe, manager.randomNormal(new Shape(4, 10)), 3));
        SharedBottomBlock bottom = new SharedBottomBlock(10, 3, List.of(8, 4), 0);
        bottom.initialize(manager, DataType.FLOAT32, new Shape(4, 10));
        assertEquals(List.of("bottom_linear1_weight", "bottom_linear1_bias"),
                SharingChecks.assertLastSharedLayer(manager, bottom, manager.randomNormal(new Shape(4, 10)), 3));
        // a bottom without layers has none: every shared parameter (the encoder's) is GradNorm's reference
        SharedBottomBlock identity = new SharedBottomBlock(10, 3, List.of(), 0);
        identity.initialize(manager, DataType.FLOAT32, new Shape(4, 10));
        assertEquals(List.of(), identity.lastSharedLayer());
    }

    @Test
    void sharedBottomSharesEverything() {
        assertFalse(TaskOwnedParameters.class.isAssignableFrom(SharedBottomBlock.class));
    }
}
