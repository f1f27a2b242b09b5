package dev.taskweave.core.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.tracker.Tracker;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam (or AdamW, with decoupled weight decay) over all trainable parameters as one update of one
 * flat buffer, with the arithmetic of DJL's per-parameter {@code Adam} and {@code AdamW}.
 *
 * <p>DJL updates one parameter per native call, and each call runs about ten small tensor
 * operations: for the 20-40 parameters of a recommender model at batch 256, most of an
 * optimiser step was per-operation overhead rather than arithmetic. Here the parameters' weights
 * are laid out in one contiguous buffer (each parameter's array becomes a view of its slice, so
 * the model reads and writes them as before); a step gathers the gradients into one buffer and
 * runs a single Adam update over all of them, then zeroes the parameters' gradients (as DJL's
 * update does). Each parameter's gradient is read through a flattened view of its memory, made
 * once: autograd adds into a parameter's gradient in place once it has one, and the step zeroes it
 * in place, so the view keeps showing it (at batch 256 the per-step reading of every gradient,
 * two native calls and two arrays per parameter, was a noticeable part of the step).
 *
 * <p>The parameters must keep their arrays while this optimiser steps them: {@link #step()}
 * fails if a parameter's array was replaced (for example by {@code Block.loadParameters}); the
 * arrays may be written in place (weight averaging does). Not thread-safe; owned by one training
 * loop.
 */
final class FlatAdam implements AutoCloseable {
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private final List<Parameter> parameters;
    private final List<NDArray> arrays;
    private final NDManager manager;
    private final NDArray weights;
    private final NDArray means;
    private final NDArray variances;
    private final Tracker learningRate;
    private final float weightDecay;
    private final float clipGradient;
    private final boolean decoupled;
    private int updates;
    /** Per parameter, the flattened view of its gradient, once it has one ({@link #gradient}). */
    private final NDArray[] gradientViews;
    /**
     * Holds the gradient views: a manager of its own, outside the training's, whose count of
     * arrays made during an epoch tells a leaking block ({@code Trainer.leakWarning}).
     */
    private final NDManager views;
    /** Per parameter, whether its flattened gradient was found to be a copy, not a view. */
    private final boolean[] copied;

    /**
     * @param parameters   the trainable parameters, initialised, float32 and on one device
     * @param learningRate the learning rate per update (counted from 1)
     * @param weightDecay  L2 weight decay (added to the gradient) or, with {@code decoupled},
     *                     AdamW's decoupled decay
     * @param clipGradient clip each gradient element into {@code [-clipGradient, clipGradient]} (before
     *                     the L2 term is added), or 0 or negative for no clipping
     * @param manager      holds the flat buffers and optimiser state
     */
    FlatAdam(List<Parameter> parameters, Tracker learningRate, float weightDecay, float clipGradient, boolean decoupled,
            NDManager manager) {
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("no parameters to optimise");
        }
        this.parameters = List.copyOf(parameters);
        this.learningRate = learningRate;
        this.weightDecay = weightDecay;
        this.clipGradient = clipGradient;
        this.decoupled = decoupled;
        this.manager = manager.newSubManager();
        this.arrays = new ArrayList<>(parameters.size());
        NDList flat = new NDList(parameters.size());
        for (Parameter p : this.parameters) {
            NDArray a = p.getArray();
            if (!(a instanceof PtNDArray) || a.getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("parameter " + p.getName() + " is " + a.getDataType() + " on "
                        + a.getClass().getSimpleName() + "; the flat optimiser takes float32 PyTorch arrays");
            }
            if (!a.getDevice().equals(this.parameters.get(0).getArray().getDevice())) {
                throw new IllegalArgumentException("parameter " + p.getName() + " is on " + a.getDevice()
                        + "; the flat optimiser needs every parameter on one device");
            }
            flat.add(a.reshape(-1));
        }
        weights = NDArrays.concat(flat);
        weights.attach(this.manager);
        flat.close();
        long offset = 0;
        for (Parameter p : this.parameters) {
            NDArray a = p.getArray();
            long n = a.size();
            // a view of the buffer's slice that autograd sees as a leaf; the parameter's array
            // object takes its handle, so every holder of the array now reads the buffer
            try (NDArray slice = weights.get(new NDIndex("{}:{}", offset, offset + n));
                    NDArray shaped = slice.reshape(a.getShape())) {
                NDArray view = shaped.stopGradient();
                a.intern(view);
            }
            a.setRequiresGradient(true);
            arrays.add(a);
            offset += n;
        }
        gradientViews = new NDArray[arrays.size()];
        views = weights.getManager().getEngine().newBaseManager(weights.getDevice());
        copied = new boolean[arrays.size()];
        means = weights.zerosLike();
        variances = weights.zerosLike();
    }

    /**
     * @return the buffer holding every parameter's weights, in parameter order; writing it in
     *     place writes the parameters (until this optimiser is closed)
     */
    NDArray weights() {
        return weights;
    }

    /** @return the number of updates so far */
    int updates() {
        return updates;
    }

    /** @return Adam's first moments, in the order of {@link #weights()} */
    float[] means() {
        return means.toFloatArray();
    }

    /** @return Adam's second moments, in the order of {@link #weights()} */
    float[] variances() {
        return variances.toFloatArray();
    }

    /**
     * Puts the optimiser back to a saved state: the update count (which also sets the learning
     * rate schedule's position) and the moments.
     *
     * @throws IllegalArgumentException when the moments do not fit the parameters
     */
    void restore(int updates, float[] means, float[] variances) {
        long size = weights.size();
        if (updates < 0 || means.length != size || variances.length != size) {
            throw new IllegalArgumentException("the optimiser state has " + means.length + " and " + variances.length
                    + " moments after " + updates + " updates; the model has " + size + " weights");
        }
        WeightAverage.overwrite(this.means, means, manager);
        WeightAverage.overwrite(this.variances, variances, manager);
        this.updates = updates;
    }

    /**
     * One Adam update of every parameter from its gradient; the gradients are zeroed afterwards.
     *
     * @throws IllegalStateException if a parameter's array was replaced since construction
     */
    void step() {
        for (int i = 0; i < arrays.size(); i++) {
            if (parameters.get(i).getArray() != arrays.get(i)) {
                throw new IllegalStateException("parameter " + parameters.get(i).getName()
                        + " was given a new array during training; the optimiser updates the one it was built with");
            }
        }
        int t = ++updates;
        float lr = learningRate.getNewValue(t);
        double correction1 = 1.0 - Math.pow(BETA1, t);
        double correction2 = 1.0 - Math.pow(BETA2, t);
        float corrected = (float) (lr * Math.sqrt(correction2) / correction1);
        if (!Float.isFinite(lr) || !Float.isFinite(corrected)) {
            throw new IllegalStateException("learning rate at update " + t + " is " + lr);
        }
        try (NDManager scope = manager.newSubManager()) {
            NDList gradients = new NDList(arrays.size());
            for (int i = 0; i < arrays.size(); i++) {
                gradients.add(gradient(i, scope));
            }
            NDArray gradient = NDArrays.concat(gradients);
            gradient.attach(scope);
            if (clipGradient > 0) {
                // each element into [-c, c]: the native update's own clipping bounds it from above only
                // (clamp_max), which let a large negative gradient through whole
                gradient = gradient.clip(-clipGradient, clipGradient);
                gradient.attach(scope);
            }
            weights.getNDArrayInternal().adamUpdate(new NDList(weights, gradient, means, variances), new NDList(weights), lr, corrected,
                    weightDecay, 1f, -1f, BETA1, BETA2, EPSILON, true, decoupled);
        }
        for (NDArray a : arrays) {
            JniUtils.zeroGrad((PtNDArray) a);
        }
    }

    /**
     * @return parameter {@code i}'s gradient, flattened: the view of its memory made the first time
     *     it had one ({@link #gradientViews}); zeros while no backward pass has reached it; a copy,
     *     read afresh every step, where the flattened gradient is not a view of it (a gradient
     *     whose memory is not in order, which autograd does not make for these parameters)
     */
    private NDArray gradient(int i, NDManager scope) {
        NDArray view = gradientViews[i];
        if (view != null) {
            return view;
        }
        PtNDArray a = (PtNDArray) arrays.get(i);
        PtNDArray g = JniUtils.getGradient(a);
        if (g == null) {
            return scope.zeros(new Shape(a.size()));
        }
        NDArray flat = g.reshape(-1);
        if (!copied[i] && aliases(flat, g)) {
            flat.attach(views);
            g.close();
            gradientViews[i] = flat;
            return flat;
        }
        copied[i] = true;
        g.attach(scope);
        flat.attach(scope);
        return flat;
    }

    /**
     * @return whether {@code view} shows {@code of}'s memory: a bit flipped through one shows
     *     through the other (and is flipped back)
     */
    static boolean aliases(NDArray view, NDArray of) {
        if (view.size() == 0 || view.size() != of.size()) {
            return false;
        }
        // direct buffers on the arrays' own memory when it is in order (a copy's otherwise)
        ByteBuffer v = JniUtils.getByteBuffer((PtNDArray) view, true);
        ByteBuffer o = JniUtils.getByteBuffer((PtNDArray) of, true);
        if (!v.isDirect() || !o.isDirect()) {
            return false;
        }
        int before = v.getInt(0);
        v.putInt(0, before ^ 1);
        boolean shared = o.getInt(0) == (before ^ 1);
        v.putInt(0, before);
        return shared;
    }

    /**
     * Frees the optimiser state and this optimiser's handle on the weight buffer; the parameters'
     * arrays stay usable (each holds the buffer's memory until it is closed itself).
     */
    @Override
    public void close() {
        views.close();
        manager.close();
    }
}
