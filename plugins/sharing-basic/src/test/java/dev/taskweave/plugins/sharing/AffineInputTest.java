package dev.taskweave.plugins.sharing;

import static dev.taskweave.testkit.Blocks.forward;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.taskweave.api.model.AffineInput;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The serving factorisation: running from {@code x W^T + b} gives exactly the block's output. */
final class AffineInputTest {
    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private void assertSameOutputs(AffineInput block, int width, long units) {
        NDArray x = manager.randomNormal(new Shape(7, width));
        NDList expected = forward(manager, (ai.djl.nn.Block) block, x);
        ParameterStore ps = new ParameterStore(manager, false);
        NDList map = block.inputMap(ps, manager.getDevice());
        assertEquals(new Shape(units, width), map.get(0).getShape());
        assertEquals(new Shape(units), map.get(1).getShape());
        NDArray mapped = x.matMul(map.get(0).transpose()).add(map.get(1));
        NDList actual = block.forwardMapped(ps, mapped, false, null);
        assertEquals(expected.size(), actual.size());
        for (int t = 0; t < expected.size(); t++) {
            float gap = expected.get(t).sub(actual.get(t)).abs().max().getFloat();
            assertTrue(gap < 1e-5f, "task " + t + " differs by " + gap);
        }
    }

    @Test
    void mmoeRunsFromItsExpertsAndGatesFirstLayer() {
        MmoeBlock block = new MmoeBlock(10, 3, 4, List.of(8, 5), 0.1);
        block.initialize(manager, DataType.FLOAT32, new Shape(7, 10));
        // 4 experts x 8 units, then 3 gates x 4 experts
        assertSameOutputs(block, 10, 4 * 8 + 3 * 4);
    }

    @Test
    void mmoeComputesOnlyTheWantedTasks() {
        MmoeBlock block = new MmoeBlock(6, 3, 2, List.of(4, 3), 0.0);
        block.initialize(manager, DataType.FLOAT32, new Shape(5, 6));
        NDArray x = manager.randomNormal(new Shape(5, 6));
        NDList expected = forward(manager, block, x);
        ParameterStore ps = new ParameterStore(manager, false);
        NDList map = block.inputMap(ps, manager.getDevice());
        NDList actual = block.forwardMapped(ps, x.matMul(map.get(0).transpose()).add(map.get(1)), false,
                new boolean[] {false, true, false});
        assertNull(actual.get(0));
        assertNull(actual.get(2));
        assertTrue(expected.get(1).sub(actual.get(1)).abs().max().getFloat() < 1e-5f);
    }

    @Test
    void mmoeWithOneLayerExperts() {
        MmoeBlock block = new MmoeBlock(6, 2, 3, List.of(4), 0.0);
        block.initialize(manager, DataType.FLOAT32, new Shape(7, 6));
        assertSameOutputs(block, 6, 3 * 4 + 2 * 3);
    }

    @Test
    void mmoeInTrainingModeWithoutDropoutToo() {
        MmoeBlock block = new MmoeBlock(5, 2, 3, List.of(4, 3), 0.0);
        block.initialize(manager, DataType.FLOAT32, new Shape(7, 5));
        NDArray x = manager.randomNormal(new Shape(7, 5));
        ParameterStore ps = new ParameterStore(manager, false);
        NDList expected = block.forward(ps, new NDList(x), true);
        NDList map = block.inputMap(ps, manager.getDevice());
        NDList actual = block.forwardMapped(ps, x.matMul(map.get(0).transpose()).add(map.get(1)), true, null);
        for (int t = 0; t < 2; t++) {
            assertTrue(expected.get(t).sub(actual.get(t)).abs().max().getFloat() < 1e-5f);
        }
    }

    @Test
    void sharedBottomRunsFromItsFirstLayer() {
        SharedBottomBlock block = new SharedBottomBlock(9, 2, List.of(6, 3), 0.2);
        block.initialize(manager, DataType.FLOAT32, new Shape(7, 9));
        assertSameOutputs(block, 9, 6);
    }

    @Test
    void anEmptyBottomHasNoMap() {
        SharedBottomBlock block = new SharedBottomBlock(9, 2, List.of(), 0);
        block.initialize(manager, DataType.FLOAT32, new Shape(7, 9));
        assertNull(block.inputMap(new ParameterStore(manager, false), manager.getDevice()));
    }
}
