package dev.taskweave.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import ai.djl.util.Pair;
import dev.taskweave.api.model.GradientCombiner;
import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.SharedParameter;
import dev.taskweave.api.model.StatefulWeighting;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Checks a {@link LossWeighting} against what the runtime relies on ({@link #assertContract}):
 * its block's outputs, that a task absent from a batch contributes nothing, that gradients reach
 * the losses and its learnable weights, and, where it implements them, the
 * {@link StatefulWeighting} and {@link GradientCombiner} contracts (state saved and loaded gives the
 * same weights; {@link GradientCombiner#preview} changes nothing). It checks what every weighting
 * must do, not what a given method computes: test that against a hand computation too.
 */
public final class WeightingChecks {
    private WeightingChecks() {}

    /**
     * Checks weightings made by {@code create} (each call a new one, of one configuration and
     * {@code tasks} tasks) on seeded random losses, in inference mode (a block that draws random
     * weights in training, such as random loss weighting, is then deterministic):
     * <ul>
     *   <li>the block takes {@code NDList(losses, present)} of shapes {@code [tasks]} and returns
     *       {@code NDList(total, weights)}: a finite one-element total and {@code [tasks]} finite
     *       weights, in training mode too;</li>
     *   <li>a task whose {@code present} is 0 has weight 0, and its loss changes neither the total
     *       nor any other weight;</li>
     *   <li>the total's gradient with respect to the losses is finite, 0 for an absent task, and it
     *       reaches every learnable parameter of the block with finite values;</li>
     *   <li>a training step leaves no array in the parameters' manager
     *       ({@link Blocks#assertStepLeavesNoArrays});</li>
     *   <li>{@link LossWeighting#epochEnded} with the epochs' mean losses leaves the outputs finite;</li>
     *   <li>a {@link StatefulWeighting}'s state, saved and loaded into a new weighting (its block's
     *       parameters copied), gives the same outputs; a truncated state is an {@link IOException};</li>
     *   <li>a {@link GradientCombiner} returns a finite shared gradient of the layout's length and
     *       one finite weight per task, with an absent task ({@code null} gradient, NaN loss), and
     *       {@link GradientCombiner#preview} changes nothing a later {@code combine} returns.</li>
     * </ul>
     *
     * @param create makes a new weighting of the configuration under test
     * @param tasks  the number of tasks it was made for (at least 2)
     * @return the block of the first weighting, initialised
     */
    public static Block assertContract(NDManager manager, Supplier<LossWeighting> create, int tasks) {
        if (tasks < 2) {
            throw new IllegalArgumentException("check at least 2 tasks, got " + tasks);
        }
        SplittableRandom random = new SplittableRandom(7);
        LossWeighting weighting = create.get();
        Block block = weighting.createBlock();
        assertNotNull(block, "createBlock() returned null");
        block.initialize(manager, DataType.FLOAT32, new Shape(tasks), new Shape(tasks));
        float[] losses = positive(random, tasks);
        float[] all = new float[tasks];
        Arrays.fill(all, 1f);

        Outputs training = forward(manager, block, losses, all, true);
        assertTrue(Float.isFinite(training.total), "the total in training mode is finite: " + training.total);
        Outputs inference = forward(manager, block, losses, all, false);
        assertTrue(Float.isFinite(inference.total), "the total in inference mode is finite: " + inference.total);

        // an absent task: weight 0, and its loss changes nothing
        for (int absent = 0; absent < tasks; absent++) {
            float[] present = all.clone();
            present[absent] = 0f;
            float[] changed = losses.clone();
            changed[absent] = losses[absent] * 3 + 5;
            Outputs with = forward(manager, block, losses, present, false);
            Outputs other = forward(manager, block, changed, present, false);
            assertEquals(0f, with.weights[absent], "the weight of task " + absent + ", absent from the batch");
            assertEquals(with.total, other.total, Math.abs(with.total) * 1e-6 + 1e-7,
                    "the total changed with the loss of task " + absent + ", absent from the batch");
            assertArrayEquals(with.weights, other.weights, 1e-6f, "the weights changed with the loss of absent task " + absent);
        }

        // gradients: finite, none for an absent task, and every learnable parameter reached
        float[] present = all.clone();
        present[tasks - 1] = 0f;
        clearGradients(block);
        try (NDManager step = manager.newSubManager()) {
            NDArray lossArray = step.create(losses);
            lossArray.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDList out = block.forward(new ParameterStore(step, false), new NDList(lossArray, step.create(present)), true);
                collector.backward(out.get(0));
            }
            float[] gradient = lossArray.getGradient().toFloatArray();
            for (int t = 0; t < tasks; t++) {
                assertTrue(Float.isFinite(gradient[t]), "the total's gradient with respect to task " + t + "'s loss is finite");
            }
            assertEquals(0f, gradient[tasks - 1], "the total's gradient with respect to the loss of a task absent from the batch");
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    NDArray g = p.getValue().getArray().getGradient();
                    assertTrue(g.isInfinite().logicalOr(g.isNaN()).none().getBoolean(), "the gradient of " + p.getKey() + " is finite");
                    // and reaches it: a learnable weight detached from the total would never move
                    assertTrue(g.abs().max().getFloat() > 0f, "the total's gradient reaches " + p.getKey() + " (it is 0 everywhere:"
                            + " is the parameter used in the total?)");
                }
            }
        }
        clearGradients(block);

        // a training step leaves nothing in the parameters' manager
        Blocks.assertStepLeavesNoArrays(manager, (step, store) -> {
            NDArray lossArray = step.create(losses);
            lossArray.setRequiresGradient(true);
            return block.forward(store, new NDList(lossArray, step.create(all)), true).get(0);
        });
        clearGradients(block);

        // epochs end
        weighting.epochEnded(1, toDoubles(losses));
        weighting.epochEnded(2, toDoubles(positive(random, tasks)));
        Outputs later = forward(manager, block, losses, all, false);
        assertTrue(Float.isFinite(later.total), "the total after epochEnded is finite: " + later.total);

        if (weighting instanceof StatefulWeighting stateful) {
            assertStateRoundTrips(manager, stateful, block, create, tasks, losses, all, later);
        }
        if (weighting instanceof GradientCombiner) {
            assertCombinerContract(create, tasks, random);
        }
        return block;
    }

    private static void assertStateRoundTrips(NDManager manager, StatefulWeighting stateful, Block block,
            Supplier<LossWeighting> create, int tasks, float[] losses, float[] present, Outputs expected) {
        byte[] state;
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            stateful.saveState(out);
            out.flush();
            state = bytes.toByteArray();
            LossWeighting fresh = create.get();
            assertTrue(fresh instanceof StatefulWeighting, "a new weighting of the same configuration is stateful too");
            ((StatefulWeighting) fresh).loadState(new DataInputStream(new ByteArrayInputStream(state)));
            Block copy = fresh.createBlock();
            copy.initialize(manager, DataType.FLOAT32, new Shape(tasks), new Shape(tasks));
            ByteArrayOutputStream parameters = new ByteArrayOutputStream();
            block.saveParameters(new DataOutputStream(parameters));
            copy.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(parameters.toByteArray())));
            Outputs loaded = forward(manager, copy, losses, present, false);
            assertEquals(expected.total, loaded.total, Math.abs(expected.total) * 1e-6 + 1e-7, "the total after loading the state");
            assertArrayEquals(expected.weights, loaded.weights, 1e-6f, "the weights after loading the state");
        } catch (IOException | ai.djl.MalformedModelException e) {
            throw new AssertionError("saving or loading the state failed: " + e, e);
        }
        if (state.length > 0) {
            StatefulWeighting other = (StatefulWeighting) create.get();
            byte[] truncated = Arrays.copyOf(state, state.length - 1);
            assertThrows(IOException.class, () -> other.loadState(new DataInputStream(new ByteArrayInputStream(truncated))),
                    "a truncated state is refused");
        }
    }

    private static void assertCombinerContract(Supplier<LossWeighting> create, int tasks, SplittableRandom random) {
        int size = 12;
        List<SharedParameter> layout = List.of(new SharedParameter("01encoder_user", 0, 8, false),
                new SharedParameter("02sharing_01linear_weight", 8, 4, true));
        GradientCombiner a = (GradientCombiner) create.get();
        GradientCombiner b = (GradientCombiner) create.get();
        a.layout(layout);
        b.layout(layout);
        float[][] gradients = new float[tasks][];
        float[] losses = positive(random, tasks);
        for (int t = 0; t < tasks - 1; t++) {
            gradients[t] = gaussian(random, size);
        }
        losses[tasks - 1] = Float.NaN; // absent: no gradient, no loss
        float[][] next = new float[tasks][];
        for (int t = 0; t < tasks; t++) {
            next[t] = gaussian(random, size);
        }
        float[] nextLosses = positive(random, tasks);
        // a previews (as telemetry does) before both combine the same steps
        float[] previewed = a.preview(copy(gradients), losses.clone());
        if (previewed != null) {
            assertEquals(size, previewed.length, "the previewed gradient's length");
            assertFinite(previewed, "the previewed gradient");
            float[] again = a.preview(copy(gradients), losses.clone());
            assertArrayEquals(previewed, again, "preview() twice on the same gradients");
        }
        for (float[][] step : List.of(gradients, next)) {
            float[] stepLosses = step == gradients ? losses : nextLosses;
            GradientCombiner.Combined ca = a.combine(copy(step), stepLosses.clone());
            GradientCombiner.Combined cb = b.combine(copy(step), stepLosses.clone());
            assertNotNull(ca, "combine() returned null");
            assertEquals(size, ca.sharedGradient().length, "the combined gradient's length");
            assertEquals(tasks, ca.taskWeights().length, "one weight per task");
            assertFinite(ca.sharedGradient(), "the combined gradient");
            assertFinite(ca.taskWeights(), "the task weights");
            assertArrayEquals(cb.sharedGradient(), ca.sharedGradient(), "combine() after preview() differs from combine() alone");
            assertArrayEquals(cb.taskWeights(), ca.taskWeights(), "the task weights after preview() differ");
            if (step == gradients && previewed != null) {
                assertArrayEquals(ca.sharedGradient(), previewed, 1e-6f, "preview() and combine() on the same gradients");
            }
        }
    }

    private record Outputs(float total, float[] weights) {}

    private static Outputs forward(NDManager manager, Block block, float[] losses, float[] present, boolean training) {
        try (NDManager step = manager.newSubManager()) {
            NDList out = block.forward(new ParameterStore(step, false), new NDList(step.create(losses), step.create(present)), training);
            assertEquals(2, out.size(), "the block returns NDList(total, weights)");
            NDArray total = out.get(0);
            NDArray weights = out.get(1);
            assertEquals(1, total.size(), "the total has one element, shape " + total.getShape());
            assertEquals(new Shape(losses.length), weights.getShape(), "the weights' shape");
            float[] w = weights.toType(DataType.FLOAT32, false).toFloatArray();
            assertFinite(w, "the weights");
            return new Outputs(total.toType(DataType.FLOAT32, false).toFloatArray()[0], w);
        }
    }

    private static void clearGradients(Block block) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().requiresGradient() && p.getValue().isInitialized()) {
                NDArray g = p.getValue().getArray().getGradient();
                g.subi(g);
            }
        }
    }

    private static float[] positive(SplittableRandom random, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (0.1 + 2 * random.nextDouble());
        }
        return out;
    }

    private static float[] gaussian(SplittableRandom random, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double u = random.nextDouble(1e-12, 1);
            out[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble()));
        }
        return out;
    }

    private static float[][] copy(float[][] gradients) {
        float[][] out = new float[gradients.length][];
        for (int t = 0; t < gradients.length; t++) {
            out[t] = gradients[t] == null ? null : gradients[t].clone();
        }
        return out;
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static void assertFinite(float[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            assertTrue(Float.isFinite(values[i]), what + " [" + i + "] is finite: " + values[i]);
        }
    }
}
