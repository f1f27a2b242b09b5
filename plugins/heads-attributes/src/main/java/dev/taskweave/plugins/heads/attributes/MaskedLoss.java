package dev.taskweave.plugins.heads.attributes;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import dev.taskweave.api.nn.Scalars;

/** The masked reductions the heads share. */
final class MaskedLoss {
    private MaskedLoss() {}

    /** @return {@code [batch]} labels with unlabelled rows set to 0, so a NaN there cannot leak */
    static NDArray cleanLabels(NDArray labels, NDArray mask) {
        NDArray flatLabels = labels.reshape(-1);
        return NDArrays.where(mask.reshape(-1).gt(0), flatLabels, flatLabels.zerosLike());
    }

    /**
     * @param labels {@code [batch, width]} labels
     * @param mask   {@code [batch]}
     * @return the labels with every value of an unlabelled row set to 0
     */
    static NDArray cleanRows(NDArray labels, NDArray mask) {
        NDArray keep = mask.reshape(-1, 1).gt(0).broadcast(labels.getShape());
        return NDArrays.where(keep, labels, labels.zerosLike());
    }

    /** @return {@code sum(mask * perRow) / max(sum(mask), 1)}, a scalar; 0 when no row is labelled */
    static NDArray mean(NDArray perRow, NDArray mask) {
        NDArray weights = mask.reshape(-1).toType(perRow.getDataType(), false);
        return perRow.mul(weights).sum().div(Scalars.maximum(weights.sum(), 1));
    }
}
