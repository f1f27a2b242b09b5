package dev.taskweave.plugins.sharing.advanced;

import static dev.taskweave.testkit.Blocks.forward;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
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

    private void assertSameOutputs(Block block, int width, long units) {
        block.initialize(manager, DataType.FLOAT32, new Shape(6, width));
        NDArray x = manager.randomNormal(new Shape(6, width));
        NDList expected = forward(manager, block, x);
        AffineInput affine = (AffineInput) block;
        ParameterStore ps = new ParameterStore(manager, false);
        NDList map = affine.inputMap(ps, manager.getDevice());
        assertEquals(new Shape(units, width), map.get(0).getShape());
        NDList actual = affine.forwardMapped(ps, x.matMul(map.get(0).transpose()).add(map.get(1)), false, null);
        assertEquals(expected.size(), actual.size());
        for (int t = 0; t < expected.size(); t++) {
            float gap = expected.get(t).sub(actual.get(t)).abs().max().getFloat();
            assertTrue(gap < 1e-5f, "output " + t + " differs by " + gap);
        }
    }

    @Test
    void inTrainingModeWithoutDropoutAndForSomeTasksOnly() {
        CgcBlock block = new CgcBlock(5, 3, 1, 2, List.of(4, 3), 0.0);
        block.initialize(manager, DataType.FLOAT32, new Shape(6, 5));
        NDArray x = manager.randomNormal(new Shape(6, 5));
        ParameterStore ps = new ParameterStore(manager, false);
        NDList expected = block.forward(ps, new NDList(x), true);
        NDList map = block.inputMap(ps, manager.getDevice());
        NDArray mapped = x.matMul(map.get(0).transpose()).add(map.get(1));
        NDList training = block.forwardMapped(ps, mapped, true, null);
        NDList some = block.forwardMapped(ps, mapped, false, new boolean[] {true, false, true});
        for (int t = 0; t < 3; t++) {
            assertTrue(expected.get(t).sub(training.get(t)).abs().max().getFloat() < 1e-5f);
        }
        assertTrue(expected.get(0).sub(some.get(0)).abs().max().getFloat() < 1e-5f);
        assertTrue(some.get(1) == null);
        assertTrue(expected.get(2).sub(some.get(2)).abs().max().getFloat() < 1e-5f);
    }

    @Test
    void omoe() {
        // 3 experts x 8 units, then one gate over 3 experts
        assertSameOutputs(new OmoeBlock(10, 2, 3, List.of(8, 4), 0.1), 10, 3 * 8 + 3);
    }

    @Test
    void cgc() {
        // 2 shared + 3 tasks x 1 own expert, 6 units each; 3 gates over 1 + 2 experts
        assertSameOutputs(new CgcBlock(9, 3, 2, 1, List.of(6, 4), 0.0), 9, 5 * 6 + 3 * 3);
    }

    @Test
    void pleRunsItsFirstLevelFromTheMapAndTheOthersAsUsual() {
        // level 1: 2 shared + 2 tasks x 2 own experts of 5 units; 2 task gates over 4; shared gate over 6
        assertSameOutputs(new PleBlock(7, 2, 3, 2, 2, List.of(5), 0.2), 7, 6 * 5 + 2 * 4 + 6);
    }
}
