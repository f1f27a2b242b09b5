package dev.taskweave.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import java.util.List;

/**
 * Runs several experts of the same shape at once, in inference: after the first layer, each layer
 * of every expert is one batched matrix product over {@code [experts, batch, width]} instead of one
 * small product per expert. Used by {@link dev.taskweave.api.model.AffineInput#forwardMapped} when
 * ranking many items for one user, where the per-expert calls on column slices cost more than the
 * arithmetic.
 */
public final class ExpertStack {
    private ExpertStack() {}

    /**
     * @param experts  experts with the same layer widths
     * @param pre      {@code [batch, experts * h1]}: expert {@code e}'s first-layer pre-activation in
     *                 columns {@code [e * h1, (e + 1) * h1)}
     * @return {@code [batch, experts, hL]}: every expert's output (no dropout: inference)
     */
    public static NDArray run(List<MlpBlock> experts, ParameterStore parameterStore, NDArray pre) {
        int count = experts.size();
        long batch = pre.getShape().get(0);
        long width = pre.getShape().get(1) / count;
        NDManager manager = parameterStore.getManager();
        NDArray h = Activation.relu(pre).reshape(batch, count, width).transpose(1, 0, 2); // [E, B, h1]
        for (int layer = 1; layer < experts.get(0).layerCount(); layer++) {
            NDList weights = new NDList(count);
            NDList biases = new NDList(count);
            for (MlpBlock expert : experts) {
                NDList map = expert.layerMap(parameterStore, pre.getDevice(), layer);
                weights.add(map.get(0));
                biases.add(map.get(1));
            }
            NDArray w = NDArrays.stack(weights); // [E, out, in]
            NDArray b = NDArrays.stack(biases).expandDims(1); // [E, 1, out]
            w.attach(manager);
            b.attach(manager);
            h = Activation.relu(h.matMul(w.transpose(0, 2, 1)).add(b));
        }
        return h.transpose(1, 0, 2); // [B, E, hL]
    }

    /**
     * @param stacked {@code [batch, experts, width]}
     * @param gate    {@code [batch, experts]} gate logits
     * @return {@code [batch, width]}: the softmax-weighted sum of the experts
     */
    public static NDArray mix(NDArray stacked, NDArray gate) {
        // a broadcast product and a sum: faster on CPU than a batch of [1, E] x [E, width] products
        return stacked.mul(gate.softmax(1).expandDims(2)).sum(new int[] {1});
    }
}
