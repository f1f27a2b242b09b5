package dev.taskweave.plugins.weighting.dynamic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.taskweave.api.model.GradientCombiner;
import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.SharedParameter;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TestGradientCombiners {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static List<LossWeighting> all(int tasks) {
        return List.of(
                new PcGradWeightingFactory().create(new PcGradConfig(), Harness.context(tasks)),
                new MgdaWeightingFactory().create(new MgdaConfig(), Harness.context(tasks)),
                new CaGradWeightingFactory().create(new CaGradConfig(), Harness.context(tasks)),
                new GradNormWeightingFactory().create(new GradNormConfig(), Harness.context(tasks)));
    }

    @Test
    void blockIsTheSumOfPresentLosses() {
        for (LossWeighting weighting : all(3)) {
            Block block = Harness.initialized(manager, weighting.createBlock(), 3);
            for (boolean training : new boolean[] {true, false}) {
                NDList out = Harness.forward(manager, block, new float[] {2, Float.NaN, 5}, new float[] {1, 0, 1},
                        training);
                assertEquals(7f, out.get(0).getFloat(), 1e-6);
                assertEquals(new Shape(), out.get(0).getShape());
                assertArrayEquals(new float[] {1, 0, 1}, out.get(1).toFloatArray());
            }
            assertArrayEquals(new Shape[] {new Shape(), new Shape(3)},
                    block.getOutputShapes(new Shape[] {new Shape(3), new Shape(3)}));
            Block unshaped = weighting.createBlock();
            assertThrows(IllegalArgumentException.class,
                    () -> unshaped.initialize(manager, DataType.FLOAT32, new Shape(2), new Shape(2)));
        }
    }

    @Test
    void noTaskPresentGivesZeros() {
        for (LossWeighting weighting : all(2)) {
            GradientCombiner combiner = (GradientCombiner) weighting;
            combiner.layout(List.of(new SharedParameter("a", 0, 3, false), new SharedParameter("b", 3, 2, true)));
            GradientCombiner.Combined combined = combiner.combine(new float[2][], new float[] {Float.NaN, Float.NaN});
            assertArrayEquals(new float[5], combined.sharedGradient());
            assertArrayEquals(new float[2], combined.taskWeights());
        }
    }

    @Test
    void inputsAreChecked() {
        for (LossWeighting weighting : all(2)) {
            GradientCombiner combiner = (GradientCombiner) weighting;
            assertThrows(IllegalArgumentException.class,
                    () -> combiner.combine(new float[][] {{1, 0}}, new float[] {1}));
            assertThrows(IllegalArgumentException.class,
                    () -> combiner.combine(new float[][] {{1, 0}, {1, 0, 0}}, new float[] {1, 1}));
            combiner.layout(List.of(new SharedParameter("a", 0, 3, true)));
            assertThrows(IllegalArgumentException.class,
                    () -> combiner.combine(new float[][] {{1, 0}, {1, 0}}, new float[] {1, 1}));
            GradientCombiner.Combined ok = combiner.combine(new float[][] {{1, 0, 0}, {0, 1, 0}}, new float[] {1, 1});
            assertEquals(3, ok.sharedGradient().length);
            for (float v : ok.sharedGradient()) {
                assertFalse(Float.isNaN(v));
            }
        }
    }

    @Test
    void singleTaskGetsItsOwnGradient() {
        for (LossWeighting weighting : all(2)) {
            GradientCombiner combiner = (GradientCombiner) weighting;
            GradientCombiner.Combined combined = combiner.combine(new float[][] {null, {0.5f, -2}}, new float[] {0, 3});
            assertArrayEquals(new float[] {0, 1}, combined.taskWeights(), 1e-6f);
            float scale = weighting instanceof CaGradWeighting ? 1f / (1 + 0.4f * 0.4f) * 1.4f : 1f;
            assertArrayEquals(new float[] {0.5f * scale, -2 * scale}, combined.sharedGradient(), 1e-5f,
                    weighting.getClass().getSimpleName());
        }
    }
}
