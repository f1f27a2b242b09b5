package dev.taskweave.api.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import java.util.List;

/**
 * Collects the affine maps that read a block's input (experts' first layers, gates) into one
 * {@code (W, b)} by stacking rows, and splits a mapped input back into the parts, in the order they
 * were added. Serves {@link dev.taskweave.api.model.AffineInput}.
 */
public final class AffineParts {
    private final ParameterStore parameterStore;
    private final Device device;
    private final NDList weights = new NDList();
    private final NDList biases = new NDList();

    public AffineParts(ParameterStore parameterStore, Device device) {
        this.parameterStore = parameterStore;
        this.device = device;
    }

    /** @return {@code NDList(W, b)} of a linear layer; {@code W} is {@code [units, inputs]} */
    public static NDList of(ParameterStore parameterStore, Device device, Linear linear) {
        return new NDList(parameterStore.getValue(linear.getParameters().get("weight"), device, false),
                parameterStore.getValue(linear.getParameters().get("bias"), device, false));
    }

    /** Adds an expert's first layer. */
    public AffineParts expert(MlpBlock expert) {
        NDList map = expert.firstLayerMap(parameterStore, device);
        return add(map.get(0), map.get(1));
    }

    /** Adds every expert's first layer, in order. */
    public AffineParts experts(List<MlpBlock> experts) {
        for (MlpBlock expert : experts) {
            expert(expert);
        }
        return this;
    }

    /** Adds a gate (or any linear layer). */
    public AffineParts linear(Linear linear) {
        NDList map = of(parameterStore, device, linear);
        return add(map.get(0), map.get(1));
    }

    private AffineParts add(NDArray w, NDArray b) {
        weights.add(w);
        biases.add(b);
        return this;
    }

    /** @return {@code NDList(W, b)} with the parts' rows stacked */
    public NDList map() {
        return new NDList(NDArrays.concat(weights, 0), NDArrays.concat(biases, 0));
    }

    /** Splits {@code [batch, units]} into the parts' columns, in the order the parts were added. */
    public static NDList split(NDArray mapped, List<Long> widths) {
        if (widths.size() == 1) {
            return new NDList(mapped);
        }
        long[] cuts = new long[widths.size() - 1];
        long at = 0;
        for (int i = 0; i < cuts.length; i++) {
            at += widths.get(i);
            cuts[i] = at;
        }
        return mapped.split(cuts, 1);
    }
}
