package dev.taskweave.plugins.sharing.advanced;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.List;

/** The gate-weighted sum of expert outputs that every expert-mixture block computes. */
final class Mixtures {
    private Mixtures() {}

    /**
     * @param experts expert outputs, each {@code [batch, width]}
     * @param weights the gate's softmax weights, {@code [batch, experts]}, in the same order
     * @return {@code sum_e weights[:, e] * experts[e]}, {@code [batch, width]}
     */
    static NDArray mix(List<NDArray> experts, NDArray weights) {
        NDArray stacked = NDArrays.stack(new NDList(experts), 1); // [B, E, H]
        return stacked.mul(weights.expandDims(2)).sum(new int[] {1}); // [B, E, 1] -> [B, H]
    }
}
