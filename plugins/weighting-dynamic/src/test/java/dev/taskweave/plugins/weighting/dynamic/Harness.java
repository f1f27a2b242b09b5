package dev.taskweave.plugins.weighting.dynamic;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.taskweave.api.model.WeightingContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Test helpers: contexts, block set-up and forward passes. */
final class Harness {
    private Harness() {}

    static WeightingContext context(int tasks) {
        List<String> names = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            names.add("task" + t);
        }
        return new WeightingContext(names, Collections.nCopies(tasks, 1.0));
    }

    static Block initialized(NDManager manager, Block block, int tasks) {
        block.initialize(manager, DataType.FLOAT32, new Shape(tasks), new Shape(tasks));
        return block;
    }

    static NDList forward(NDManager manager, Block block, float[] losses, float[] present, boolean training) {
        return block.forward(new ParameterStore(manager, false),
                new NDList(manager.create(losses), manager.create(present)), training);
    }

    static double dot(float[] a, float[] b) {
        return Vectors.dot(a, b);
    }
}
