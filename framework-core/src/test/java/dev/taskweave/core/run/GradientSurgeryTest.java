package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.taskweave.api.model.GradientCombiner;
import dev.taskweave.api.model.SharedParameter;
import dev.taskweave.core.model.ParameterGroups;
import dev.taskweave.core.plugin.PluginRuntime;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A combiner sees only the shared parameters; a task-owned parameter gets only its own task's
 * gradient, scaled by the task weight. Scalars: {@code L0 = e * s * a0} and
 * {@code L1 = (e + a1) * s} with {@code e = 2, s = 3, a0 = 5, a1 = 7}, where {@code e} and
 * {@code s} are shared and {@code a0}, {@code a1} belong to tasks 0 and 1.
 */
class GradientSurgeryTest {
    @BeforeAll
    static void engine() {
        PluginRuntime.loadEngine();
    }

    @Test
    void combinerSeesSharedParametersOnlyAndOwnedParametersGetTheirTaskGradient() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter e = scalar(manager, "e", 2);
            Parameter s = scalar(manager, "s", 3);
            Parameter a0 = scalar(manager, "a0", 5);
            Parameter a1 = scalar(manager, "a1", 7);
            ParameterGroups groups = new ParameterGroups(
                    List.of(new ParameterGroups.Entry("encoder_e", e, false), new ParameterGroups.Entry("sharing_s", s, true)),
                    List.of(List.of(a0), List.of(a1)));
            Recording combiner = new Recording(new float[] {1f, -1f}, new float[] {0.5f, 2f});
            GradientSurgery surgery = new GradientSurgery(groups, combiner, getClass().getClassLoader());
            assertEquals(List.of(new SharedParameter("encoder_e", 0, 1, false), new SharedParameter("sharing_s", 1, 1, true)),
                    combiner.layout);

            try (GradientCollector ignored = Engine.getInstance().newGradientCollector()) {
                NDArray l0 = e.getArray().mul(s.getArray()).mul(a0.getArray()).reshape();
                NDArray l1 = e.getArray().add(a1.getArray()).mul(s.getArray()).reshape();
                float[] weights = surgery.backward(new NDList(l0, l1), new float[] {30f, 27f}, new float[] {1f, 1f}, null);
                assertArrayEquals(new float[] {0.5f, 2f}, weights);
            }
            // dL0/d(e, s) = (s * a0, e * a0) = (15, 10); dL1/d(e, s) = (s, e + a1) = (3, 9)
            assertArrayEquals(new float[] {15f, 10f}, combiner.gradients[0]);
            assertArrayEquals(new float[] {3f, 9f}, combiner.gradients[1]);
            assertArrayEquals(new float[] {30f, 27f}, combiner.losses);
            // shared: the combined gradient; owned: weight * own gradient, 0.5 * e * s and 2 * s
            assertEquals(1f, gradient(e));
            assertEquals(-1f, gradient(s));
            assertEquals(3f, gradient(a0));
            assertEquals(6f, gradient(a1));
        }
    }

    @Test
    void absentTaskHasNoGradientAndZeroWeight() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter e = scalar(manager, "e", 2);
            Parameter a0 = scalar(manager, "a0", 5);
            Parameter a1 = scalar(manager, "a1", 7);
            ParameterGroups groups = new ParameterGroups(List.of(new ParameterGroups.Entry("encoder_e", e, false)),
                    List.of(List.of(a0), List.of(a1)));
            Recording combiner = new Recording(new float[] {4f}, new float[] {1f, 0f});
            GradientSurgery surgery = new GradientSurgery(groups, combiner, getClass().getClassLoader());
            try (GradientCollector ignored = Engine.getInstance().newGradientCollector()) {
                NDArray l0 = e.getArray().mul(a0.getArray()).reshape();
                NDArray l1 = e.getArray().mul(a1.getArray()).reshape();
                surgery.backward(new NDList(l0, l1), new float[] {10f, 14f}, new float[] {1f, 0f}, null);
            }
            assertArrayEquals(new float[] {5f}, combiner.gradients[0]);
            assertNull(combiner.gradients[1]);
            assertEquals(Float.NaN, combiner.losses[1]);
            assertEquals(4f, gradient(e));
            assertEquals(2f, gradient(a0));
            assertEquals(0f, gradient(a1));
        }
    }

    private static Parameter scalar(NDManager manager, String name, float value) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        NDArray array = manager.create(new float[] {value});
        array.setRequiresGradient(true);
        p.setArray(array);
        return p;
    }

    private static float gradient(Parameter p) {
        try (NDArray g = p.getArray().getGradient()) {
            return g.toFloatArray()[0];
        }
    }

    /** Records what it is given and returns a fixed answer. */
    private static final class Recording implements GradientCombiner {
        private final float[] shared;
        private final float[] weights;
        List<SharedParameter> layout;
        float[][] gradients;
        float[] losses;

        Recording(float[] shared, float[] weights) {
            this.shared = shared;
            this.weights = weights;
        }

        @Override
        public void layout(List<SharedParameter> parameters) {
            layout = parameters;
        }

        @Override
        public Combined combine(float[][] gradients, float[] losses) {
            this.gradients = gradients;
            this.losses = losses;
            return new Combined(shared.clone(), weights.clone());
        }
    }
}
