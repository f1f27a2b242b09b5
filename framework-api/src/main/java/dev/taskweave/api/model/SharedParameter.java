package dev.taskweave.api.model;

import static java.util.Objects.requireNonNull;

/**
 * One shared parameter in the flattened gradient vectors a {@link GradientCombiner} receives.
 *
 * @param name      the parameter's name in the model
 * @param offset    its first index in the flattened vector
 * @param size      its number of elements
 * @param lastLayer true for the parameters of the sharing strategy's last layer (GradNorm's
 *                  reference layer)
 */
public record SharedParameter(String name, int offset, int size, boolean lastLayer) {
    public SharedParameter {
        requireNonNull(name, "name is null");
        if (offset < 0 || size < 0) {
            throw new IllegalArgumentException("offset and size must be >= 0");
        }
    }
}
