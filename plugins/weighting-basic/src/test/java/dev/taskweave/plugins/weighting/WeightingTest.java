package dev.taskweave.plugins.weighting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.model.WeightingContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WeightingTest {
    private static final ObjectMapper MAPPER = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    private static final WeightingContext TWO = new WeightingContext(List.of("rating", "like"), List.of(2.0, 0.5));
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private NDList run(Block block, float[] losses, float[] present) {
        block.initialize(manager, DataType.FLOAT32, new Shape(losses.length), new Shape(losses.length));
        return block.forward(new ParameterStore(manager, false), new NDList(manager.create(losses), manager.create(present)), false);
    }

    @Test
    void fixedMultipliesDeclaredWeightsAndSkipsAbsentTasks() {
        Block block = new FixedWeightingFactory().create(new FixedWeightingConfig(), TWO).createBlock();
        NDList out = run(block, new float[] {3f, 4f}, new float[] {1f, 1f});
        assertEquals(2 * 3 + 0.5f * 4, out.get(0).getFloat(), 1e-6);
        assertArrayEquals(new float[] {2f, 0.5f}, out.get(1).toFloatArray(), 1e-6f);
        Block absent = new FixedWeightingFactory().create(new FixedWeightingConfig(), TWO).createBlock();
        assertEquals(6f, run(absent, new float[] {3f, 4f}, new float[] {1f, 0f}).get(0).getFloat(), 1e-6);
    }

    @Test
    void fixedNormalisedAndEqual() {
        FixedWeightingConfig normalize = MAPPER.convertValue(Map.of("normalize", true), FixedWeightingConfig.class);
        Block block = new FixedWeightingFactory().create(normalize, TWO).createBlock();
        assertEquals((2 * 3 + 0.5f * 4) / 2.5f, run(block, new float[] {3f, 4f}, new float[] {1f, 1f}).get(0).getFloat(), 1e-6);
        Block equal = new EqualWeightingFactory().create(new FixedWeightingConfig(), TWO).createBlock();
        assertEquals(7f, run(equal, new float[] {3f, 4f}, new float[] {1f, 1f}).get(0).getFloat(), 1e-6);
    }

    @Test
    void uncertaintyTotalByHand() {
        UncertaintyWeightingConfig config = MAPPER.convertValue(Map.of("initialLogVariance", 1.0), UncertaintyWeightingConfig.class);
        Block block = new UncertaintyWeightingFactory().create(config, TWO).createBlock();
        NDList out = run(block, new float[] {3f, 4f}, new float[] {1f, 1f});
        double e = Math.exp(-1);
        double expected = (0.5 * e * 2 * 3 + 0.5) + (0.5 * e * 0.5 * 4 + 0.5);
        assertEquals(expected, out.get(0).getFloat(), 1e-5);
        assertArrayEquals(new float[] {(float) (0.5 * e * 2), (float) (0.5 * e * 0.5)}, out.get(1).toFloatArray(), 1e-6f);
        Block zero = new UncertaintyWeightingFactory().create(new UncertaintyWeightingConfig(), TWO).createBlock();
        // s = 0, like absent: 0.5 * 2 * 3
        assertEquals(3f, run(zero, new float[] {3f, 4f}, new float[] {1f, 0f}).get(0).getFloat(), 1e-6);
    }

    @Test
    void logVariancesConvergeToLogOfWeightedLossAndAbsentTaskGetsNoGradient() throws Exception {
        WeightingContext three = new WeightingContext(List.of("a", "b", "c"), List.of(1.0, 1.0, 1.0));
        Block block = new UncertaintyWeightingFactory().create(new UncertaintyWeightingConfig(), three).createBlock();
        block.initialize(manager, DataType.FLOAT32, new Shape(3), new Shape(3));
        ParameterStore ps = new ParameterStore(manager, false);
        Parameter s = block.getParameters().get(0).getValue();
        Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.05f)).build();
        NDArray losses = manager.create(new float[] {4f, 0.25f, 9f});
        NDArray present = manager.create(new float[] {1f, 1f, 0f});
        for (int step = 0; step < 600; step++) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(block.forward(ps, new NDList(losses, present), true).get(0));
            }
            NDArray grad = s.getArray().getGradient();
            if (step == 0) {
                assertEquals(0f, grad.toFloatArray()[2], 0f, "an absent task's log-variance received a gradient");
            }
            adam.update(s.getId(), s.getArray(), grad);
        }
        float[] values = s.getArray().toFloatArray();
        assertEquals(Math.log(4), values[0], 0.05);
        assertEquals(Math.log(0.25), values[1], 0.05);
        assertEquals(0f, values[2], 0f);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            block.saveParameters(out);
        }
        Block fresh = new UncertaintyWeightingFactory().create(new UncertaintyWeightingConfig(), three).createBlock();
        fresh.initialize(manager, DataType.FLOAT32, new Shape(3), new Shape(3));
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            fresh.loadParameters(manager, in);
        }
        assertArrayEquals(values, fresh.getParameters().get(0).getValue().getArray().toFloatArray(), 0f);
    }

    @Test
    void configDefaultsAndValidation() {
        assertFalse(new FixedWeightingConfig().normalize);
        assertEquals(0.0, new UncertaintyWeightingConfig().initialLogVariance);
        UncertaintyWeightingConfig bad = MAPPER.convertValue(Map.of("initialLogVariance", 50.0), UncertaintyWeightingConfig.class);
        InvalidConfigException e = assertThrows(InvalidConfigException.class, bad::validate);
        assertEquals("initialLogVariance", e.path());
        assertThrows(IllegalArgumentException.class, () -> MAPPER.convertValue(Map.of("normalise", true), FixedWeightingConfig.class));
        assertTrue(new UncertaintyWeightingFactory().description().contains("Kendall"));
        assertEquals(List.of("fixed", "equal", "uncertainty"),
                List.of(new FixedWeightingFactory().type(), new EqualWeightingFactory().type(), new UncertaintyWeightingFactory().type()));
    }
}
