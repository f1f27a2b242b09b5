package dev.taskweave.testkit;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import dev.taskweave.api.model.AuxiliaryLoss;
import dev.taskweave.api.nn.FastDropout;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What block tests keep doing: an inference forward pass, a parameter count, saving and loading
 * parameters as bytes, and fitting a sharing block to two small regression tasks.
 */
public final class Blocks {
    private Blocks() {}

    /** @return the block's outputs for {@code x} in inference mode */
    public static NDList forward(NDManager manager, Block block, NDArray x) {
        return block.forward(new ParameterStore(manager, false), new NDList(x), false);
    }

    /**
     * Fails unless a training step run as the runtime runs one leaves no array in the manager that
     * holds the block's parameters: {@code step} computes a scalar from the step's manager (the
     * inputs are created there, and the store's manager is it), the collector takes its gradient,
     * and the step's manager is closed. An array that outlives it is a leak of every step, as the
     * parameters' manager lives for the whole run: DJL puts an operation's result in its
     * <em>first operand's</em> manager, so {@code parameter.matMul(x)} or {@code parameter.neg()}
     * land in the parameters' manager, with everything computed from them (compute
     * {@code x.matMul(...)}, or {@code attach} the result to the input's manager or the store's).
     *
     * @param manager the manager the block's parameters were initialised in
     * @param step    the step: from a manager and a store on it, the scalar to differentiate
     */
    public static void assertStepLeavesNoArrays(NDManager manager, java.util.function.BiFunction<NDManager, ParameterStore, NDArray> step) {
        java.util.Set<NDArray> before = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        before.addAll(manager.getManagedArrays());
        try (NDManager stepManager = manager.newSubManager()) {
            ParameterStore store = new ParameterStore(stepManager, false);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(step.apply(stepManager, store));
            }
        }
        List<String> shapes = new ArrayList<>();
        for (NDArray a : manager.getManagedArrays()) {
            if (!before.contains(a)) {
                shapes.add(a.getShape().toString());
            }
        }
        if (!shapes.isEmpty()) {
            org.junit.jupiter.api.Assertions.fail(shapes.size() + " arrays outlived a training step in the parameters' manager"
                    + " (shapes " + shapes + "): an operation whose first operand is a parameter puts its result there;"
                    + " start from the input, or attach the result to the step's manager");
        }
    }

    /** @return the number of values in the block's parameters */
    public static long parameterCount(Block block) {
        long count = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            count += p.getValue().getArray().size();
        }
        return count;
    }

    /** @return the block's parameters as a model file holds them */
    public static byte[] save(Block block) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream os = new DataOutputStream(bytes)) {
            block.saveParameters(os);
        }
        return bytes.toByteArray();
    }

    /** Loads parameters written by {@link #save} into an initialised block of the same structure. */
    public static void load(Block block, NDManager manager, byte[] saved) throws IOException, ai.djl.MalformedModelException {
        try (DataInputStream is = new DataInputStream(new ByteArrayInputStream(saved))) {
            block.loadParameters(manager, is);
        }
    }

    /**
     * Fits the sharing block plus one {@code Linear(1)} head per task to two regression targets with
     * Adam and returns {@code [task][before, after]} mean squared errors (measured in inference mode).
     * A block that is an {@link AuxiliaryLoss} has its term added to the training loss. The block
     * keeps its trained parameters.
     */
    public static double[][] fitTwoTasks(NDManager manager, Block sharing, int width, int steps) {
        Engine.getInstance().setRandomSeed(7);
        FastDropout.seed(7);
        int batch = 64;
        NDArray x = manager.randomUniform(-1, 1, new Shape(batch, width));
        NDArray y1 = x.get(new NDIndex(":, 0:3")).sum(new int[] {1});
        NDArray y2 = x.get(new NDIndex(":, 3")).mul(2).sub(x.get(new NDIndex(":, 4"))).add(0.5);
        List<NDArray> targets = List.of(y1, y2);

        sharing.initialize(manager, DataType.FLOAT32, new Shape(batch, width));
        Shape representation = sharing.getOutputShapes(new Shape[] {new Shape(batch, width)})[0];
        List<Block> heads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Block head = Linear.builder().setUnits(1).build();
            head.initialize(manager, DataType.FLOAT32, representation);
            heads.add(head);
        }
        List<Block> all = new ArrayList<>(heads);
        all.add(sharing);

        double[][] losses = new double[2][2];
        NDList before = taskLosses(manager, sharing, heads, x, targets, false);
        for (int t = 0; t < 2; t++) {
            losses[t][0] = before.get(t).getFloat();
        }
        Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.02f)).build();
        for (int step = 0; step < steps; step++) {
            try (NDManager scope = manager.newSubManager()) {
                NDArray xs = x.duplicate();
                xs.attach(scope);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDList stepLosses = taskLosses(manager, sharing, heads, xs, targets, true);
                    NDArray total = stepLosses.get(0).add(stepLosses.get(1));
                    if (sharing instanceof AuxiliaryLoss aux) {
                        total = total.add(aux.auxiliaryLoss(new ParameterStore(scope, false), true));
                    }
                    collector.backward(total);
                }
                for (Block block : all) {
                    for (Pair<String, Parameter> p : block.getParameters()) {
                        NDArray weight = p.getValue().getArray();
                        NDArray grad = weight.getGradient();
                        adam.update(p.getValue().getId(), weight, grad);
                        grad.subi(grad);
                    }
                }
            }
        }
        NDList after = taskLosses(manager, sharing, heads, x, targets, false);
        for (int t = 0; t < 2; t++) {
            losses[t][1] = after.get(t).getFloat();
        }
        return losses;
    }

    private static NDList taskLosses(
            NDManager manager, Block sharing, List<Block> heads, NDArray x, List<NDArray> targets, boolean training) {
        ParameterStore ps = new ParameterStore(manager, false);
        NDList representations = sharing.forward(ps, new NDList(x), training);
        NDList losses = new NDList();
        for (int t = 0; t < heads.size(); t++) {
            NDArray prediction = heads.get(t).forward(ps, new NDList(representations.get(t)), training)
                    .singletonOrThrow().squeeze(1);
            losses.add(prediction.sub(targets.get(t)).square().mean());
        }
        return losses;
    }
}
