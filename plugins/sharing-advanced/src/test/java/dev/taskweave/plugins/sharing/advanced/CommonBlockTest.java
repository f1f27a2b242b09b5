package dev.taskweave.plugins.sharing.advanced;

import static dev.taskweave.testkit.Blocks.forward;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import dev.taskweave.api.model.AuxiliaryLoss;
import dev.taskweave.api.model.GatedBlock;
import dev.taskweave.api.model.SharingStrategy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.MethodSource;
import dev.taskweave.testkit.Blocks;

/** The block contract, checked for every type: shapes, checkpoints, training and input checks. */
final class CommonBlockTest {
    private static final List<String> TYPES = Strategies.TYPES;

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    static Stream<Arguments> typesAndTaskCounts() {
        return TYPES.stream().flatMap(type -> Stream.of(1, 2, 3).map(tasks -> Arguments.of(type, tasks)));
    }

    @ParameterizedTest
    @MethodSource("typesAndTaskCounts")
    void returnsOneOutputPerTask(String type, int tasks) {
        SharingStrategy strategy = Strategies.create(type, tasks, 10, Strategies.small(type));
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
        }
        if (block instanceof GatedBlock gated) {
            NDList gates = gated.gates(new ParameterStore(manager, false), manager.randomNormal(new Shape(5, 10)));
            assertEquals(tasks, gates.size());
        }
        if (block instanceof AuxiliaryLoss aux) {
            assertEquals(new Shape(), aux.auxiliaryLoss(new ParameterStore(manager, false), false).getShape());
        }
    }

    @ParameterizedTest
    @FieldSource("TYPES")
    void savedParametersLoadIntoAFreshBlock(String type) throws Exception {
        SharingStrategy strategy = Strategies.create(type, 3, 10, Strategies.small(type));
        Block block = strategy.createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(3, 10));
        NDArray x = manager.randomNormal(new Shape(3, 10));
        byte[] saved = Blocks.save(block);

        Block fresh = strategy.createBlock();
        Blocks.load(fresh, manager, saved);
        NDList expected = forward(manager, block, x);
        NDList actual = forward(manager, fresh, x);
        assertEquals(3, actual.size());
        for (int t = 0; t < 3; t++) {
            assertArrayEquals(expected.get(t).toFloatArray(), actual.get(t).toFloatArray());
        }
        if (block instanceof GatedBlock gated) {
            NDList before = gated.gates(new ParameterStore(manager, false), x);
            NDList after = ((GatedBlock) fresh).gates(new ParameterStore(manager, false), x);
            for (int t = 0; t < 3; t++) {
                assertArrayEquals(before.get(t).toFloatArray(), after.get(t).toFloatArray());
            }
        }
        if (block instanceof AuxiliaryLoss aux) {
            assertEquals(aux.auxiliaryLoss(new ParameterStore(manager, false), false).getFloat(),
                    ((AuxiliaryLoss) fresh).auxiliaryLoss(new ParameterStore(manager, false), false).getFloat());
        }
        assertArrayEquals(saved, Blocks.save(fresh), "a loaded block saves the same bytes");
    }

    @ParameterizedTest
    @FieldSource("TYPES")
    void refusesParametersOfADifferentTaskCount(String type) throws Exception {
        Block block = Strategies.create(type, 2, 10, Strategies.small(type)).createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(3, 10));
        byte[] saved = Blocks.save(block);
        Block other = Strategies.create(type, 3, 10, Strategies.small(type)).createBlock();
        assertThrows(MalformedModelException.class, () -> Blocks.load(other, manager, saved));
    }

    @ParameterizedTest
    @FieldSource("TYPES")
    void refusesParametersOfADifferentWidth(String type) throws Exception {
        Block block = Strategies.create(type, 2, 10, Strategies.small(type)).createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(3, 10));
        byte[] saved = Blocks.save(block);
        Map<String, Object> wider = new HashMap<>(Strategies.small(type));
        wider.put(wider.containsKey("layers") ? "layers" : "expertLayers", List.of(8, 5));
        Block other = Strategies.create(type, 2, 10, wider).createBlock();
        assertThrows(MalformedModelException.class, () -> Blocks.load(other, manager, saved));
    }

    @ParameterizedTest
    @FieldSource("TYPES")
    void rejectsAnInputOfTheWrongWidth(String type) {
        Block block = Strategies.create(type, 2, 10, Strategies.small(type)).createBlock();
        assertThrows(IllegalArgumentException.class,
                () -> block.initialize(manager, DataType.FLOAT32, new Shape(3, 9)));
    }

    @ParameterizedTest
    @FieldSource("TYPES")
    void adamLowersBothTaskLosses(String type) {
        Map<String, Object> params = new HashMap<>(Strategies.small(type));
        params.put(params.containsKey("layers") ? "layers" : "expertLayers", List.of(16, 8));
        params.put("dropout", 0.1);
        Block block = Strategies.create(type, 2, 6, params).createBlock();
        double[][] losses = Blocks.fitTwoTasks(manager, block, 6, 60);
        for (double[] loss : losses) {
            assertTrue(loss[1] < 0.5 * loss[0], type + ": loss " + loss[0] + " -> " + loss[1]);
        }
    }

    @ParameterizedTest
    @FieldSource("TYPES")
    void dropoutOnlyActsWhileTraining(String type) {
        Map<String, Object> params = new HashMap<>(Strategies.small(type));
        params.put(params.containsKey("layers") ? "layers" : "expertLayers", List.of(64));
        params.put("dropout", 0.5);
        Block block = Strategies.create(type, 2, 10, params).createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(4, 10));
        NDArray x = manager.randomNormal(new Shape(4, 10));
        float[] first = forward(manager, block, x).get(0).toFloatArray();
        assertArrayEquals(first, forward(manager, block, x).get(0).toFloatArray());
        NDArray trained = block.forward(new ParameterStore(manager, false), new NDList(x), true).get(0);
        assertFalse(trained.allClose(forward(manager, block, x).get(0)), type + ": dropout changes training output");
    }
}
