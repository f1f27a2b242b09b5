package dev.taskweave.api.model;

import ai.djl.nn.Block;

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
}
