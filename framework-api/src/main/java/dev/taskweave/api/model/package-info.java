/**
 * The model-side extension points: {@link dev.taskweave.api.model.TaskHeadFactory task heads} (a
 * tower, an output, a loss and a score per task), {@link dev.taskweave.api.model.SharingStrategyFactory
 * sharing strategies} (how tasks share the encoded input) and
 * {@link dev.taskweave.api.model.LossWeightingFactory loss weighting} (how per-task losses become
 * one). Each produces DJL {@link ai.djl.nn.Block}s that the runtime assembles into one graph:
 *
 * <pre>
 *   features -> input encoder -> sharing strategy -> one head per task -> per-task losses
 *            -> loss weighting -> optimizer
 * </pre>
 *
 * <p>Blocks follow DJL's rules: parameters and children are registered in the constructor, shapes
 * are fixed in {@code initialize}/{@code prepare}, the work happens in {@code forwardInternal}.
 * Any learnable parameter (uncertainty weighting's log-variances included) lives in a block so
 * that it is trained, saved and loaded with the rest of the model.
 */
package dev.taskweave.api.model;
