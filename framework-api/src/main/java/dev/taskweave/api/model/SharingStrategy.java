package dev.taskweave.api.model;

import static java.util.Objects.requireNonNull;

import ai.djl.nn.Block;
import java.util.function.Supplier;

/**
 * How tasks share the encoded input: hard sharing, experts with gates, and so on.
 *
 * <p>The block takes {@code NDList(x)} with {@code x} of shape {@code [batch, inputWidth]} and
 * returns one array per task, in {@link SharingContext#tasks()} order, each of shape
 * {@code [batch, outputWidth()]}.
 */
public interface SharingStrategy {
    /** @return a new, uninitialised block */
    Block createBlock();

    /** @return the width of each task's representation */
    int outputWidth();

    /**
     * @param blocks      makes a new, uninitialised block on every call
     * @param outputWidth the width of each task's representation
     * @return a strategy that creates its blocks with {@code blocks}
     * @throws IllegalArgumentException if {@code outputWidth < 1}
     */
    static SharingStrategy of(Supplier<Block> blocks, int outputWidth) {
        requireNonNull(blocks, "blocks is null");
        if (outputWidth < 1) {
            throw new IllegalArgumentException("outputWidth must be >= 1, got " + outputWidth);
        }
        return new SharingStrategy() {
            @Override
            public Block createBlock() {
                return blocks.get();
            }

            @Override
            public int outputWidth() {
                return outputWidth;
            }
        };
    }
}
