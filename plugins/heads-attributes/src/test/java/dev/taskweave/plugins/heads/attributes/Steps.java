package dev.taskweave.plugins.heads.attributes;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import dev.taskweave.api.model.TaskHead;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;

/** A minimal manual training loop and save/load helpers for the head tests. */
final class Steps {
    private Steps() {}

    /** Runs full-batch Adam and returns the loss before every step plus the final loss. */
    static float[] adam(NDManager manager, TaskHead head, Block block, NDArray x, NDArray y, NDArray mask, int steps) {
        Optimizer optimizer = Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.05f)).build();
        ParameterStore store = new ParameterStore(manager, false);
        float[] losses = new float[steps + 1];
        for (int step = 0; step < steps; step++) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = head.loss(block.forward(store, new NDList(x), true).singletonOrThrow(), y, mask);
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
        losses[steps] = head.loss(block.forward(store, new NDList(x), false).singletonOrThrow(), y, mask).getFloat();
        return losses;
    }

    /** Saves a block's parameters and loads them into another block. */
    static void copy(NDManager manager, Block from, Block to) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            from.saveParameters(out);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            to.loadParameters(manager, in);
            if (in.read() != -1) {
                throw new AssertionError("loadParameters left bytes unread");
            }
        }
    }

    /** Runs one forward and backward pass and returns the largest absolute parameter gradient. */
    static float maxGradient(NDManager manager, TaskHead head, Block block, NDArray x, NDArray y, NDArray mask) {
        ParameterStore store = new ParameterStore(manager, false);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = head.loss(block.forward(store, new NDList(x), true).singletonOrThrow(), y, mask);
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
}
