package dev.taskweave.plugins.sharing.advanced;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.taskweave.api.model.LastSharedLayer;
import dev.taskweave.api.model.TaskOwnedParameters;
import dev.taskweave.testkit.SharingChecks;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which parameters each strategy declares as one task's own (3 tasks, input width 10, expert or
 * column layers {@code [8, 4]}), and that the declaration is exact: no other task's output has a
 * gradient with respect to a declared parameter, and every undeclared parameter gets a gradient
 * from at least two tasks.
 */
final class TaskOwnershipTest {
    private static final int TASKS = 3;

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
    void everyStrategyMeetsTheSharingContract() {
        for (String type : Strategies.TYPES) {
            SharingChecks.assertContract(manager, Strategies.create(type, TASKS, 10, Strategies.small(type)), TASKS,
                    manager.randomNormal(new Shape(4, 10)));
        }
    }

    @Test
    void separateAndSoftL2OwnTheirColumns() {
        for (String type : List.of("separate", "soft-l2")) {
            Block block = initialized(type, Map.of("layers", List.of(8, 4)));
            for (int t = 0; t < TASKS; t++) {
                assertEquals(List.of("task" + t + "_linear0_weight", "task" + t + "_linear0_bias",
                        "task" + t + "_linear1_weight", "task" + t + "_linear1_bias"), ownedNames(block, t), type);
                // 10 * 8 + 8 + 8 * 4 + 4
                assertEquals(124, size(owned(block, t)), type);
            }
            assertExact(block, type);
        }
    }

    @Test
    void cgcOwnsEachTasksExpertsAndGate() {
        Block block = initialized("cgc", Map.of("sharedExperts", 2, "taskExperts", 1, "expertLayers", List.of(8, 4)));
        for (int t = 0; t < TASKS; t++) {
            assertEquals(List.of("level0_task" + t + "_expert0_linear0_weight", "level0_task" + t + "_expert0_linear0_bias",
                    "level0_task" + t + "_expert0_linear1_weight", "level0_task" + t + "_expert0_linear1_bias",
                    "level0_gate" + t + "_weight", "level0_gate" + t + "_bias"), ownedNames(block, t));
            // the expert as above (124), the gate 10 -> 1 + 2 experts (33)
            assertEquals(124 + 33, size(owned(block, t)));
        }
        assertExact(block, "cgc");
    }

    @Test
    void pleOwnsTheLastLevelsExpertsAndTheLastTwoLevelsGates() {
        Block block = initialized("ple",
                Map.of("levels", 3, "sharedExperts", 2, "taskExperts", 1, "expertLayers", List.of(8, 4)));
        for (int t = 0; t < TASKS; t++) {
            assertEquals(List.of("level1_gate" + t + "_weight", "level1_gate" + t + "_bias",
                    "level2_task" + t + "_expert0_linear0_weight", "level2_task" + t + "_expert0_linear0_bias",
                    "level2_task" + t + "_expert0_linear1_weight", "level2_task" + t + "_expert0_linear1_bias",
                    "level2_gate" + t + "_weight", "level2_gate" + t + "_bias"), ownedNames(block, t));
            // gates 4 -> 3 (15) at levels 1 and 2; the last level's expert 4 -> 8 -> 4 (76)
            assertEquals(15 + 76 + 15, size(owned(block, t)));
        }
        assertExact(block, "ple");
    }

    @Test
    void pleWithoutTaskExpertsOwnsEveryLevelsGate() {
        Block block = initialized("ple",
                Map.of("levels", 3, "sharedExperts", 2, "taskExperts", 0, "expertLayers", List.of(8, 4)));
        for (int t = 0; t < TASKS; t++) {
            assertEquals(List.of("level0_gate" + t + "_weight", "level0_gate" + t + "_bias", "level1_gate" + t + "_weight",
                    "level1_gate" + t + "_bias", "level2_gate" + t + "_weight", "level2_gate" + t + "_bias"), ownedNames(block, t));
            // 10 -> 2 (22), then 4 -> 2 (10) twice
            assertEquals(22 + 10 + 10, size(owned(block, t)));
        }
        assertExact(block, "ple without task experts");
    }

    @Test
    void crossStitchAndOmoeShareEverything() {
        Block stitch = initialized("cross-stitch", Map.of("layers", List.of(8, 4)));
        assertFalse(stitch instanceof TaskOwnedParameters, "every column feeds every task through the stitch units");
        SharingChecks.reach(manager, stitch, manager.randomNormal(new Shape(4, 10)), TASKS)
                .forEach((name, tasks) -> assertEquals(List.of(0, 1, 2), tasks, name));
        assertFalse(initialized("omoe", Map.of("experts", 3, "expertLayers", List.of(8, 4))) instanceof TaskOwnedParameters);
    }

