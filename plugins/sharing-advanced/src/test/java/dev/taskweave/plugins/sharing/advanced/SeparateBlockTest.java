package dev.taskweave.plugins.sharing.advanced;

import static dev.taskweave.testkit.Blocks.forward;
import static dev.taskweave.testkit.Blocks.parameterCount;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.taskweave.api.model.SharingStrategy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class SeparateBlockTest {
    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private Block initialized(int tasks, List<Integer> layers) {
        Block block = Strategies.create("separate", tasks, 10, Map.of("layers", layers)).createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(4, 10));
        return assertInstanceOf(SeparateBlock.class, block);
    }

    @Test
    void countsParameters() {
        // one column 10->8->4 per task: 124 each
        assertEquals(124, parameterCount(initialized(1, List.of(8, 4))));
        assertEquals(3 * 124, parameterCount(initialized(3, List.of(8, 4))));
        assertEquals(3 * 4, initialized(3, List.of(8, 4)).getParameters().size());
    }

    @Test
    void columnsAreIndependent() {
        Block block = initialized(3, List.of(8, 4));
        NDArray x = manager.randomNormal(new Shape(4, 10));
        NDList before = forward(manager, block, x);
        assertFalse(before.get(0).allClose(before.get(1)), "each task has its own column");
        for (Parameter p : TestSupport.child(block, "task1").getParameters().values()) {
            p.getArray().addi(0.5f);
        }
        NDList after = forward(manager, block, x);
        assertArrayEquals(before.get(0).toFloatArray(), after.get(0).toFloatArray());
        assertArrayEquals(before.get(2).toFloatArray(), after.get(2).toFloatArray());
        assertFalse(before.get(1).allClose(after.get(1)));
    }

    @Test
    void eachTaskReceivesItsColumnsOutput() {
        Block block = initialized(2, List.of(8, 4));
        NDArray x = manager.randomNormal(new Shape(4, 10));
        NDList out = forward(manager, block, x);
        for (int t = 0; t < 2; t++) {
            NDArray column = TestSupport.child(block, "task" + t)
                    .forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
            assertArrayEquals(column.toFloatArray(), out.get(t).toFloatArray());
        }
    }

    @Test
    void emptyLayersHandsTheInputToEveryTask() {
        SharingStrategy strategy = Strategies.create("separate", 2, 10, Map.of("layers", List.of()));
        assertEquals(10, strategy.outputWidth());
        Block block = strategy.createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(3, 10));
        assertEquals(0, parameterCount(block));
        NDArray x = manager.randomNormal(new Shape(3, 10));
        NDList out = forward(manager, block, x);
        assertEquals(2, out.size());
        assertArrayEquals(x.toFloatArray(), out.get(0).toFloatArray());
        assertArrayEquals(x.toFloatArray(), out.get(1).toFloatArray());
    }
}
