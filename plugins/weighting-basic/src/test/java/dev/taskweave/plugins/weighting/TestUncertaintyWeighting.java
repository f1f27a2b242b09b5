package dev.taskweave.plugins.weighting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.taskweave.api.model.WeightingContext;
import dev.taskweave.testkit.Parameters;
import dev.taskweave.testkit.PluginConfigs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TestUncertaintyWeighting {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Block block(List<Double> weights, double initialLogVariance) {
        UncertaintyWeightingConfig config = PluginConfigs.bind(
                Map.of("initialLogVariance", initialLogVariance), UncertaintyWeightingConfig.class);
        config.validate();
        List<String> tasks = weights.stream().map(w -> "t" + w).toList();
        return Blocks.initialized(manager, new UncertaintyWeightingFactory()
                .create(config, new WeightingContext(tasks, weights)).createBlock(), weights.size());
    }

    private static Parameter logVariance(Block block) {
        return block.getParameters().get("logVariance");
    }

    @Test
    void totalAtZeroLogVariance() {
        Block block = block(List.of(1.0, 2.0, 1.0), 0);
        NDList out = Blocks.forward(manager, block, new float[] {4, 0.25f, 9}, new float[] {1, 1, 0}, false);
        // 0.5 * 1 * 4 + 0.5 * 2 * 0.25, the absent third task adds nothing (not even 0.5 * s)
        assertEquals(2.25f, out.get(0).getFloat(), 1e-6);
        assertEquals(new Shape(), out.get(0).getShape());
        assertArrayEquals(new float[] {0.5f, 1f, 0f}, out.get(1).toFloatArray(), 1e-6f);
    }

    @Test
    void totalAtChosenLogVariance() {
        Block block = block(List.of(1.0, 2.0, 1.0), 0);
        float[] s = {1f, -0.5f, 2f};
        manager.create(s).copyTo(logVariance(block).getArray());
        NDList out = Blocks.forward(manager, block, new float[] {4, 0.25f, 9}, new float[] {1, 1, 0}, false);
        // w_t * (0.5 e^-s L + 0.5 s): the second task's weight 2 multiplies its 0.5 s too
        double expected = 0.5 * Math.exp(-1) * 4 + 0.5 * 1 + 2 * (0.5 * Math.exp(0.5) * 0.25 + 0.5 * -0.5);
        assertEquals(expected, out.get(0).getFloat(), 1e-5);
        assertArrayEquals(new float[] {(float) (0.5 * Math.exp(-1)), (float) Math.exp(0.5), 0f},
                out.get(1).toFloatArray(), 1e-5f);
    }

    @Test
    void initialLogVarianceIsApplied() {
        Block block = block(List.of(1.0, 1.0), -1.5);
        assertArrayEquals(new float[] {-1.5f, -1.5f}, logVariance(block).getArray().toFloatArray());
        assertEquals(Parameter.Type.OTHER, logVariance(block).getType());
    }

    @Test
    void gradientDescentConvergesToLogOfTheLossAndTheWeightLasts() {
        // s_t -> log L_t whatever w_t: log 4, log 0.25 and, with w = 2, log 0.25 again; the effective
        // weights then are w_t / (2 L_t) = 1/8, 2 and 4: the declared weight still doubles the third
        Block block = block(List.of(1.0, 1.0, 2.0), 0);
        float[] losses = {4f, 0.25f, 0.25f};
        float[] present = {1, 1, 1};
        Optimizer sgd = Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.5f)).build();
        Parameter s = logVariance(block);
        for (int step = 0; step < 300; step++) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(Blocks.forward(manager, block, losses, present, true).get(0));
            }
            NDArray gradient = s.getArray().getGradient();
            sgd.update(s.getId(), s.getArray(), gradient);
            gradient.subi(gradient);
        }
        assertArrayEquals(new float[] {(float) Math.log(4), (float) Math.log(0.25), (float) Math.log(0.25)},
                s.getArray().toFloatArray(), 0.05f);
        NDList out = Blocks.forward(manager, block, losses, present, false);
        assertArrayEquals(new float[] {0.125f, 2f, 4f}, out.get(1).toFloatArray(), 0.15f);
    }

    @Test
    void absentTaskGetsNoGradient() {
        Block block = block(List.of(1.0, 1.0), 0);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray total = Blocks.forward(manager, block, new float[] {4, Float.NaN}, new float[] {1, 0}, true).get(0);
            assertFalse(Float.isNaN(total.getFloat()));
            collector.backward(total);
        }
        NDArray gradient = logVariance(block).getArray().getGradient();
        // d/ds (0.5 e^-s L + 0.5 s) at s = 0, L = 4 is 0.5 - 2
        assertArrayEquals(new float[] {-1.5f, 0f}, gradient.toFloatArray(), 1e-6f);
        gradient.subi(gradient);
    }

    @Test
    void shapes() {
        Block block = block(List.of(1.0, 1.0), 0);
        assertArrayEquals(new Shape[] {new Shape(), new Shape(2)},
                block.getOutputShapes(new Shape[] {new Shape(2), new Shape(2)}));
        assertEquals(new Shape(2), logVariance(block).getArray().getShape());
    }

    @Test
    void saveAndLoadRoundTrip() throws Exception {
        Block saved = block(List.of(1.0, 3.0), 0);
        manager.create(new float[] {0.7f, -1.2f}).copyTo(logVariance(saved).getArray());
        Block fresh = new UncertaintyWeightingFactory().create(new UncertaintyWeightingConfig(),
                new WeightingContext(List.of("a", "b"), List.of(1.0, 3.0))).createBlock();
        Parameters.copy(manager, saved, fresh);
        assertArrayEquals(new float[] {0.7f, -1.2f}, logVariance(fresh).getArray().toFloatArray());
        float[] losses = {2f, 0.5f};
        float[] present = {1, 1};
        assertArrayEquals(Blocks.forward(manager, saved, losses, present, false).get(0).toFloatArray(),
                Blocks.forward(manager, fresh, losses, present, false).get(0).toFloatArray());
    }

    @Test
    void config() {
        UncertaintyWeightingConfig defaults = PluginConfigs.bind(Map.of(), UncertaintyWeightingConfig.class);
        defaults.validate();
        assertEquals(0.0, defaults.initialLogVariance());
        assertEquals(-2.0, PluginConfigs.bind(Map.of("initialLogVariance", -2.0), UncertaintyWeightingConfig.class)
                .initialLogVariance());
        assertThrows(IllegalArgumentException.class,
                () -> PluginConfigs.bind(Map.of("initialVariance", 1.0), UncertaintyWeightingConfig.class));
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, 50}) {
            PluginConfigs.assertInvalid(Map.of("initialLogVariance", bad), UncertaintyWeightingConfig.class, "initialLogVariance");
        }
    }
}
