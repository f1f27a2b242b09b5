package dev.taskweave.api.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;

/**
 * Implemented by a sharing block whose tasks mix experts through softmax gates (MMoE, CGC, PLE),
 * so the runtime can report how much each task relies on each expert.
 */
public interface GatedBlock {
    /**
     * The gate weights for an input, evaluated in inference mode.
     *
     * @param parameterStore the store holding the block's parameters
     * @param input          the encoded input, {@code [batch, inputWidth]}
     * @return one {@code [batch, experts]} array per task, in task order; rows sum to 1. For
     *     multi-level models, the gates of the last level.
     */
    NDList gates(ParameterStore parameterStore, NDArray input);
}
