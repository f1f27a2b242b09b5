package dev.taskweave.api.model;

import static java.util.Objects.requireNonNull;

/**
 * One shared parameter in the flattened gradient vectors a {@link GradientCombiner} receives.
 *
 * @param name      the parameter's path in the model as DJL's {@code getParameters()} names it,
 *                  such as {@code 01encoder_user} or {@code 02sharing_01expert0_01linear0_weight}
 * @param offset    its first index in the flattened vector
 * @param size      its number of elements
 * @param lastLayer true for the sharing strategy's shared parameters (as opposed to the input
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
