package dev.taskweave.plugins.sharing.advanced;

import static dev.taskweave.testkit.Blocks.forward;
import static dev.taskweave.testkit.Blocks.parameterCount;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.taskweave.testkit.Blocks;

final class SoftL2BlockTest {
    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private SoftL2Block initialized(int tasks, int width, List<Integer> layers, double penalty) {
        Block block = Strategies.create("soft-l2", tasks, width, Map.of("layers", layers, "penalty", penalty))
                .createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(4, width));
        return assertInstanceOf(SoftL2Block.class, block);
    }

    private void set(Block block, String parameter, float... values) {
        NDArray array = TestSupport.parameter(block, parameter).getArray();
        manager.create(values, array.getShape()).copyTo(array);
    }

    private static float loss(SoftL2Block block, NDManager manager) {
        return block.auxiliaryLoss(new ParameterStore(manager, false), true).getFloat();
    }

    /** The sum over task pairs and parameters of the squared differences, from raw floats. */
    private static double squaredDistance(Block block, int tasks) {
        List<Parameter> all = block.getParameters().values();
        int perTask = all.size() / tasks;
        double total = 0;
        for (int s = 0; s < tasks; s++) {
            for (int t = s + 1; t < tasks; t++) {
                for (int i = 0; i < perTask; i++) {
                    float[] a = all.get(s * perTask + i).getArray().toFloatArray();
                    float[] b = all.get(t * perTask + i).getArray().toFloatArray();
                    for (int k = 0; k < a.length; k++) {
                        total += (a[k] - b[k]) * (a[k] - b[k]);
                    }
                }
            }
        }
        return total;
    }

    @Test
    void countsParameters() {
        assertEquals(2 * 124, parameterCount(initialized(2, 10, List.of(8, 4), 1e-3)));
    }

    @Test
    void penaltyMatchesAHandComputation() {
        // input 2, one layer of 1 unit: each column is W [1, 2] and b [1]
        SoftL2Block block = initialized(3, 2, List.of(1), 0.1);
        set(block, "task0_linear0_weight", 1, 2);
        set(block, "task0_linear0_bias", 0.5f);
        set(block, "task1_linear0_weight", 0, 4);
        set(block, "task1_linear0_bias", -0.5f);
        set(block, "task2_linear0_weight", 1, 1);
        set(block, "task2_linear0_bias", 0);
        // (0,1): 1 + 4 + 1 = 6; (0,2): 0 + 1 + 0.25 = 1.25; (1,2): 1 + 9 + 0.25 = 10.25; sum 17.5; * 0.1
        assertEquals(1.75, loss(block, manager), 1e-6);
        assertEquals(1.75, block.auxiliaryLoss(new ParameterStore(manager, false), false).getFloat(), 1e-6);
        assertEquals(new Shape(), block.auxiliaryLoss(new ParameterStore(manager, false), true).getShape());
    }

    @Test
    void penaltyCoversEveryLayer() {
        SoftL2Block block = initialized(2, 6, List.of(5, 3), 0.25);
        assertEquals(0.25 * squaredDistance(block, 2), loss(block, manager), 1e-4);
        SoftL2Block three = initialized(3, 6, List.of(5, 3), 2.0);
        assertEquals(2.0 * squaredDistance(three, 3), loss(three, manager), 1e-3);
    }

    @Test
    void penaltyIsZeroForOneTaskOrAZeroCoefficient() {
        assertEquals(0f, loss(initialized(1, 10, List.of(8, 4), 1.0), manager));
        assertEquals(0f, loss(initialized(2, 10, List.of(8, 4), 0.0), manager));
        SoftL2Block identical = initialized(2, 10, List.of(8, 4), 1.0);
        TestSupport.copyParameters(blockOfColumn(identical, 0), blockOfColumn(identical, 1), "");
        assertEquals(0f, loss(identical, manager));
    }

    private static Block blockOfColumn(Block block, int task) {
        return TestSupport.child(block, "task" + task);
    }

    @Test
    void penaltyGradientPullsTheColumnsTogether() {
        SoftL2Block block = initialized(2, 2, List.of(1), 0.1);
        set(block, "task0_linear0_weight", 1, 2);
        set(block, "task0_linear0_bias", 0.5f);
        set(block, "task1_linear0_weight", 0, 4);
        set(block, "task1_linear0_bias", -0.5f);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(block.auxiliaryLoss(new ParameterStore(manager, false), true));
        }
        // d/dW_0 of 0.1 * ||W_0 - W_1||^2 = 0.2 * (W_0 - W_1) = 0.2 * (1, -2); W_1 gets the opposite
        Map<String, float[]> expected = Map.of(
                "task0_linear0_weight", new float[] {0.2f, -0.4f},
                "task0_linear0_bias", new float[] {0.2f},
                "task1_linear0_weight", new float[] {-0.2f, 0.4f},
                "task1_linear0_bias", new float[] {-0.2f});
        for (Map.Entry<String, float[]> e : expected.entrySet()) {
            NDArray gradient = TestSupport.parameter(block, e.getKey()).getArray().getGradient();
            assertArrayEquals(e.getValue(), gradient.toFloatArray(), 1e-6f, e.getKey());
        }
    }

    @Test
    void aLargePenaltyKeepsTheColumnsCloser() {
        SoftL2Block free = assertInstanceOf(SoftL2Block.class,
                Strategies.create("soft-l2", 2, 6, Map.of("layers", List.of(16, 8), "penalty", 0.0)).createBlock());
        double[][] freeLosses = Blocks.fitTwoTasks(manager, free, 6, 60);
        SoftL2Block tied = assertInstanceOf(SoftL2Block.class,
                Strategies.create("soft-l2", 2, 6, Map.of("layers", List.of(16, 8), "penalty", 1.0)).createBlock());
        double[][] tiedLosses = Blocks.fitTwoTasks(manager, tied, 6, 60);

        assertArrayEquals(new double[] {freeLosses[0][0], freeLosses[1][0]},
                new double[] {tiedLosses[0][0], tiedLosses[1][0]}, 1e-6, "both runs start from the same weights");
        double freeDistance = squaredDistance(free, 2);
        double tiedDistance = squaredDistance(tied, 2);
        assertTrue(tiedDistance < 0.5 * freeDistance, "distance " + freeDistance + " vs " + tiedDistance);
        for (double[] loss : tiedLosses) {
            assertTrue(loss[1] < loss[0], "the tied columns still learn: " + loss[0] + " -> " + loss[1]);
        }
    }

    @Test
    void outputsAreTheColumns() {
        SoftL2Block block = initialized(2, 10, List.of(8, 4), 1.0);
        NDArray x = manager.randomNormal(new Shape(4, 10));
        NDList out = forward(manager, block, x);
        for (int t = 0; t < 2; t++) {
            NDArray column = blockOfColumn(block, t)
                    .forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
            assertArrayEquals(column.toFloatArray(), out.get(t).toFloatArray());
        }
    }

    @Test
    void penaltyNeedsAnInitialisedBlock() {
        Block block = Strategies.create("soft-l2", 2, 10, Map.of()).createBlock();
        SoftL2Block soft = assertInstanceOf(SoftL2Block.class, block);
        assertThrows(IllegalStateException.class,
                () -> soft.auxiliaryLoss(new ParameterStore(manager, false), true));
        assertThrows(NullPointerException.class, () -> soft.auxiliaryLoss(null, true));
        assertEquals(64, soft.outputWidth());
        assertEquals(1e-3, soft.penalty(), 1e-9);
    }
}
