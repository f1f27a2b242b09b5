package dev.taskweave.api.model;

import static java.util.Objects.requireNonNull;

/**
 * One shared parameter in the flattened gradient vectors a {@link GradientCombiner} receives.
 *
 * @param name      the parameter's name in the model
 * @param offset    its first index in the flattened vector
 * @param size      its number of elements
 * @param lastLayer true for the sharing strategy's own parameters (as opposed to the input
 *                  encoder's embeddings): the layers closest to the task heads, GradNorm's
 *                  reference
 */
public record SharedParameter(String name, int offset, int size, boolean lastLayer) {
    public SharedParameter {
        requireNonNull(name, "name is null");
        if (offset < 0 || size < 0) {
            throw new IllegalArgumentException("offset and size must be >= 0");
        }
    }
}
