package dev.taskweave.plugins.weighting.dynamic;

import static java.util.Objects.requireNonNull;

import ai.djl.nn.Block;
import dev.taskweave.api.model.GradientCombiner;
import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.SharedParameter;
import java.util.Arrays;
import java.util.List;

/**
 * The common part of the gradient methods: the block is the sum of the present losses with weight 1
 * per present task unless a method says otherwise (used for reporting and in inference), and
 * {@link #combine} checks its
 * input and hands only the present tasks' gradients to the method.
 */
abstract class GradientWeighting implements LossWeighting, GradientCombiner {
    private final String name;
    private final int tasks;
    private final float[] ones;
    private List<SharedParameter> layout = List.of();
    private int dimension = -1;

    GradientWeighting(String name, int tasks) {
        this.name = requireNonNull(name, "name is null");
        if (tasks < 1) {
            throw new IllegalArgumentException("at least one task is required");
        }
        this.tasks = tasks;
        this.ones = new float[tasks];
        Arrays.fill(ones, 1f);
    }

    @Override
    public final Block createBlock() {
        return new WeightedSumBlock(name, tasks, this::blockWeights);
    }

    /** @return the weights the block reports (and weighs its total with); ones by default */
    float[] blockWeights() {
        return ones;
    }

    @Override
    public synchronized void layout(List<SharedParameter> parameters) {
        List<SharedParameter> copy = List.copyOf(parameters);
        int end = 0;
        for (SharedParameter p : copy) {
            end = Math.max(end, Math.addExact(p.offset(), p.size()));
        }
        this.layout = copy;
        this.dimension = end;
    }

    @Override
    public final synchronized Combined combine(float[][] gradients, float[] losses) {
        Present p = present(gradients, losses);
        if (p.indices().length == 0) {
            return new Combined(new float[Math.max(p.length(), 0)], new float[tasks]);
        }
        Step step = combinePresent(p.indices(), p.gradients(), p.losses(), p.length());
        float[] weights = new float[tasks];
        for (int k = 0; k < p.indices().length; k++) {
            weights[p.indices()[k]] = step.weights()[k];
        }
        return new Combined(step.sharedGradient(), weights);
    }

    @Override
    public final synchronized float[] preview(float[][] gradients, float[] losses) {
        Present p = present(gradients, losses);
        if (p.indices().length == 0) {
            return new float[Math.max(p.length(), 0)];
        }
        return previewPresent(p.indices(), p.gradients(), p.losses(), p.length());
    }

    /** Checks the input and keeps the present tasks. */
    private Present present(float[][] gradients, float[] losses) {
        requireNonNull(gradients, "gradients is null");
        requireNonNull(losses, "losses is null");
        if (gradients.length != tasks || losses.length != tasks) {
            throw new IllegalArgumentException(name + ": " + gradients.length + " gradients and " + losses.length
                    + " losses for " + tasks + " tasks");
        }
        int count = 0;
        int length = dimension;
        for (int t = 0; t < tasks; t++) {
            if (gradients[t] != null) {
                if (length >= 0 && gradients[t].length != length) {
                    throw new IllegalArgumentException(name + ": task " + t + " has a gradient of " + gradients[t].length
                            + " values, expected " + length);
                }
                length = gradients[t].length;
                count++;
            }
        }
        int[] present = new int[count];
        float[][] presentGradients = new float[count][];
        float[] presentLosses = new float[count];
        for (int t = 0, k = 0; t < tasks; t++) {
            if (gradients[t] != null) {
                present[k] = t;
                presentGradients[k] = gradients[t];
                presentLosses[k] = losses[t];
                k++;
            }
        }
        return new Present(present, presentGradients, presentLosses, length);
    }

    /** The present tasks' indices, gradients and losses, and the gradient length (-1 when unknown). */
    private record Present(int[] indices, float[][] gradients, float[] losses, int length) {}

    /**
     * The shared gradient {@link #combinePresent} would return, without changing any state. The
     * default calls {@link #combinePresent}, which is right for the stateless methods; a method
     * that updates weights or draws random numbers overrides it.
     */
    float[] previewPresent(int[] present, float[][] gradients, float[] losses, int dimension) {
        return combinePresent(present, gradients, losses, dimension).sharedGradient();
    }

    /**
     * @param present   the indices of the present tasks, ascending
     * @param gradients their gradients, none null, all of length {@code dimension}
     * @param losses    their losses
     * @param dimension the length of every gradient
     * @return the shared gradient and one weight per present task, in the same order
     */
    abstract Step combinePresent(int[] present, float[][] gradients, float[] losses, int dimension);

    /** @return the number of tasks */
    final int tasks() {
        return tasks;
    }

    /** @return the layout from {@link #layout}, empty until it is called */
    final List<SharedParameter> sharedLayout() {
        return layout;
    }

    /** @return {@code n} ones */
    static float[] ones(int n) {
        float[] out = new float[n];
        Arrays.fill(out, 1f);
        return out;
    }

    /** The result for the present tasks only. */
    record Step(float[] sharedGradient, float[] weights) {}
}
