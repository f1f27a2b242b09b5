package dev.taskweave.plugins.sharing.advanced;

import static dev.taskweave.testkit.Blocks.forward;
import static dev.taskweave.testkit.Blocks.parameterCount;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.taskweave.api.nn.MlpBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.taskweave.testkit.Blocks;

final class OmoeBlockTest {
    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private OmoeBlock initialized(int tasks, int experts, List<Integer> layers, int batch) {
        Block block = Strategies.create("omoe", tasks, 10, Map.of("experts", experts, "expertLayers", layers))
                .createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(batch, 10));
        return assertInstanceOf(OmoeBlock.class, block);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void countsParameters(int tasks) {
        // 3 experts of 10->8->4: 3 * (10*8+8 + 8*4+4) = 3 * 124 = 372; one gate 10->3: 33; total 405 for any T
        OmoeBlock block = initialized(tasks, 3, List.of(8, 4), 2);
        assertEquals(405, parameterCount(block));
        assertEquals(3 * 4 + 2, block.getParameters().size());
        assertEquals(3, block.expertCount());
        assertEquals(tasks, block.taskCount());
    }

    @Test
    void everyTaskSharesOneGate() {
        OmoeBlock block = initialized(3, 4, List.of(8), 6);
        NDList gates = block.gates(new ParameterStore(manager, false),
                manager.randomNormal(0, 3, new Shape(6, 10), DataType.FLOAT32));
        TestSupport.assertDistributions(gates, 3, new Shape(6, 4));
        assertSame(gates.get(0), gates.get(1));
        assertSame(gates.get(0), gates.get(2));
    }

    @Test
    void everyTaskReceivesTheGateWeightedSumOfExperts() {
        OmoeBlock block = initialized(2, 3, List.of(8, 4), 5);
        ParameterStore ps = new ParameterStore(manager, false);
        NDArray x = manager.randomNormal(new Shape(5, 10));
        NDArray gate = block.gates(ps, x).get(0);
        List<NDArray> experts = new ArrayList<>();
        for (Block child : block.getChildren().values()) {
            if (child instanceof MlpBlock) {
                experts.add(child.forward(ps, new NDList(x), false).singletonOrThrow());
            }
        }
        assertEquals(3, experts.size());
        NDArray expected = manager.zeros(new Shape(5, 4));
        for (int e = 0; e < 3; e++) {
            expected = expected.add(experts.get(e).mul(gate.get(":, " + e).expandDims(1)));
        }
        NDList out = forward(manager, block, x);
        assertTrue(expected.allClose(out.get(0), 1e-5, 1e-6, false));
        assertArrayEquals(out.get(0).toFloatArray(), out.get(1).toFloatArray());
    }

    @Test
    void refusesParametersOfADifferentExpertCount() throws Exception {
        OmoeBlock block = initialized(2, 3, List.of(8, 4), 3);
        byte[] saved = Blocks.save(block);
        Block other = Strategies.create("omoe", 2, 10, Map.of("experts", 4, "expertLayers", List.of(8, 4)))
                .createBlock();
        assertThrows(MalformedModelException.class, () -> Blocks.load(other, manager, saved));
    }

    @Test
    void gatesNeedAnInitialisedBlockAndTheRightWidth() {
        Block block = Strategies.create("omoe", 2, 10, Map.of("experts", 3)).createBlock();
        OmoeBlock omoe = assertInstanceOf(OmoeBlock.class, block);
        ParameterStore ps = new ParameterStore(manager, false);
        assertThrows(IllegalStateException.class, () -> omoe.gates(ps, manager.zeros(new Shape(2, 10))));
        omoe.initialize(manager, DataType.FLOAT32, new Shape(2, 10));
        assertThrows(IllegalArgumentException.class, () -> omoe.gates(ps, manager.zeros(new Shape(2, 9))));
        assertEquals(64, omoe.outputWidth());
    }
}
