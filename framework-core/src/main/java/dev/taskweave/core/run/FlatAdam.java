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
import java.nio.FloatBuffer;
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
 * <p>Where the buffer's memory and the gradients' can be read and written in place (PyTorch's CPU
 * arrays, {@link #view}), the update itself runs in Java, in one pass over the weights, with the
 * moments in Java arrays: DJL's native update makes about ten passes over all of them (clone the
 * gradient, add the decay, two for each moment, then square root, add, multiply, divide and
 * subtract), plus the concatenation of the gradients. For the ~152,000 weights of the ml100k
 * throughput suite's MMoE at batch 256 on one thread, the optimiser's part of a training step
 * went from 0.48-0.52 ms to 0.14-0.17 ms (a build with timers around the step's phases, not
 * kept). The arithmetic is DJL's, element by element: the results agree with the native update
 * to float rounding (not digit for digit, so a run's last digits change). Elsewhere, and for
 * models above {@link #javaUpdateLimit()} weights, the native update runs, as before.
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
    /**
     * The most weights the update runs in Java for: it holds four float arrays of that length on
     * the Java heap (the moments, and copies of the weights and gradients), 16 bytes a weight, and
     * takes at most a quarter of the heap for them (1 GB, 67 million weights, with the launcher's
     * default of 4 GB); larger models take the native update.
     */
    static long javaUpdateLimit() {
        return Math.min(Integer.MAX_VALUE, Runtime.getRuntime().maxMemory() / 64);
    }

    private final List<Parameter> parameters;
    private final List<NDArray> arrays;
    private final NDManager manager;
    private final NDArray weights;
    /** The native update's moments; null when the update runs in Java ({@link #javaMeans}). */
    private final NDArray means;
    private final NDArray variances;
    /** The Java update's moments, in the order of {@link #weights}; null when the native update runs. */
    private final float[] javaMeans;
    private final float[] javaVariances;
    /** The Java update's copies of the weights and the gradients, in the order of {@link #weights}. */
    private final float[] weightScratch;
    private final float[] gradientScratch;
    /** {@link #weights}' memory, written in place by the Java update; null when the native update runs. */
    private final FloatBuffer weightMemory;
    /** Per parameter, its first element's position in {@link #weights}. */
    private final int[] offsets;
    /** Per parameter, its gradient's memory (the view {@link #gradient} made), once it has one; Java update only. */
    private final FloatBuffer[] gradientMemory;
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
        this(parameters, learningRate, weightDecay, clipGradient, decoupled, manager, true);
    }

    /**
     * As {@link #FlatAdam(List, Tracker, float, float, boolean, NDManager)}.
     *
     * @param javaUpdate false for the native update even where the Java one could run (tests compare the two)
     */
    FlatAdam(List<Parameter> parameters, Tracker learningRate, float weightDecay, float clipGradient, boolean decoupled,
            NDManager manager, boolean javaUpdate) {
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
        offsets = new int[arrays.size()];
        for (int i = 1; i < offsets.length; i++) {
            offsets[i] = Math.toIntExact(offsets[i - 1] + arrays.get(i - 1).size());
        }
        gradientMemory = new FloatBuffer[arrays.size()];
        weightMemory = javaUpdate && weights.size() <= javaUpdateLimit() ? view(weights) : null;
        if (weightMemory != null) {
            int size = (int) weights.size();
            means = null;
            variances = null;
            javaMeans = new float[size];
            javaVariances = new float[size];
            weightScratch = new float[size];
            gradientScratch = new float[size];
        } else {
            means = weights.zerosLike();
            variances = weights.zerosLike();
            javaMeans = null;
            javaVariances = null;
            weightScratch = null;
            gradientScratch = null;
        }
    }

    /**
     * @return {@code a}'s memory as a buffer that reads and writes it in place, or null when the
     *     engine hands out a copy (checked by flipping a bit through the buffer and reading the array)
     */
    static FloatBuffer view(NDArray a) {
        if (!(a instanceof PtNDArray pt) || a.size() == 0) {
            return null;
        }
        ByteBuffer bytes = JniUtils.getByteBuffer(pt, true);
        if (!bytes.isDirect()) {
            return null;
        }
        int before = bytes.getInt(0);
        bytes.putInt(0, before ^ 1);
        boolean shared = Float.floatToRawIntBits(a.toFloatArray()[0]) == (before ^ 1);
        bytes.putInt(0, before);
        return shared ? bytes.asFloatBuffer() : null;
    }

    /** @return whether the update runs in Java (on the memory of PyTorch's CPU arrays) */
    boolean updatesInJava() {
        return weightMemory != null;
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
        return javaMeans != null ? javaMeans.clone() : means.toFloatArray();
    }

    /** @return Adam's second moments, in the order of {@link #weights()} */
    float[] variances() {
        return javaVariances != null ? javaVariances.clone() : variances.toFloatArray();
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
        if (javaMeans != null) {
            System.arraycopy(means, 0, javaMeans, 0, means.length);
            System.arraycopy(variances, 0, javaVariances, 0, variances.length);
        } else {
            WeightAverage.overwrite(this.means, means, manager);
            WeightAverage.overwrite(this.variances, variances, manager);
        }
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
        if (weightMemory != null) {
            stepInJava(lr, corrected);
            return;
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
     * The update of {@link #step()} in Java, with DJL's arithmetic: the gradient clipped into
     * {@code [-c, c]}; the L2 decay added to it (Adam) or {@code w * lr * decay} taken from the
     * weight (AdamW); {@code m = m * beta1 + (1 - beta1) g}, {@code v = v * beta2 + (1 - beta2) g^2};
     * {@code w -= m * corrected / (sqrt(v) + epsilon)}. Each parameter's gradient is zeroed after
     * it is read.
     *
     * <p>Every array is read from index 0 in one loop, with no branch in it, which the JIT compiles
     * to vector instructions: a loop that read the moments at an offset from a chunk's start, or
     * that tested the clipping inside, ran eight to twelve times slower (scalar square roots and
     * divisions), slower than the native update.
     */
    private void stepInJava(float lr, float corrected) {
        float[] w = weightScratch;
        float[] g = gradientScratch;
        for (int i = 0; i < arrays.size(); i++) {
            PtNDArray a = (PtNDArray) arrays.get(i);
            int n = (int) a.size();
            FloatBuffer gradient = gradientMemory(i);
            if (gradient != null) {
                gradient.get(0, g, offsets[i], n);
            } else {
                float[] copy = copiedGradient(i);
                if (copy != null) {
                    System.arraycopy(copy, 0, g, offsets[i], n);
                } else {
                    java.util.Arrays.fill(g, offsets[i], offsets[i] + n, 0f);
                }
            }
            JniUtils.zeroGrad(a);
        }
        weightMemory.get(0, w);
        int size = w.length;
        if (clipGradient > 0) {
            float clip = clipGradient;
            for (int k = 0; k < size; k++) {
                g[k] = Math.max(-clip, Math.min(clip, g[k]));
            }
        }
        float l2 = weightDecay;
        if (decoupled) {
            float shrink = lr * weightDecay;
            for (int k = 0; k < size; k++) {
                w[k] -= w[k] * shrink;
            }
            l2 = 0f;
        }
        float[] m = javaMeans;
        float[] v = javaVariances;
        for (int k = 0; k < size; k++) {
            float gk = g[k] + l2 * w[k];
            float mk = m[k] * BETA1 + (1f - BETA1) * gk;
            float vk = v[k] * BETA2 + (1f - BETA2) * gk * gk;
            m[k] = mk;
            v[k] = vk;
            w[k] -= mk * corrected / ((float) Math.sqrt(vk) + EPSILON);
        }
        weightMemory.put(0, w);
    }

    /**
     * @return parameter {@code i}'s gradient memory for the Java update: the buffer of the view
     *     {@link #gradient} made, kept; null when it has no gradient yet or its gradient is read as
     *     a copy ({@link #copiedGradient})
     */
    private FloatBuffer gradientMemory(int i) {
        if (gradientMemory[i] != null) {
            return gradientMemory[i];
        }
        if (copied[i]) {
            return null;
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray flat = gradient(i, scope);
            if (gradientViews[i] == null) {
                return null; // no gradient yet, or a copy (copied[i] is now set)
            }
            FloatBuffer memory = view(flat);
            if (memory == null) {
                copied[i] = true;
                return null;
            }
            gradientMemory[i] = memory;
            return memory;
        }
    }

    /** @return parameter {@code i}'s gradient, flattened, read afresh; null when it has none yet */
    private float[] copiedGradient(int i) {
        if (!copied[i]) {
            return null;
        }
        try (NDManager scope = manager.newSubManager()) {
            return gradient(i, scope).toFloatArray();
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
