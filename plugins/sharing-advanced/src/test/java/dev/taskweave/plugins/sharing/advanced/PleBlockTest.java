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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import dev.taskweave.testkit.Blocks;

final class PleBlockTest {
    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private Block initialized(String type, int tasks, int levels, int shared, int owned, int batch) {
        Map<String, Object> params = type.equals("ple")
                ? Map.of("levels", levels, "sharedExperts", shared, "taskExperts", owned, "expertLayers", List.of(8, 4))
                : Map.of("sharedExperts", shared, "taskExperts", owned, "expertLayers", List.of(8, 4));
        Block block = Strategies.create(type, tasks, 10, params).createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(batch, 10));
        return block;
    }

    @ParameterizedTest
    @CsvSource({"1,1", "1,3", "2,1", "2,2", "3,3"})
    void returnsOneOutputPerTaskAtAnyDepth(int levels, int tasks) {
        PleBlock block = assertInstanceOf(PleBlock.class, initialized("ple", tasks, levels, 2, 1, 5));
        assertEquals(levels, block.levelCount());
        NDList out = forward(manager, block, manager.randomNormal(new Shape(5, 10)));
        assertEquals(tasks, out.size());
        for (NDArray task : out) {
            assertEquals(new Shape(5, 4), task.getShape());
        }
        Shape[] shapes = block.getOutputShapes(new Shape[] {new Shape(5, 10)});
        assertEquals(tasks, shapes.length);
        assertEquals(new Shape(5, 4), shapes[tasks - 1]);
    }

    @Test
    void countsParameters() {
        // input 10, expertLayers [8, 4], 1 shared + 1 task expert, 2 tasks
        // level 1 (reads x, width 10):
        //   3 experts 10->8->4:                3 * (10*8+8 + 8*4+4) = 3 * 124 = 372
        //   2 task gates 10->2:                2 * (10*2+2)          = 44
        //   shared gate over all 3 experts:    10*3+3                = 33
        //   level 1                                                  = 449
        // level 2 (reads the 4-wide outputs of level 1), the last, so no shared gate:
        //   3 experts 4->8->4:                 3 * (4*8+8 + 8*4+4)   = 3 * 76 = 228
        //   2 task gates 4->2:                 2 * (4*2+2)           = 20
        //   level 2                                                  = 248
        // levels 1: 372 + 44 = 416 (= CGC); levels 2: 449 + 248 = 697
        assertEquals(416, parameterCount(initialized("ple", 2, 1, 1, 1, 2)));
        assertEquals(697, parameterCount(initialized("ple", 2, 2, 1, 1, 2)));
        // 3 levels add one more 4-wide level with a shared gate on level 2: 697 + (4*3+3) + 248 = 960
        assertEquals(960, parameterCount(initialized("ple", 2, 3, 1, 1, 2)));
    }

    @Test
    void oneLevelHasTheParametersOfCgc() {
        for (int tasks = 1; tasks <= 3; tasks++) {
            Block ple = initialized("ple", tasks, 1, 2, 3, 2);
            Block cgc = initialized("cgc", tasks, 0, 2, 3, 2);
            assertEquals(parameterCount(cgc), parameterCount(ple));
            assertEquals(cgc.getParameters().keys(), ple.getParameters().keys());
        }
    }

    @Test
    void oneLevelComputesWhatCgcComputes() {
        Block ple = initialized("ple", 3, 1, 2, 1, 4);
        Block cgc = initialized("cgc", 3, 0, 2, 1, 4);
        TestSupport.copyParameters(cgc, ple, "");
        NDArray x = manager.randomNormal(new Shape(4, 10));
        NDList expected = forward(manager, cgc, x);
        NDList actual = forward(manager, ple, x);
        ParameterStore ps = new ParameterStore(manager, false);
        NDList cgcGates = ((CgcBlock) cgc).gates(ps, x);
        NDList pleGates = ((PleBlock) ple).gates(ps, x);
        for (int t = 0; t < 3; t++) {
            assertArrayEquals(expected.get(t).toFloatArray(), actual.get(t).toFloatArray());
            assertArrayEquals(cgcGates.get(t).toFloatArray(), pleGates.get(t).toFloatArray());
        }
    }

    @Test
    void gatesOfTheLastLevelAreDistributions() {
        PleBlock block = assertInstanceOf(PleBlock.class, initialized("ple", 3, 2, 2, 2, 6));
        NDList gates = block.gates(new ParameterStore(manager, false),
                manager.randomNormal(0, 3, new Shape(6, 10), DataType.FLOAT32));
        TestSupport.assertDistributions(gates, 3, new Shape(6, 4));
        assertFalse(gates.get(0).allClose(gates.get(2)), "each task has its own gate");
    }

    @Test
    void theSharedGateCarriesTaskExpertsIntoTheNextLevel() {
        // at level 2, task 0 reads task 1's level-1 experts only through level 1's shared gate
        PleBlock block = assertInstanceOf(PleBlock.class, initialized("ple", 2, 2, 1, 1, 5));
        NDArray x = manager.randomNormal(new Shape(5, 10));
        NDList before = forward(manager, block, x);
        Block expert = TestSupport.child(TestSupport.child(block, "level0"), "task1_expert0");
        for (Parameter p : expert.getParameters().values()) {
            p.getArray().addi(0.5f);
        }
        NDList changed = forward(manager, block, x);
        assertFalse(before.get(0).allClose(changed.get(0)), "task 0 sees task 1's expert through the shared path");

        PleBlock single = assertInstanceOf(PleBlock.class, initialized("ple", 2, 1, 1, 1, 5));
        NDList singleBefore = forward(manager, single, x);
        for (Parameter p : TestSupport.child(TestSupport.child(single, "level0"), "task1_expert0")
                .getParameters().values()) {
            p.getArray().addi(0.5f);
        }
        assertArrayEquals(singleBefore.get(0).toFloatArray(), forward(manager, single, x).get(0).toFloatArray(),
                "with one level task experts stay private");
    }

    @Test
    void levelsReadTheOutputsOfThePreviousLevel() {
        PleBlock block = assertInstanceOf(PleBlock.class, initialized("ple", 2, 2, 1, 1, 3));
        Block last = TestSupport.child(block, "level1");
        Block first = TestSupport.child(block, "level0");
        ParameterStore ps = new ParameterStore(manager, false);
        NDArray x = manager.randomNormal(new Shape(3, 10));
        NDList hidden = first.forward(ps, new NDList(x, x, x), false);
        assertEquals(3, hidden.size(), "two task outputs and the shared one");
        NDList expected = last.forward(ps, hidden, false);
        NDList out = forward(manager, block, x);
        for (int t = 0; t < 2; t++) {
            assertTrue(expected.get(t).allClose(out.get(t), 1e-6, 1e-7, false));
        }
    }

    @Test
    void refusesParametersOfADifferentDepth() throws Exception {
        byte[] saved = Blocks.save(initialized("ple", 2, 2, 1, 1, 3));
        Block deeper = Strategies.create("ple", 2, 10,
                Map.of("levels", 3, "sharedExperts", 1, "taskExperts", 1, "expertLayers", List.of(8, 4))).createBlock();
        assertThrows(MalformedModelException.class, () -> Blocks.load(deeper, manager, saved));
    }

    @Test
    void gatesNeedAnInitialisedBlockAndTheRightWidth() {
        PleBlock block = assertInstanceOf(PleBlock.class, Strategies.create("ple", 2, 10, Map.of()).createBlock());
        ParameterStore ps = new ParameterStore(manager, false);
        assertThrows(IllegalStateException.class, () -> block.gates(ps, manager.zeros(new Shape(2, 10))));
        block.initialize(manager, DataType.FLOAT32, new Shape(2, 10));
        assertThrows(IllegalArgumentException.class, () -> block.gates(ps, manager.zeros(new Shape(2, 3))));
        assertEquals(32, block.outputWidth());
        assertEquals(2, block.levelCount());
    }
}
