package dev.taskweave.plugins.heads;

import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import dev.taskweave.api.nn.OffsetBlock;
import java.util.List;

/** Builds the block shared by the scalar heads: a ReLU tower, a one-unit output and an offset. */
final class Towers {
    private Towers() {}

    /**
     * @param widths  the hidden layer widths, possibly empty
     * @param dropout the dropout rate after each hidden activation; 0 adds no dropout layer
     * @param offset  the constant added to the output
     * @return a new, uninitialised block mapping {@code [batch, width]} to {@code [batch, 1]}
     */
    static SequentialBlock scalarTower(List<Integer> widths, double dropout, float offset) {
        SequentialBlock block = new SequentialBlock();
        for (int width : widths) {
            block.add(Linear.builder().setUnits(width).build());
            block.add(Activation.reluBlock());
            if (dropout > 0) {
                block.add(Dropout.builder().optRate((float) dropout).build());
            }
        }
        block.add(Linear.builder().setUnits(1).build());
        block.add(new OffsetBlock(offset));
        return block;
    }
}
