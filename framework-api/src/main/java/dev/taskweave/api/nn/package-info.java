/**
 * Building blocks the bundled plugins share, provided by the host like the rest of the SPI:
 * {@link dev.taskweave.api.nn.MlpBlock}, {@link dev.taskweave.api.nn.ExpertStack},
 * {@link dev.taskweave.api.nn.AffineParts}, {@link dev.taskweave.api.nn.FastDropout},
 * {@link dev.taskweave.api.nn.OffsetBlock}, {@link dev.taskweave.api.nn.BlockChecks} and
 * {@link dev.taskweave.api.nn.Scalars}, the autograd-safe arithmetic with a Java number that every
 * plugin should use instead of DJL's {@code Number} overloads.
 */
package dev.taskweave.api.nn;
