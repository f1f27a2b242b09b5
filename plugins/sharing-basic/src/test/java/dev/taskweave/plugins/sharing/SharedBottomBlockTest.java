package dev.taskweave.plugins.sharing;

import static dev.taskweave.testkit.Blocks.forward;
import static dev.taskweave.testkit.Blocks.parameterCount;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.taskweave.api.model.SharingContext;
import dev.taskweave.api.model.SharingStrategy;
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

final class SharedBottomBlockTest {
    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private static SharingStrategy strategy(int tasks, int width, List<Integer> layers, double dropout) {
        SharedBottomConfig config = PluginConfigs.bind(Map.of("layers", layers, "dropout", dropout), SharedBottomConfig.class);
        List<String> names = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            names.add("task" + t);
        }
        return new SharedBottomFactory().create(config, new SharingContext(names, width));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void returnsOneIdenticalOutputPerTask(int tasks) {
        SharingStrategy strategy = strategy(tasks, 10, List.of(8, 4), 0.0);
        assertEquals(4, strategy.outputWidth());
        Block block = strategy.createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(5, 10));

        Shape[] shapes = block.getOutputShapes(new Shape[] {new Shape(5, 10)});
        assertEquals(tasks, shapes.length);
        NDList out = forward(manager, block, manager.randomNormal(new Shape(5, 10)));
        assertEquals(tasks, out.size());
        for (int t = 0; t < tasks; t++) {
            assertEquals(new Shape(5, 4), out.get(t).getShape());
            assertEquals(new Shape(5, 4), shapes[t]);
            assertArrayEquals(out.get(0).toFloatArray(), out.get(t).toFloatArray());
        }
        assertTrue(out.get(0).gte(0).all().getBoolean(), "the bottom ends with a ReLU");
    }

    @Test
    void countsParameters() {
        Block block = strategy(2, 10, List.of(8, 4), 0.0).createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(3, 10));
        assertEquals(10 * 8 + 8 + 8 * 4 + 4, parameterCount(block));
        assertEquals(4, block.getParameters().size());
    }

    @Test
    void emptyLayersIsTheIdentity() {
        SharingStrategy strategy = strategy(2, 10, List.of(), 0.0);
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

    @Test
    void dropoutOnlyActsWhileTraining() {
        Block block = strategy(1, 10, List.of(64), 0.5).createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(4, 10));
        NDArray x = manager.randomNormal(new Shape(4, 10));
        float[] first = forward(manager, block, x).get(0).toFloatArray();
        assertArrayEquals(first, forward(manager, block, x).get(0).toFloatArray());
        NDArray trained = block.forward(new ai.djl.training.ParameterStore(manager, false), new NDList(x), true).get(0);
        NDArray inference = forward(manager, block, x).get(0);
        long dropped = inference.gt(0).logicalAnd(trained.eq(0)).countNonzero().getLong();
        assertTrue(dropped > 0, "some active units are dropped while training");
    }

    @Test
    void rejectsAnInputOfTheWrongWidth() {
        Block block = strategy(2, 10, List.of(8), 0.0).createBlock();
        assertThrows(IllegalArgumentException.class,
                () -> block.initialize(manager, DataType.FLOAT32, new Shape(3, 9)));
    }

    @Test
    void adamLowersBothTaskLosses() {
        double[][] losses = Blocks.fitTwoTasks(manager, strategy(2, 6, List.of(16, 8), 0.1).createBlock(), 6, 60);
        for (double[] loss : losses) {
            assertTrue(loss[1] < 0.5 * loss[0], "loss " + loss[0] + " -> " + loss[1]);
        }
    }

    @Test
    void savedParametersLoadIntoAFreshBlock() throws Exception {
        SharingStrategy strategy = strategy(2, 10, List.of(8, 4), 0.0);
        Block block = strategy.createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(3, 10));
        NDArray x = manager.randomNormal(new Shape(3, 10));
        byte[] saved = Blocks.save(block);

        Block fresh = strategy.createBlock();
        Blocks.load(fresh, manager, saved);
        NDList expected = forward(manager, block, x);
        NDList actual = forward(manager, fresh, x);
        for (int t = 0; t < 2; t++) {
            assertArrayEquals(expected.get(t).toFloatArray(), actual.get(t).toFloatArray());
        }
    }

    @Test
    void refusesParametersOfADifferentShape() throws Exception {
        Block block = strategy(2, 10, List.of(8, 4), 0.0).createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(3, 10));
        byte[] saved = Blocks.save(block);
        assertThrows(MalformedModelException.class,
                () -> Blocks.load(strategy(2, 10, List.of(8, 5), 0.0).createBlock(), manager, saved));
        assertThrows(MalformedModelException.class,
                () -> Blocks.load(strategy(3, 10, List.of(8, 4), 0.0).createBlock(), manager, saved));
    }
}
