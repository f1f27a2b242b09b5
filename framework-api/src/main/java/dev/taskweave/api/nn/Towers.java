package dev.taskweave.api.nn;

import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import java.util.List;

/** Builds a task head's tower: ReLU layers (each followed by dropout when its rate is above 0) and a linear output. */
public final class Towers {
    private Towers() {}

    /**
     * @param widths  the hidden layer widths, possibly empty
     * @param dropout the dropout rate after each hidden activation; 0 adds no dropout layer
     * @param units   the output width
     * @return a new, uninitialised block mapping {@code [batch, width]} to {@code [batch, units]};
     *         a head may add blocks after the output (an offset, say)
     */
    public static SequentialBlock tower(List<Integer> widths, double dropout, int units) {
        if (units < 1) {
            throw new IllegalArgumentException("units must be >= 1, got " + units);
        }
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
