package dev.taskweave.plugins.weighting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.taskweave.api.model.WeightingContext;
import dev.taskweave.testkit.Parameters;
import dev.taskweave.testkit.PluginConfigs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TestFixedWeighting {
    private static final WeightingContext CONTEXT =
            new WeightingContext(List.of("rating", "click", "like"), List.of(0.5, 2.0, 3.0));
    private static final float[] LOSSES = {2, 3, 5};
    private static final float[] PRESENT = {1, 0, 1};

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Block fixed(boolean normalize) {
        FixedWeightingConfig config = PluginConfigs.bind(Map.of("normalize", normalize), FixedWeightingConfig.class);
        return Blocks.initialized(manager, new FixedWeightingFactory().create(config, CONTEXT).createBlock(), 3);
    }

    private Block equal(boolean normalize) {
        FixedWeightingConfig config = PluginConfigs.bind(Map.of("normalize", normalize), FixedWeightingConfig.class);
        return Blocks.initialized(manager, new EqualWeightingFactory().create(config, CONTEXT).createBlock(), 3);
    }

    @Test
    void fixedWeightedSumSkipsAbsentTasks() {
        NDList out = Blocks.forward(manager, fixed(false), LOSSES, PRESENT, false);
        // 0.5 * 2 + (absent) + 3 * 5
        assertEquals(16f, out.get(0).getFloat(), 1e-6);
        assertEquals(new Shape(), out.get(0).getShape());
        assertArrayEquals(new float[] {0.5f, 0f, 3f}, out.get(1).toFloatArray());
    }

    @Test
    void fixedNormalizedDividesByPresentWeights() {
        NDList out = Blocks.forward(manager, fixed(true), LOSSES, PRESENT, false);
        assertEquals(16f / 3.5f, out.get(0).getFloat(), 1e-6);
        assertArrayEquals(new float[] {0.5f / 3.5f, 0f, 3f / 3.5f}, out.get(1).toFloatArray(), 1e-6f);
    }

    @Test
    void equalIgnoresDeclaredWeights() {
        assertEquals(7f, Blocks.forward(manager, equal(false), LOSSES, PRESENT, false).get(0).getFloat(), 1e-6);
        NDList mean = Blocks.forward(manager, equal(true), LOSSES, PRESENT, false);
        assertEquals(3.5f, mean.get(0).getFloat(), 1e-6);
        assertArrayEquals(new float[] {0.5f, 0f, 0.5f}, mean.get(1).toFloatArray());
    }

    @Test
    void nothingPresentGivesZeroWithoutNaN() {
        float[] nan = {Float.NaN, Float.NaN, Float.NaN};
        for (Block block : List.of(fixed(false), fixed(true), equal(true))) {
            NDList out = Blocks.forward(manager, block, nan, new float[3], false);
            assertEquals(0f, out.get(0).getFloat());
            assertArrayEquals(new float[3], out.get(1).toFloatArray());
        }
        // an absent task's NaN loss does not leak into the total
        NDList out = Blocks.forward(manager, fixed(false), new float[] {2, Float.NaN, 5}, PRESENT, false);
        assertFalse(Float.isNaN(out.get(0).getFloat()));
        assertEquals(16f, out.get(0).getFloat(), 1e-6);
    }

    @Test
    void shapes() {
        Block block = fixed(false);
        assertArrayEquals(new Shape[] {new Shape(), new Shape(3)},
                block.getOutputShapes(new Shape[] {new Shape(3), new Shape(3)}));
        Block unshaped = new FixedWeightingFactory().create(new FixedWeightingConfig(), CONTEXT).createBlock();
        assertThrows(IllegalArgumentException.class,
                () -> unshaped.initialize(manager, DataType.FLOAT32, new Shape(2), new Shape(2)));
        assertThrows(IllegalArgumentException.class,
                () -> unshaped.initialize(manager, DataType.FLOAT32, new Shape(3)));
    }

    @Test
    void declaredWeightsMustBeFiniteAndNonNegative() {
        WeightingContext negative = new WeightingContext(List.of("a", "b"), List.of(1.0, -1.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FixedWeightingFactory().create(new FixedWeightingConfig(), negative));
        assertEquals("task b: expected a finite weight >= 0, got -1.0", e.getMessage());
        WeightingContext infinite = new WeightingContext(List.of("a"), List.of(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class,
                () -> new FixedWeightingFactory().create(new FixedWeightingConfig(), infinite));
        // equal ignores the declared weights altogether
        new EqualWeightingFactory().create(new FixedWeightingConfig(), negative);
    }

    @Test
    void saveAndLoadRoundTrip() throws Exception {
        Block saved = fixed(true);
        Block fresh = new FixedWeightingFactory().create(
                PluginConfigs.bind(Map.of("normalize", true), FixedWeightingConfig.class), CONTEXT).createBlock();
        Parameters.copy(manager, saved, fresh);
        assertArrayEquals(Blocks.forward(manager, saved, LOSSES, PRESENT, false).get(0).toFloatArray(),
                Blocks.forward(manager, fresh, LOSSES, PRESENT, false).get(0).toFloatArray());
    }

    @Test
    void config() {
        assertFalse(PluginConfigs.bind(Map.of(), FixedWeightingConfig.class).normalize());
        assertThrows(IllegalArgumentException.class,
                () -> PluginConfigs.bind(Map.of("normalise", true), FixedWeightingConfig.class));
    }
}
