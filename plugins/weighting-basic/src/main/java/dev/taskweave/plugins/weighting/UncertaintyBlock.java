package dev.taskweave.plugins.weighting;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

/**
 * Homoscedastic uncertainty weighting with one learnable log-variance {@code s_t} per task:
 * {@code total = sum_t present_t * (0.5 * exp(-s_t) * w_t * L_t + 0.5 * s_t)}. Setting the
 * derivative to zero gives {@code s_t = log(w_t L_t)}: noisier tasks get smaller weights
 * {@code 0.5 * exp(-s_t) * w_t}. A task absent from the batch adds nothing and its {@code s_t}
 * receives no gradient.
 */
final class UncertaintyBlock extends AbstractBlock {
    private static final byte VERSION = 1;
    private final float[] weights;
    private final Parameter logVariance;

    UncertaintyBlock(float[] weights, float initialLogVariance) {
        super(VERSION);
        this.weights = weights.clone();
        this.logVariance = addParameter(Parameter.builder()
                .setName("logVariance")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(weights.length))
                .optInitializer(new ConstantInitializer(initialLogVariance))
                .build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray losses = inputs.get(0);
        NDArray present = inputs.get(1);
        NDArray s = ps.getValue(logVariance, losses.getDevice(), training);
        NDArray precision = s.neg().exp().mul(0.5f).mul(losses.getManager().create(weights));
        NDArray perTask = precision.mul(losses).add(s.mul(0.5f)).mul(present);
        return new NDList(perTask.sum(), precision.mul(present));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(), inputShapes[0]};
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        if (inputShapes.length != 2 || inputShapes[0].size() != weights.length) {
            throw new IllegalArgumentException("uncertainty weighting expects two [" + weights.length + "] inputs");
        }
    }
}
