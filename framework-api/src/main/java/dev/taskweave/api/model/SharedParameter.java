package dev.taskweave.api.model;

import static java.util.Objects.requireNonNull;

/**
 * One shared parameter in the flattened gradient vectors a {@link GradientCombiner} receives.
 *
 * @param name      the parameter's path in the model as DJL's {@code getParameters()} names it,
 *                  such as {@code 01encoder_user} or {@code 02sharing_01expert0_01linear0_weight}
 * @param offset    its first index in the flattened vector
 * @param size      its number of elements
 * @param lastLayer true for the sharing strategy's last shared layer, the shared parameters
 *                  closest to the task heads, as the block names them ({@link LastSharedLayer}):
 *                  GradNorm's reference. For a block that names none, true for every shared
 *                  parameter of the sharing strategy and the heads of tasks another task depends
 *                  on, which is what it meant for every block before {@link LastSharedLayer}:
 *                  false marks the input encoder's parameters only where no layer is named
 */
public record SharedParameter(String name, int offset, int size, boolean lastLayer) {
    public SharedParameter {
        requireNonNull(name, "name is null");
        if (offset < 0 || size < 0) {
            throw new IllegalArgumentException("offset and size must be >= 0");
        }
    }
}
