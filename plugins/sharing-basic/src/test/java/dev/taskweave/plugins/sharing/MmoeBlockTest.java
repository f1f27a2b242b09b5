package dev.taskweave.plugins.sharing;

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
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.taskweave.api.model.SharingContext;
import dev.taskweave.api.model.SharingStrategy;
import dev.taskweave.api.nn.MlpBlock;
import dev.taskweave.testkit.PluginConfigs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.taskweave.testkit.Blocks;

final class MmoeBlockTest {
    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private static SharingStrategy strategy(int tasks, int width, int experts, List<Integer> layers) {
        MmoeConfig config = PluginConfigs.bind(Map.of("experts", experts, "expertLayers", layers), MmoeConfig.class);
        List<String> names = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            names.add("task" + t);
        }
        return new MmoeFactory().create(config, new SharingContext(names, width));
    }

    private MmoeBlock initialized(int tasks, int width, int experts, List<Integer> layers, int batch) {
        Block block = strategy(tasks, width, experts, layers).createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(batch, width));
        return assertInstanceOf(MmoeBlock.class, block);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void returnsOneOutputPerTask(int tasks) {
        SharingStrategy strategy = strategy(tasks, 10, 3, List.of(8, 4));
        assertEquals(4, strategy.outputWidth());
        MmoeBlock block = initialized(tasks, 10, 3, List.of(8, 4), 5);

        Shape[] shapes = block.getOutputShapes(new Shape[] {new Shape(5, 10)});
        assertEquals(tasks, shapes.length);
        NDList out = forward(manager, block, manager.randomNormal(new Shape(5, 10)));
        assertEquals(tasks, out.size());
        for (int t = 0; t < tasks; t++) {
            assertEquals(new Shape(5, 4), out.get(t).getShape());
            assertEquals(new Shape(5, 4), shapes[t]);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void countsParameters(int tasks) {
        int experts = 3;
        MmoeBlock block = initialized(tasks, 10, experts, List.of(8, 4), 2);
        long expert = 10 * 8 + 8 + 8 * 4 + 4;
        long gate = 10 * experts + experts;
        assertEquals(experts * expert + tasks * gate, parameterCount(block));
        assertEquals(experts * 4 + tasks * 2, block.getParameters().size());
    }

    @Test
    void gatesAreDistributionsOverExperts() {
        MmoeBlock block = initialized(3, 10, 4, List.of(8), 6);
        NDList gates = block.gates(new ParameterStore(manager, false), manager.randomNormal(0, 3, new Shape(6, 10),
                DataType.FLOAT32));
        assertEquals(3, gates.size());
        for (NDArray g : gates) {
            assertEquals(new Shape(6, 4), g.getShape());
            assertTrue(g.gte(0).all().getBoolean());
            for (float sum : g.sum(new int[] {1}).toFloatArray()) {
                assertEquals(1.0, sum, 1e-5);
            }
        }
        assertFalse(gates.get(0).toFloatArray()[0] == gates.get(1).toFloatArray()[0]
                && gates.get(0).toFloatArray()[1] == gates.get(1).toFloatArray()[1], "each task has its own gate");
    }

    @Test
    void outputIsTheGateWeightedSumOfExperts() {
        MmoeBlock block = initialized(2, 10, 3, List.of(8, 4), 5);
        ParameterStore ps = new ParameterStore(manager, false);
        NDArray x = manager.randomNormal(new Shape(5, 10));
        NDList gates = block.gates(ps, x);
        List<NDArray> experts = new ArrayList<>();
        for (Block child : block.getChildren().values()) {
            if (child instanceof MlpBlock) {
                experts.add(child.forward(ps, new NDList(x), false).singletonOrThrow());
            }
        }
        assertEquals(3, experts.size());
        NDList out = forward(manager, block, x);
        for (int t = 0; t < 2; t++) {
            NDArray expected = manager.zeros(new Shape(5, 4));
            for (int e = 0; e < 3; e++) {
                expected = expected.add(experts.get(e).mul(gates.get(t).get(":, " + e).expandDims(1)));
            }
            assertTrue(expected.allClose(out.get(t), 1e-5, 1e-6, false));
        }
    }

    @Test
    void identicalExpertsReturnTheExpertOutput() {
        MmoeBlock block = initialized(2, 10, 3, List.of(8, 4), 5);
        List<Block> experts = new ArrayList<>();
        for (Block child : block.getChildren().values()) {
            if (child instanceof MlpBlock) {
                experts.add(child);
            }
        }
        List<Parameter> reference = experts.get(0).getParameters().values();
        for (Block expert : experts.subList(1, experts.size())) {
            List<Parameter> params = expert.getParameters().values();
            for (int i = 0; i < params.size(); i++) {
                reference.get(i).getArray().copyTo(params.get(i).getArray());
            }
        }
        NDArray x = manager.randomNormal(new Shape(5, 10));
        NDArray expected = experts.get(0).forward(new ParameterStore(manager, false), new NDList(x), false)
                .singletonOrThrow();
        NDList out = forward(manager, block, x);
        for (NDArray task : out) {
            assertTrue(expected.allClose(task, 1e-6, 1e-7, false), "expected " + expected + " got " + task);
        }
    }

    @Test
    void adamLowersBothTaskLosses() {
        double[][] losses = Blocks.fitTwoTasks(manager, strategy(2, 6, 3, List.of(16, 8)).createBlock(), 6, 60);
        for (double[] loss : losses) {
            assertTrue(loss[1] < 0.5 * loss[0], "loss " + loss[0] + " -> " + loss[1]);
        }
    }

    @Test
    void savedParametersLoadIntoAFreshBlock() throws Exception {
        SharingStrategy strategy = strategy(2, 10, 3, List.of(8, 4));
        Block block = strategy.createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(3, 10));
        NDArray x = manager.randomNormal(new Shape(3, 10));
        byte[] saved = Blocks.save(block);

        MmoeBlock fresh = assertInstanceOf(MmoeBlock.class, strategy.createBlock());
        Blocks.load(fresh, manager, saved);
        NDList expected = forward(manager, block, x);
        NDList actual = forward(manager, fresh, x);
        for (int t = 0; t < 2; t++) {
            assertArrayEquals(expected.get(t).toFloatArray(), actual.get(t).toFloatArray());
        }
        NDList gates = fresh.gates(new ParameterStore(manager, false), x);
        assertEquals(2, gates.size());
        assertEquals(new Shape(3, 3), gates.get(0).getShape());
    }

    @Test
    void refusesParametersOfADifferentShape() throws Exception {
        Block block = strategy(2, 10, 3, List.of(8, 4)).createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(3, 10));
        byte[] saved = Blocks.save(block);
        assertThrows(MalformedModelException.class,
                () -> Blocks.load(strategy(2, 10, 4, List.of(8, 4)).createBlock(), manager, saved));
        assertThrows(MalformedModelException.class,
                () -> Blocks.load(strategy(3, 10, 3, List.of(8, 4)).createBlock(), manager, saved));
        assertThrows(MalformedModelException.class,
                () -> Blocks.load(strategy(2, 10, 3, List.of(8, 5)).createBlock(), manager, saved));
    }

    @Test
    void gatesNeedAnInitialisedBlockAndTheRightWidth() {
        MmoeBlock block = assertInstanceOf(MmoeBlock.class, strategy(2, 10, 3, List.of(4)).createBlock());
        ParameterStore ps = new ParameterStore(manager, false);
        assertThrows(IllegalStateException.class, () -> block.gates(ps, manager.zeros(new Shape(2, 10))));
        block.initialize(manager, DataType.FLOAT32, new Shape(2, 10));
        assertThrows(IllegalArgumentException.class, () -> block.gates(ps, manager.zeros(new Shape(2, 9))));
        assertEquals(3, block.expertCount());
        assertEquals(2, block.taskCount());
        assertEquals(4, block.outputWidth());
    }

    @Test
    void singleExpertPassesItThrough() {
        MmoeBlock block = initialized(2, 10, 1, List.of(4), 3);
        NDArray x = manager.randomNormal(new Shape(3, 10));
        NDList gates = block.gates(new ParameterStore(manager, false), x);
        assertArrayEquals(new float[] {1, 1, 1}, gates.get(0).squeeze(1).toFloatArray());
        NDList out = forward(manager, block, x);
        assertArrayEquals(out.get(0).toFloatArray(), out.get(1).toFloatArray());
        assertTrue(NDArrays.stack(out).gte(0).all().getBoolean());
    }
}