    @Test
    void eachStrategyNamesTheSharedLayerClosestToTheHeads() {
        // the shared experts of the (last) level, each expert's second layer 8 -> 4
        assertEquals(List.of("level0_shared0_linear1_weight", "level0_shared0_linear1_bias",
                "level0_shared1_linear1_weight", "level0_shared1_linear1_bias"),
                lastLayer("cgc", Map.of("sharedExperts", 2, "taskExperts", 1, "expertLayers", List.of(8, 4))));
        assertEquals(List.of("level2_shared0_linear1_weight", "level2_shared0_linear1_bias",
                "level2_shared1_linear1_weight", "level2_shared1_linear1_bias"),
                lastLayer("ple", Map.of("levels", 3, "sharedExperts", 2, "taskExperts", 1, "expertLayers", List.of(8, 4))));
        // without task experts the gates are still the tasks' own; one level is CGC's layer
        assertEquals(List.of("level1_shared0_linear1_weight", "level1_shared0_linear1_bias",
                "level1_shared1_linear1_weight", "level1_shared1_linear1_bias"),
                lastLayer("ple", Map.of("levels", 2, "sharedExperts", 2, "taskExperts", 0, "expertLayers", List.of(8, 4))));
        assertEquals(List.of("level0_shared0_linear1_weight", "level0_shared0_linear1_bias"),
                lastLayer("ple", Map.of("levels", 1, "sharedExperts", 1, "taskExperts", 1, "expertLayers", List.of(8, 4))));
        // every expert's last layer and the one gate that mixes them for every task
        assertEquals(List.of("expert0_linear1_weight", "expert0_linear1_bias", "expert1_linear1_weight", "expert1_linear1_bias",
                "expert2_linear1_weight", "expert2_linear1_bias", "gate_weight", "gate_bias"),
                lastLayer("omoe", Map.of("experts", 3, "expertLayers", List.of(8, 4))));
        // every column's last layer and the cross-stitch unit after it
        assertEquals(List.of("task0_linear1_weight", "task0_linear1_bias", "task1_linear1_weight", "task1_linear1_bias",
                "task2_linear1_weight", "task2_linear1_bias", "alpha1"),
                lastLayer("cross-stitch", Map.of("layers", List.of(8, 4))));
        // columns of their own: no shared layer (GradNorm then measures on the encoder)
        for (String type : List.of("separate", "soft-l2")) {
            assertFalse(initialized(type, Map.of("layers", List.of(8, 4))) instanceof LastSharedLayer, type);
        }
    }

    private List<String> lastLayer(String type, Map<String, ?> params) {
        return SharingChecks.assertLastSharedLayer(manager, initialized(type, params), manager.randomNormal(new Shape(4, 10)), TASKS);
    }

    private Block initialized(String type, Map<String, ?> params) {
        Block block = Strategies.create(type, TASKS, 10, params).createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(4, 10));
        return block;
    }

    private static List<Parameter> owned(Block block, int task) {
        return assertInstanceOf(TaskOwnedParameters.class, block).taskOwnedParameters(task);
    }

    private static List<String> ownedNames(Block block, int task) {
        Map<Parameter, String> names = new IdentityHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            names.put(p.getValue(), SharingChecks.plainName(p.getKey()));
        }
        List<String> result = new ArrayList<>();
        for (Parameter p : owned(block, task)) {
            result.add(names.get(p));
        }
        return result;
    }

    private static long size(List<Parameter> params) {
        return params.stream().mapToLong(p -> p.getArray().size()).sum();
    }

    /** Declared parameters get only their task's gradient (the testkit's check); the others get at least two tasks'. */
    private void assertExact(Block block, String what) {
        Map<String, List<Integer>> reach = SharingChecks.assertOwnership(manager, block, manager.randomNormal(new Shape(4, 10)), TASKS);
        Set<String> declared = new HashSet<>();
        for (int t = 0; t < TASKS; t++) {
            declared.addAll(ownedNames(block, t));
        }
        reach.forEach((name, tasks) -> {
            if (!declared.contains(name)) {
                assertTrue(tasks.size() >= 2, what + ": " + name + " is shared but only tasks " + tasks + " reach it");
            }
        });
    }
}
