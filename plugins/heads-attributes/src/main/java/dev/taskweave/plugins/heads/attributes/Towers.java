package dev.taskweave.plugins.heads.attributes;

import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import java.util.List;

/** Builds the block shared by the attribute heads: a ReLU tower and a linear output. */
final class Towers {
    private Towers() {}

    /**
     * @param widths  the hidden layer widths, possibly empty
     * @param dropout the dropout rate after each hidden activation; 0 adds no dropout layer
     * @param units   the output width (labels or classes)
     * @return a new, uninitialised block mapping {@code [batch, width]} to {@code [batch, units]}
     */
    static SequentialBlock tower(List<Integer> widths, double dropout, int units) {
        SequentialBlock block = new SequentialBlock();
        for (int width : widths) {
            block.add(Linear.builder().setUnits(width).build());
            block.add(Activation.reluBlock());
            if (dropout > 0) {
                block.add(Dropout.builder().optRate((float) dropout).build());
            }
        }
        block.add(Linear.builder().setUnits(units).build());
        return block;
    }
}
