package dev.taskweave.plugins.weighting;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

/** Test helpers: block set-up and forward passes. */
final class Blocks {
    private Blocks() {}

    static Block initialized(NDManager manager, Block block, int tasks) {
        block.initialize(manager, DataType.FLOAT32, new Shape(tasks), new Shape(tasks));
        return block;
    }

    static NDList forward(NDManager manager, Block block, float[] losses, float[] present, boolean training) {
        return block.forward(new ParameterStore(manager, false),
                new NDList(manager.create(losses), manager.create(present)), training);
    }

}
