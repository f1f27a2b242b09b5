package dev.taskweave.core.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * An exponential moving average of the trainable parameters (Polyak averaging), updated after
 * every optimiser step: {@code a ← a + (1 − d)·(w − a)}. The decay warms up as
 * {@code d_t = min(decay, (1 + t) / (10 + t))} for the t-th update, so the first updates are not
 * dominated by the initial weights. The average is what validation, early stopping and the saved
 * model see; the optimiser keeps stepping the raw weights.
 *
 * <p>Not thread-safe; owned by one training loop. The averages live in {@code manager} and are
 * freed with it or by {@link #close()}.
 */
final class WeightAverage implements AutoCloseable {
    private final List<NDArray> weights;
    private final List<NDArray> averages;
    private final double decay;
    private final NDManager manager;
    private long updates;

    /**
     * @param weights the arrays the optimiser updates in place (the parameters' arrays, or one
     *                buffer that they view: see {@link FlatAdam#weights()})
     * @param decay   in (0, 1): the weight of the past at each update
     */
    WeightAverage(List<NDArray> weights, double decay, NDManager manager) {
        if (!(decay > 0 && decay < 1)) {
            throw new IllegalArgumentException("decay must be in (0, 1), got " + decay);
        }
        this.weights = List.copyOf(weights);
        this.decay = decay;
        this.manager = manager.newSubManager();
        this.averages = new ArrayList<>(weights.size());
        for (NDArray w : weights) {
            NDArray copy = w.duplicate();
            copy.attach(this.manager);
            averages.add(copy);
        }
    }

    /**
     * @param decay the configured decay
     * @param steps the run's optimiser steps at most
     * @return a warning when the warm-up {@code (1 + t) / (10 + t)} stays below {@code decay} for the
     *     whole run, so that the decay is never applied and every decay above the warm-up's last
     *     value trains the same model; null when it is reached
     */
    static String unreached(double decay, long steps) {
        long last = Math.max(0, steps - 1);
        double reached = (1.0 + last) / (10.0 + last);
        if (decay <= reached) {
            return null;
        }
        // (1 + t) / (10 + t) >= d  <=>  t >= (10d - 1) / (1 - d)
        long needed = (long) Math.ceil((10 * decay - 1) / (1 - decay));
        return String.format(java.util.Locale.ROOT, "note: training.weightAverage %s is not reached: the average's decay warms up"
                + " as (1 + t) / (10 + t) and ends at %.4f after this run's %,d steps (%s needs %,d), so any decay above %.4f"
                + " averages the same", decay, reached, steps, decay, needed + 1, reached);
    }

    /** @return the decay applied at the next update */
    double nextDecay() {
        return Math.min(decay, (1.0 + updates) / (10.0 + updates));
    }

    /** Moves the average towards the current weights; call after each optimiser step. */
    void update() {
        double d = nextDecay();
        updates++;
        try (NDManager step = manager.newSubManager()) {
            NDArray rate = step.full(new Shape(), (float) (1 - d));
            for (int i = 0; i < averages.size(); i++) {
                NDArray a = averages.get(i);
                NDArray delta = weights.get(i).sub(a);
                delta.attach(step);
                a.addi(delta.muli(rate));
            }
        }
    }

    /** Runs {@code action} with the averaged weights in place, then puts the raw weights back. */
    <T> T withAverage(Supplier<T> action) {
        List<NDArray> raw = new ArrayList<>(weights.size());
        try (NDManager swap = manager.newSubManager()) {
            for (int i = 0; i < weights.size(); i++) {
                NDArray w = weights.get(i);
                NDArray copy = w.duplicate();
                copy.attach(swap);
                raw.add(copy);
                overwrite(w, averages.get(i), swap);
            }
            try {
                return action.get();
            } finally {
                for (int i = 0; i < weights.size(); i++) {
                    overwrite(weights.get(i), raw.get(i), swap);
                }
            }
        }
    }

    /** Writes the averaged weights into the parameters for good (training is over). */
    void apply() {
        try (NDManager scratch = manager.newSubManager()) {
            for (int i = 0; i < weights.size(); i++) {
                overwrite(weights.get(i), averages.get(i), scratch);
            }
        }
    }

    /**
     * Copies {@code from} into {@code to} in place, in native memory: {@code to · 0 + from}, exact
     * for finite weights ({@code copyTo} goes through a Java buffer, and PyTorch warns about the
     * guard its JNI set takes).
     */
    private static void overwrite(NDArray to, NDArray from, NDManager scratch) {
        NDArray zero = scratch.zeros(new Shape(), to.getDataType());
        to.muli(zero).addi(from);
    }

    /** @return the number of updates so far */
    long updates() {
        return updates;
    }

    /** @return the averages, concatenated in the order of the weights */
    float[] values() {
        float[][] parts = new float[averages.size()][];
        int n = 0;
        for (int i = 0; i < parts.length; i++) {
            parts[i] = averages.get(i).toFloatArray();
            n += parts[i].length;
        }
        float[] all = new float[n];
        int at = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    /**
     * Puts the average back to a saved state ({@link #updates()}, {@link #values()}).
     *
     * @throws IllegalArgumentException when the values do not fit the weights
     */
    void restore(long updates, float[] values) {
        long n = averages.stream().mapToLong(NDArray::size).sum();
        if (updates < 0 || values.length != n) {
            throw new IllegalArgumentException("the weight average has " + values.length + " values after " + updates
                    + " updates; the model has " + n + " weights");
        }
        int at = 0;
        for (NDArray a : averages) {
            int size = (int) a.size();
            overwrite(a, java.util.Arrays.copyOfRange(values, at, at + size), manager);
            at += size;
        }
        this.updates = updates;
    }

    /** Copies {@code values} into {@code to} in place (same number of elements), as {@link #overwrite(NDArray, NDArray, NDManager)}. */
    static void overwrite(NDArray to, float[] values, NDManager manager) {
        try (NDManager scratch = manager.newSubManager()) {
            overwrite(to, scratch.create(values, to.getShape()), scratch);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
