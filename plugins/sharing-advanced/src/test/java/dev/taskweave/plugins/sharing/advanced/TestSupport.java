package dev.taskweave.plugins.sharing.advanced;

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
import dev.taskweave.api.model.SharingContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Helpers the block tests share: forward passes, parameter counts, checkpoints and a tiny fit. */
final class TestSupport {
    private TestSupport() {}

    /** @return a context with tasks {@code task0 .. task<n-1>} */
    static SharingContext context(int tasks, int width) {
        List<String> names = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            names.add("task" + t);
        }
        return new SharingContext(names, width);
    }

    static NDList forward(NDManager manager, Block block, NDArray x) {
        return block.forward(new ParameterStore(manager, false), new NDList(x), false);
    }

    static long parameterCount(Block block) {
        long count = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            count += p.getValue().getArray().size();
        }
        return count;
    }

    /**
     * Copies parameter values by position: the {@code i}-th parameter of {@code from} whose name does
     * not start with {@code skipPrefix} into the {@code i}-th of {@code to}; the shapes must agree.
     */
    static void copyParameters(Block from, Block to, String skipPrefix) {
        List<Parameter> source = new ArrayList<>();
        for (Parameter p : from.getParameters().values()) {
            if (skipPrefix.isEmpty() || !p.getName().startsWith(skipPrefix)) {
                source.add(p);
            }
        }
        List<Parameter> target = to.getParameters().values();
        if (source.size() != target.size()) {
            throw new AssertionError(source.size() + " parameters to copy into " + target.size());
        }
        for (int i = 0; i < source.size(); i++) {
            NDArray value = source.get(i).getArray();
            if (!value.getShape().equals(target.get(i).getArray().getShape())) {
                throw new AssertionError("parameter " + i + ": " + value.getShape() + " vs "
                        + target.get(i).getArray().getShape());
            }
            value.copyTo(target.get(i).getArray());
        }
    }

    /** DJL prefixes each child's name with its 2-digit position; this strips those prefixes. */
    static String plainName(String name) {
        return name.replaceAll("(^|_)\\d{2}(?=[A-Za-z])", "$1");
    }

    /** @return the direct child called {@code name} (without DJL's position prefix) */
    static Block child(Block block, String name) {
        for (Pair<String, Block> c : block.getChildren()) {
            if (plainName(c.getKey()).equals(name)) {
                return c.getValue();
            }
        }
        throw new AssertionError("no child " + name + " in " + block.getChildren().keys());
    }

    /** @return the parameter called {@code name} with DJL's position prefixes removed */
    static Parameter parameter(Block block, String name) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (plainName(p.getKey()).equals(name)) {
                return p.getValue();
            }
        }
        throw new AssertionError("no parameter " + name + " in " + block.getParameters().keys());
    }

    static byte[] save(Block block) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream os = new DataOutputStream(bytes)) {
            block.saveParameters(os);
        }
        return bytes.toByteArray();
    }

    static void load(Block block, NDManager manager, byte[] saved) throws Exception {
        try (DataInputStream is = new DataInputStream(new ByteArrayInputStream(saved))) {
            block.loadParameters(manager, is);
        }
    }

    /** Fails unless every row of every gate array is non-negative and sums to 1. */
    static void assertDistributions(NDList gates, int tasks, Shape shape) {
        if (gates.size() != tasks) {
            throw new AssertionError("expected " + tasks + " gate arrays, got " + gates.size());
        }
        for (NDArray g : gates) {
            if (!g.getShape().equals(shape)) {
                throw new AssertionError("expected gates of shape " + shape + ", got " + g.getShape());
            }
            if (!g.gte(0).all().getBoolean()) {
                throw new AssertionError("negative gate weight in " + g);
            }
            for (float sum : g.sum(new int[] {1}).toFloatArray()) {
                if (Math.abs(sum - 1) > 1e-5) {
                    throw new AssertionError("gate row sums to " + sum);
                }
            }
        }
    }

    /**
     * Fits the sharing block plus one {@code Linear(1)} head per task to two regression targets with
     * Adam and returns {@code [task][before, after]} mean squared errors (measured in inference mode).
     * A block that is an {@link AuxiliaryLoss} has its term added to the training loss. The block
     * keeps its trained parameters.
     */
    static double[][] fitTwoTasks(NDManager manager, Block sharing, int width, int steps) {
        Engine.getInstance().setRandomSeed(7);
        dev.taskweave.api.nn.FastDropout.seed(7);
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
                        total = total.add(aux.auxiliaryLoss(new ParameterStore(manager, false), true));
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
