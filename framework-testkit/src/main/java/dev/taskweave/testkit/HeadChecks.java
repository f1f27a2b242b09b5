package dev.taskweave.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
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
import ai.djl.util.Pair;
import dev.taskweave.api.model.TaskHead;

/**
 * Checks a {@link TaskHead} against what the runtime relies on ({@link #assertContract}), and the
 * small full-batch training loop that head tests need.
 */
public final class HeadChecks {
    /** The learning rate of {@link #fit(NDManager, TaskHead, Block, NDArray, NDArray, NDArray, int)}. */
    public static final float LEARNING_RATE = 0.05f;

    private HeadChecks() {}

    /**
     * Trains {@code block} with full-batch Adam at {@link #LEARNING_RATE}.
     *
     * @return the loss before every step (training mode), then the loss after the last step
     *         (inference mode): {@code steps + 1} values
     */
    public static float[] fit(NDManager manager, TaskHead head, Block block, NDArray x, NDArray labels, NDArray mask,
            int steps) {
        Optimizer optimizer = Optimizer.adam().optLearningRateTracker(Tracker.fixed(LEARNING_RATE)).build();
        ParameterStore store = new ParameterStore(manager, false);
        float[] losses = new float[steps + 1];
        for (int step = 0; step < steps; step++) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = head.loss(block.forward(store, new NDList(x), true).singletonOrThrow(), labels, mask);
                losses[step] = loss.getFloat();
                collector.backward(loss);
            }
            for (Pair<String, Parameter> pair : block.getParameters()) {
                Parameter parameter = pair.getValue();
                NDArray gradient = parameter.getArray().getGradient();
                optimizer.update(parameter.getId(), parameter.getArray(), gradient);
                gradient.subi(gradient);
            }
        }
        losses[steps] = head.loss(block.forward(store, new NDList(x), false).singletonOrThrow(), labels, mask).getFloat();
        return losses;
    }

    /** Runs one forward and backward pass (training mode) and returns the largest absolute parameter gradient. */
    public static float maxGradient(NDManager manager, TaskHead head, Block block, NDArray x, NDArray labels, NDArray mask) {
        ParameterStore store = new ParameterStore(manager, false);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = head.loss(block.forward(store, new NDList(x), true).singletonOrThrow(), labels, mask);
            collector.backward(loss);
        }
        float max = 0f;
        for (Pair<String, Parameter> pair : block.getParameters()) {
            NDArray gradient = pair.getValue().getArray().getGradient();
            max = Math.max(max, gradient.abs().max().getFloat());
            gradient.subi(gradient);
        }
        return max;
    }

    /**
     * Checks what the runtime relies on, on a batch of at least four rows whose labels are all
     * valid for the head (encoded, as {@link TaskHead#encodeLabel} leaves them):
     * <ul>
     *   <li>the block maps {@code [batch, width]} to {@code [batch, outputWidth()]};
     *   <li>with no labelled row the loss is 0 and no parameter gets a gradient;
     *   <li>the loss is the mean over labelled rows: with half the rows labelled it equals the loss
     *       of those rows alone, whatever the other rows' outputs and labels, and those rows get no
     *       gradient;
     *   <li>scores have shape {@code [batch]} for a one-wide output and {@code [batch, outputWidth()]}
     *       otherwise, and are finite; {@code encodeLabel(NaN)} is NaN;
     *   <li>thirty steps of full-batch Adam on all rows lower the loss;
     *   <li>the trained parameters saved and loaded into a new block give the same outputs;
     *   <li>a training step leaves no array in the parameters' manager ({@link Blocks#assertStepLeavesNoArrays}).
     * </ul>
     *
     * @param x      inputs, {@code [batch, width]}
     * @param labels encoded labels for every row, as a batch gives them to {@link TaskHead#loss}
     */
    public static void assertContract(NDManager manager, TaskHead head, NDArray x, NDArray labels) {
        long batch = x.getShape().get(0);
        if (batch < 4) {
            throw new IllegalArgumentException("expected a batch of at least 4 rows, got " + batch);
        }
        int width = head.outputWidth();
        Block block = head.createBlock();
        block.initialize(manager, DataType.FLOAT32, x.getShape());
        ParameterStore store = new ParameterStore(manager, false);
        NDArray out = block.forward(store, new NDList(x), false).singletonOrThrow();
        assertEquals(new Shape(batch, width), out.getShape(), "the block's output shape");

        NDArray none = manager.zeros(new Shape(batch));
        assertEquals(0f, head.loss(out, labels, none).getFloat(), "the loss with no labelled row");
        assertEquals(0f, maxGradient(manager, head, block, x, labels, none), "the largest gradient with no labelled row");

        long half = (batch + 1) / 2;
        String labelled = "0:" + half;
        NDArray mask = NDArrays.concat(new NDList(manager.ones(new Shape(half)), manager.zeros(new Shape(batch - half))));
        float masked = head.loss(out, labels, mask).getFloat();
        float alone = head.loss(out.get(labelled), labels.get(labelled), manager.ones(new Shape(half))).getFloat();
        assertTrue(Float.isFinite(masked), "the loss is finite, got " + masked);
        assertEquals(alone, masked, 1e-5f * Math.max(1f, Math.abs(alone)),
                "the loss with half the rows labelled against the loss of those rows alone");
        String copied = "0:" + (batch - half);
        NDArray otherOut = NDArrays.concat(new NDList(out.get(labelled), out.get(copied).add(1f)));
        NDArray otherLabels = NDArrays.concat(new NDList(labels.get(labelled), labels.get(copied)));
        assertEquals(masked, head.loss(otherOut, otherLabels, mask).getFloat(), 1e-6f * Math.max(1f, Math.abs(masked)),
                "the loss after changing the unlabelled rows' outputs and labels");
        NDArray leaf = out.duplicate();
        leaf.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(head.loss(leaf, labels, mask));
        }
        assertEquals(0f, leaf.getGradient().get(half + ":").abs().max().getFloat(),
                "the largest gradient of the loss with respect to an unlabelled row's output");

        NDArray scores = head.scores(out);
        assertEquals(width == 1 ? new Shape(batch) : new Shape(batch, width), scores.getShape(), "the scores' shape");
        assertTrue(scores.isInfinite().logicalOr(scores.isNaN()).none().getBoolean(), "every score is finite: " + scores);
        assertTrue(Float.isNaN(head.encodeLabel(Float.NaN)), "encodeLabel(NaN) stays NaN");

        float[] losses = fit(manager, head, block, x, labels, manager.ones(new Shape(batch)), 30);
        assertTrue(losses[30] < losses[0], "thirty Adam steps lower the loss: " + losses[0] + " -> " + losses[30]);

        Block fresh = head.createBlock();
        fresh.initialize(manager, DataType.FLOAT32, x.getShape());
        Parameters.copy(manager, block, fresh);
        assertArrayEquals(block.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray(),
                fresh.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray(),
                "outputs after saving and loading the parameters");

        // a training step leaves nothing in the parameters' manager
        float[] inputs = x.toType(DataType.FLOAT32, false).toFloatArray();
        float[] labelValues = labels.toType(DataType.FLOAT32, false).toFloatArray();
        Shape inputShape = x.getShape();
        Shape labelShape = labels.getShape();
        Blocks.assertStepLeavesNoArrays(manager, (step, stepStore) -> head.loss(
                block.forward(stepStore, new NDList(step.create(inputs, inputShape)), true).singletonOrThrow(),
                step.create(labelValues, labelShape).toType(labels.getDataType(), false), step.ones(new Shape(batch))));
    }
}
