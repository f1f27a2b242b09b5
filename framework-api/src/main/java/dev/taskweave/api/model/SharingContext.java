package dev.taskweave.api.model;

import java.util.List;

/**
 * What the runtime tells a sharing strategy when it creates it.
 *
 * @param tasks      task names, in the order the strategy's outputs must follow
 * @param inputWidth the width of the encoded input, {@code [batch, inputWidth]}
 */
public record SharingContext(List<String> tasks, int inputWidth) {
    public SharingContext {
        tasks = List.copyOf(tasks);
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("at least one task is required");
        }
        if (inputWidth < 1) {
            throw new IllegalArgumentException("inputWidth must be >= 1, got " + inputWidth);
        }
    }
}
