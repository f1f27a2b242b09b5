package dev.taskweave.plugins.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import dev.taskweave.api.nn.Scalars;

/** The masked reductions the heads share. */
final class MaskedLoss {
    private MaskedLoss() {}

    /** @return {@code [batch]} from a {@code [batch, 1]} (or already flat) output */
    static NDArray flat(NDArray output) {
        return output.reshape(-1);
    }

    /** @return the labels with unlabelled rows set to 0, so a NaN there cannot leak into gradients */
    static NDArray cleanLabels(NDArray labels, NDArray mask) {
        NDArray flatLabels = labels.reshape(-1);
        return NDArrays.where(mask.reshape(-1).gt(0), flatLabels, flatLabels.zerosLike());
    }

    /** @return {@code sum(mask * perRow) / max(sum(mask), 1)}, a scalar; 0 when no row is labelled */
    static NDArray mean(NDArray perRow, NDArray mask) {
        NDArray weights = mask.reshape(-1).toType(perRow.getDataType(), false);
        return perRow.mul(weights).sum().div(Scalars.maximum(weights.sum(), 1));
    }
}
