package dev.taskweave.api.model;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;

/**
 * Implemented by a sharing block that adds a term of its own to the training loss, for example
 * soft parameter sharing's L2 penalty pulling corresponding task weights together. The runtime adds
 * the term to the weighted total of every training step; it is not part of any task's loss.
 */
public interface AuxiliaryLoss {
    /**
     * Arrays computed from parameters alone belong to the parameters' manager, which the runtime
     * keeps for the whole run (DJL puts an operation's result in its first operand's manager):
     * attach such a result to {@code parameterStore.getManager()}, the training step's in the
     * runtime, or every step leaves its arrays behind ({@code Blocks.assertStepLeavesNoArrays} in
     * the test kit checks it).
     *
     * @param parameterStore the store the block's parameters are read from; its manager is the step's
     * @param training       true during a training step
     * @return a scalar (already multiplied by its own coefficient)
     */
    NDArray auxiliaryLoss(ParameterStore parameterStore, boolean training);
}
