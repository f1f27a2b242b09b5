package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FlatAdamTest {
    private static Parameter parameter(NDManager manager, String name, float[] values, Shape shape) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        NDArray a = manager.create(values, shape);
        a.setRequiresGradient(true);
        p.setArray(a);
        return p;
    }

    /** Two parameters, a matrix and a vector, with a loss whose gradients differ per element. */
    private static List<Parameter> model(NDManager manager) {
        return List.of(
                parameter(manager, "w", new float[] {0.5f, -1.0f, 2.0f, 0.25f, -0.75f, 1.5f}, new Shape(2, 3)),
                parameter(manager, "b", new float[] {0.1f, -0.2f}, new Shape(2)));
    }

    /** Three rows of three inputs, for {@link #backward}. */
    private static NDArray inputs(NDManager manager) {
        return manager.create(new float[] {1f, 2f, -1f, 0.5f, -0.5f, 3f, 2f, 0f, 1f}, new Shape(3, 3));
    }

    /** Their two targets each. */
    private static NDArray targets(NDManager manager) {
        return manager.create(new float[] {1f, 0f, -1f, 2f, 0.5f, 0.25f}, new Shape(3, 2));
    }

    private static void backward(List<Parameter> ps, NDArray x, NDArray y) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray out = x.matMul(ps.get(0).getArray().transpose()).add(ps.get(1).getArray());
            collector.backward(out.sub(y).square().mean().add(ps.get(0).getArray().pow(4).sum().mul(0.01f)));
        }
    }

    @ParameterizedTest
    @CsvSource({"0, -1, false, true", "0.01, -1, false, true", "0.01, 0.05, false, true", "0.1, -1, true, true", "0.1, 0.05, true, true",
        "0, -1, false, false", "0.01, 0.05, false, false", "0.1, 0.05, true, false"})
    void matchesDjlsPerParameterAdam(float decay, float clip, boolean decoupled, boolean javaUpdate) {
        try (NDManager manager = NDManager.newBaseManager()) {
            List<Parameter> reference = model(manager);
            List<Parameter> flat = model(manager);
            NDArray x = inputs(manager);
            NDArray y = targets(manager);
            Tracker rate = Tracker.cosine().setBaseValue(0.05f).optFinalValue(0.001f).setMaxUpdates(20).build();
            // DJL's own clipping bounds a gradient from above only: the reference clips both sides itself
            Optimizer djl = decoupled
                    ? Optimizer.adamW().optLearningRateTracker(rate).optWeightDecays(decay).build()
                    : Optimizer.adam().optLearningRateTracker(rate).optWeightDecays(decay).build();
            try (FlatAdam adam = new FlatAdam(flat, rate, decay, clip, decoupled, manager, javaUpdate)) {
                // on PyTorch's CPU arrays the update runs in Java unless told otherwise: both are compared with DJL's
                assertEquals(javaUpdate, adam.updatesInJava());
                for (int step = 0; step < 20; step++) {
                    backward(reference, x, y);
                    for (Parameter p : reference) {
                        try (NDArray g = p.getArray().getGradient(); NDArray clipped = clip > 0 ? g.clip(-clip, clip) : g.duplicate()) {
                            djl.update(p.getId(), p.getArray(), clipped);
                        }
                    }
                    backward(flat, x, y);
                    adam.step();
                }
                assertEquals(20, adam.updates());
            }
            for (int i = 0; i < reference.size(); i++) {
                float[] expected = reference.get(i).getArray().toFloatArray();
                float[] actual = flat.get(i).getArray().toFloatArray();
                assertArrayEquals(expected, actual, 1e-5f, reference.get(i).getName());
                // the weights moved: the comparison is not of two untouched copies
                assertTrue(Math.abs(expected[0] - (i == 0 ? 0.5f : 0.1f)) > 0.05f);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"true", "false"})
    void aRestoredStateContinuesAsTheUninterruptedRun(boolean javaUpdate) {
        // a checkpoint saves the update count and the moments; an optimiser built on the saved
        // weights and given them back takes the same next steps, digit for digit
        try (NDManager manager = NDManager.newBaseManager()) {
            List<Parameter> uninterrupted = model(manager);
            List<Parameter> resumed = model(manager);
            NDArray x = inputs(manager);
            NDArray y = targets(manager);
            Tracker rate = Tracker.cosine().setBaseValue(0.05f).optFinalValue(0.001f).setMaxUpdates(10).build();
            try (FlatAdam first = new FlatAdam(uninterrupted, rate, 0.01f, -1f, false, manager, javaUpdate)) {
                for (int step = 0; step < 5; step++) {
                    backward(uninterrupted, x, y);
                    first.step();
                }
                int updates = first.updates();
                float[] means = first.means();
                float[] variances = first.variances();
                assertTrue(Math.abs(means[0]) > 0f && variances[0] > 0f);
                for (int i = 0; i < resumed.size(); i++) {
                    resumed.get(i).getArray().set(uninterrupted.get(i).getArray().toFloatArray());
                }
                try (FlatAdam second = new FlatAdam(resumed, rate, 0.01f, -1f, false, manager, javaUpdate)) {
                    second.restore(updates, means, variances);
                    for (int step = 0; step < 5; step++) {
                        backward(uninterrupted, x, y);
                        first.step();
                        backward(resumed, x, y);
                        second.step();
                    }
                    assertArrayEquals(first.means(), second.means(), 0f);
                }
            }
            for (int i = 0; i < resumed.size(); i++) {
                assertArrayEquals(uninterrupted.get(i).getArray().toFloatArray(), resumed.get(i).getArray().toFloatArray(), 0f);
            }
        }
    }

    @Test
    void aStepUpdatesTheArraysInPlaceAndZeroesTheGradients() {
        try (NDManager manager = NDManager.newBaseManager()) {
            List<Parameter> ps = model(manager);
            NDArray w = ps.get(0).getArray();
            try (FlatAdam adam = new FlatAdam(ps, Tracker.fixed(0.1f), 0f, -1f, false, manager)) {
                // the parameters keep their array objects and values
                assertArrayEquals(new float[] {0.5f, -1.0f, 2.0f, 0.25f, -0.75f, 1.5f}, w.toFloatArray(), 0f);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    collector.backward(w.sum().add(ps.get(1).getArray().mul(-1f).sum()));
                }
                adam.step();
                // first Adam step: every element moves by the learning rate against its gradient's sign
                assertArrayEquals(new float[] {0.4f, -1.1f, 1.9f, 0.15f, -0.85f, 1.4f}, w.toFloatArray(), 1e-6f);
                assertArrayEquals(new float[] {0.2f, -0.1f}, ps.get(1).getArray().toFloatArray(), 1e-6f);
                assertArrayEquals(new float[6], w.getGradient().toFloatArray(), 0f);
            }
            // the arrays stay usable after the optimiser is closed
            assertArrayEquals(new float[] {0.2f, -0.1f}, ps.get(1).getArray().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void gradientsAreReadThroughViewsKeptAcrossSteps() {
        // the bias enters the loss only from the fourth step on (a task absent from the first
        // batches), and between backward and step the weight's gradient is scaled in place, as
        // gradient surgery writes its combined gradient: both must reach the update on every step
        try (NDManager manager = NDManager.newBaseManager()) {
            List<Parameter> reference = model(manager);
            List<Parameter> flat = model(manager);
            NDArray x = inputs(manager);
            NDArray y = targets(manager);
            Optimizer djl = Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.05f)).build();
            try (FlatAdam adam = new FlatAdam(flat, Tracker.fixed(0.05f), 0f, -1f, false, manager)) {
                for (int step = 0; step < 12; step++) {
                    for (List<Parameter> ps : List.of(reference, flat)) {
                        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                            NDArray out = x.matMul(ps.get(0).getArray().transpose());
                            if (step >= 3) {
                                out = out.add(ps.get(1).getArray());
                            }
                            collector.backward(out.sub(y).square().mean());
                        }
                        try (NDArray g = ps.get(0).getArray().getGradient()) {
                            g.muli(step % 2 == 0 ? 0.5f : 2f);
                        }
                    }
                    for (Parameter p : reference) {
                        try (NDArray g = p.getArray().getGradient()) {
                            djl.update(p.getId(), p.getArray(), g);
                        }
                        p.getArray().getGradient().muli(0f);
                    }
                    adam.step();
                    for (int i = 0; i < reference.size(); i++) {
                        assertArrayEquals(reference.get(i).getArray().toFloatArray(), flat.get(i).getArray().toFloatArray(), 1e-6f,
                                reference.get(i).getName() + " after step " + (step + 1));
                    }
                }
            }
            // the bias moved once it had a gradient
            assertTrue(Math.abs(flat.get(1).getArray().getFloat(0) - 0.1f) > 0.05f);
        }
    }

    @Test
    void aViewIsToldFromACopy() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, new Shape(2, 3));
            assertTrue(FlatAdam.aliases(a.reshape(-1), a));
            // a transposed array's memory is out of order: flattening it copies
            NDArray t = a.transpose();
            assertTrue(!FlatAdam.aliases(t.reshape(-1), t));
            assertTrue(!FlatAdam.aliases(a.duplicate().reshape(-1), a));
            // the test leaves the values as they were
            assertArrayEquals(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, a.toFloatArray(), 0f);
        }
    }

    @Test
    void aReplacedArrayIsAnError() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter p = parameter(manager, "w", new float[] {1f}, new Shape(1));
            Parameter saved = parameter(manager, "w", new float[] {2f}, new Shape(1));
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            saved.save(new java.io.DataOutputStream(bytes));
            try (FlatAdam adam = new FlatAdam(List.of(p), Tracker.fixed(0.1f), 0f, -1f, false, manager)) {
                // what Block.loadParameters does: the parameter gets a new array
                p.load(manager, new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
                IllegalStateException e = assertThrows(IllegalStateException.class, adam::step);
                assertTrue(e.getMessage().contains("parameter w was given a new array"), e.getMessage());
            }
        }
    }
}
