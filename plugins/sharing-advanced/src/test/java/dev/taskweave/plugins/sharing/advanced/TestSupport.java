package dev.taskweave.plugins.sharing.advanced;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.taskweave.api.model.SharingContext;
import java.util.ArrayList;
import java.util.List;

/** Helpers the block tests of this module share (the others are in the testkit's {@code Blocks}). */
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
}
