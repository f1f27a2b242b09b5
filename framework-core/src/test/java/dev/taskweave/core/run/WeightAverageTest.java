package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightAverageTest {
    private static Parameter parameter(NDManager manager, float... values) {
        Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
        p.setArray(manager.create(values));
        return p;
    }

    private static void set(Parameter p, float... values) {
        p.getArray().set(java.nio.FloatBuffer.wrap(values));
    }

    @Test
    void aDecayTheWarmUpNeverReachesIsNamed() {
        // 10 epochs of 190 steps: the warm-up ends at (1 + 1899) / (10 + 1899) = 0.9953, below 0.998 and 0.999,
        // which then average the same; 0.998 is reached at update 4490 (0-based), the 4,491st step
        org.junit.jupiter.api.Assertions.assertEquals("note: training.weightAverage 0.998 is not reached: the average's decay"
                + " warms up as (1 + t) / (10 + t) and ends at 0.9953 after this run's 1,900 steps (0.998 needs 4,491), so any"
                + " decay above 0.9953 averages the same", WeightAverage.unreached(0.998, 1900));
        org.junit.jupiter.api.Assertions.assertNull(WeightAverage.unreached(0.99, 1900));
        org.junit.jupiter.api.Assertions.assertNull(WeightAverage.unreached(0.998, 4500));
        org.junit.jupiter.api.Assertions.assertNotNull(WeightAverage.unreached(0.998, 4490));
    }

    @Test
    void decayWarmsUpThenFollowsTheExponentialAverage() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter w = parameter(manager, 0f, 2f);
            try (WeightAverage average = new WeightAverage(List.of(w.getArray()), 0.5, manager)) {
                // update 0: d = min(0.5, 1/10) = 0.1, a = 0.1 * a + 0.9 * w
                assertEquals(0.1, average.nextDecay(), 1e-12);
                set(w, 10f, 12f);
                average.update();
                // (0, 2) -> (9, 11)
                // update 1: d = min(0.5, 2/11) = 2/11, a = a + (9/11) * (w - a) with w = (20, 22): (18, 20)
                assertEquals(2.0 / 11, average.nextDecay(), 1e-12);
                set(w, 20f, 22f);
                average.update();
                // from update 8 on (9/18 = 0.5) the configured decay holds
                float[] inside = average.withAverage(() -> w.getArray().toFloatArray());
                assertArrayEquals(new float[] {18f, 20f}, inside, 1e-5f);
                // the raw weights are back afterwards
                assertArrayEquals(new float[] {20f, 22f}, w.getArray().toFloatArray(), 0f);
                for (int i = 0; i < 6; i++) {
                    average.update();
                }
                assertEquals(0.5, average.nextDecay(), 1e-12);
                average.apply();
                // six more updates towards (20, 22) leave a gap of 2 * prod(1 - d_t) for t = 2..7
                double gap = 2;
                for (int t = 2; t < 8; t++) {
                    gap *= Math.min(0.5, (1.0 + t) / (10.0 + t));
                }
                assertArrayEquals(new float[] {(float) (20 - gap), (float) (22 - gap)}, w.getArray().toFloatArray(), 1e-5f);
            }
        }
    }

    @Test
    void anExceptionInsideStillRestoresTheRawWeights() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter w = parameter(manager, 1f);
            try (WeightAverage average = new WeightAverage(List.of(w.getArray()), 0.9, manager)) {
                set(w, 5f);
                assertThrows(IllegalStateException.class, () -> average.withAverage(() -> {
                    throw new IllegalStateException("evaluation failed");
                }));
                assertArrayEquals(new float[] {5f}, w.getArray().toFloatArray(), 0f);
            }
        }
    }

    @Test
    void rejectsADecayOutsideTheOpenUnitInterval() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter w = parameter(manager, 1f);
            assertThrows(IllegalArgumentException.class, () -> new WeightAverage(List.of(w.getArray()), 1.0, manager));
            assertThrows(IllegalArgumentException.class, () -> new WeightAverage(List.of(w.getArray()), 0.0, manager));
        }
    }
}
