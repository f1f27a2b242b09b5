package dev.taskweave.api.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;

/**
 * Implemented by a sharing block that reads its encoded input {@code x} only through one affine
 * map {@code z = x W^T + b} (the first layer of its experts and its gates, concatenated): its
 * output is a function of {@code z} alone.
 *
 * <p>Serving uses it to rank every item for one user without running that first layer on every
 * (user, item) row: the encoded input is a sum of user columns, item columns and the id product,
 * so {@code z} is the user part's map (one row per request), plus the item part's map (computed
 * once per model version and cached), plus the id product's map. On MMoE that layer is most of the
 * work. Training never calls these methods.
 *
 * <p>A block that implements the interface but is configured so that it does not read its input
 * through an affine map (for example an MLP with no layer) returns null from {@link #inputMap}.
 */
public interface AffineInput {
    /**
     * @param parameterStore the store holding the block's parameters
     * @param device         where the arrays should live
     * @return {@code NDList(W, b)}: {@code W} is {@code [units, inputWidth]}, {@code b} is
     *     {@code [units]}; or null when the block does not read its input through one affine map.
     *     The arrays may be views of the parameters: callers must not modify them.
     */
    NDList inputMap(ParameterStore parameterStore, Device device);

    /**
     * Runs the block from the mapped input on.
     *
     * @param parameterStore the store holding the block's parameters
     * @param mapped         {@code [batch, units]}: {@code x W^T + b} for the rows to compute
     * @param training       whether dropout and other training-only behaviour apply
     * @param wanted         per task, whether its output is needed; null for every task
     * @return what {@code forward} returns for the input {@code x}, one entry per task; a block may
     *     leave an entry null when its task is not wanted (and skip that task's gate)
     */
    NDList forwardMapped(ParameterStore parameterStore, NDArray mapped, boolean training, boolean[] wanted);
}
