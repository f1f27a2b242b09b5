package dev.taskweave.plugins.sharing.advanced;

import static dev.taskweave.testkit.Blocks.forward;
import static dev.taskweave.testkit.Blocks.parameterCount;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.taskweave.testkit.Blocks;

final class CgcBlockTest {
    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private CgcBlock initialized(int tasks, int shared, int owned, int batch) {
        Block block = Strategies.create("cgc", tasks, 10,
                Map.of("sharedExperts", shared, "taskExperts", owned, "expertLayers", List.of(8, 4))).createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(batch, 10));
        return assertInstanceOf(CgcBlock.class, block);
    }

    @Test
    void countsParameters() {
        // input 10, expertLayers [8, 4], 1 shared + 1 task expert, 2 tasks:
        //   an expert 10->8->4:           10*8+8 + 8*4+4     = 124
        //   experts: 1 shared + 2*1 owned = 3 * 124           = 372
        //   gates: 2 tasks * (10->1+1)     = 2 * (10*2+2)     = 44
        //   total                                              = 416
        assertEquals(416, parameterCount(initialized(2, 1, 1, 2)));
        // 2 shared + 2 per task, 3 tasks: (2 + 3*2) * 124 + 3 * (10*4+4) = 992 + 132 = 1124
        assertEquals(1124, parameterCount(initialized(3, 2, 2, 2)));
        // no task experts: 2 shared, 2 tasks: 2 * 124 + 2 * (10*2+2) = 292 (MMoE with 2 experts)
        assertEquals(292, parameterCount(initialized(2, 2, 0, 2)));
    }

    @Test
    void gatesSpanOwnThenSharedExperts() {
        CgcBlock block = initialized(3, 2, 3, 6);
        NDList gates = block.gates(new ParameterStore(manager, false),
                manager.randomNormal(0, 3, new Shape(6, 10), DataType.FLOAT32));
        TestSupport.assertDistributions(gates, 3, new Shape(6, 5));
        assertFalse(gates.get(0).allClose(gates.get(1)), "each task has its own gate");
        TestSupport.assertDistributions(initialized(2, 2, 0, 4).gates(new ParameterStore(manager, false),
                manager.randomNormal(new Shape(4, 10))), 2, new Shape(4, 2));
    }

    @Test
    void taskOutputIsItsGateOverItsOwnAndTheSharedExperts() {
        CgcBlock block = initialized(2, 2, 1, 5);
        ParameterStore ps = new ParameterStore(manager, false);
        NDArray x = manager.randomNormal(new Shape(5, 10));
        Block level = TestSupport.child(block, "level0");
        NDList gates = block.gates(ps, x);
        NDList out = forward(manager, block, x);
        for (int t = 0; t < 2; t++) {
            List<String> names = List.of("task" + t + "_expert0", "shared0", "shared1");
            List<NDArray> experts = new ArrayList<>();
            for (String name : names) {
                experts.add(TestSupport.child(level, name).forward(ps, new NDList(x), false).singletonOrThrow());
            }
            NDArray expected = manager.zeros(new Shape(5, 4));
            for (int e = 0; e < 3; e++) {
                expected = expected.add(experts.get(e).mul(gates.get(t).get(":, " + e).expandDims(1)));
            }
            assertTrue(expected.allClose(out.get(t), 1e-5, 1e-6, false), "task " + t);
        }
    }

    @Test
    void aTasksExpertsOnlyReachThatTask() {
        CgcBlock block = initialized(2, 1, 1, 5);
        NDArray x = manager.randomNormal(new Shape(5, 10));
        NDList before = forward(manager, block, x);
        Block expert = TestSupport.child(TestSupport.child(block, "level0"), "task1_expert0");
        for (Parameter p : expert.getParameters().values()) {
            p.getArray().addi(0.5f);
        }
        NDList after = forward(manager, block, x);
        assertArrayEquals(before.get(0).toFloatArray(), after.get(0).toFloatArray());
        assertFalse(before.get(1).allClose(after.get(1)), "task 1 reads its own expert");
    }

    @Test
    void refusesParametersOfADifferentExpertCount() throws Exception {
        byte[] saved = Blocks.save(initialized(2, 2, 1, 3));
        Block moreShared = Strategies.create("cgc", 2, 10,
                Map.of("sharedExperts", 3, "taskExperts", 1, "expertLayers", List.of(8, 4))).createBlock();
        assertThrows(MalformedModelException.class, () -> Blocks.load(moreShared, manager, saved));
        Block moreOwned = Strategies.create("cgc", 2, 10,
                Map.of("sharedExperts", 2, "taskExperts", 2, "expertLayers", List.of(8, 4))).createBlock();
        assertThrows(MalformedModelException.class, () -> Blocks.load(moreOwned, manager, saved));
    }

    @Test
    void gatesNeedAnInitialisedBlockAndTheRightWidth() {
        CgcBlock block = assertInstanceOf(CgcBlock.class, Strategies.create("cgc", 2, 10, Map.of()).createBlock());
        ParameterStore ps = new ParameterStore(manager, false);
        assertThrows(IllegalStateException.class, () -> block.gates(ps, manager.zeros(new Shape(2, 10))));
        block.initialize(manager, DataType.FLOAT32, new Shape(2, 10));
        assertThrows(IllegalArgumentException.class, () -> block.gates(ps, manager.zeros(new Shape(2, 11))));
        assertEquals(64, block.outputWidth());
        assertEquals(2, block.taskCount());
    }
}
