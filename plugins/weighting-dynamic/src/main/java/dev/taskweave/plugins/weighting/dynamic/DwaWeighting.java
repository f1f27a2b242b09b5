package dev.taskweave.plugins.weighting.dynamic;

import static java.util.Objects.requireNonNull;

import ai.djl.nn.Block;
import dev.taskweave.api.model.LossWeighting;
import java.util.Arrays;

/**
 * Dynamic Weight Average (Liu, Johns and Davison 2019): every weight is 1 in epochs 1 and 2; from
 * epoch 3 on, the weights are a softmax of the ratio of each task's mean loss over the last two
 * epochs (see {@link DwaWeights}), so a task whose loss falls slowly weighs more. The block reads
 * the current weights at every forward pass, in training and in inference alike.
 */
public final class DwaWeighting implements LossWeighting {
    private final int tasks;
    private final double temperature;
    private volatile float[] weights;
    private double[] previousLosses;
    private int previousEpoch;

    /**
     * @param tasks       the number of tasks
     * @param temperature the softmax temperature, {@code > 0}
     */
    public DwaWeighting(int tasks, double temperature) {
        if (tasks < 1) {
            throw new IllegalArgumentException("at least one task is required");
        }
        if (!Double.isFinite(temperature) || temperature <= 0) {
            throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
        }
        this.tasks = tasks;
        this.temperature = temperature;
        this.weights = ones(tasks);
    }

    @Override
    public Block createBlock() {
        return new WeightedSumBlock("dwa weighting", tasks, () -> weights);
    }

    /**
     * Records the epoch's mean losses. After epoch {@code e >= 2} the weights for epoch
     * {@code e + 1} come from the losses of epochs {@code e - 1} and {@code e}; when the previous
     * call was not for epoch {@code e - 1} (the first epoch, or a resumed run) the weights are 1.
     */
    @Override
    public synchronized void epochEnded(int epoch, double[] meanLossPerTask) {
        requireNonNull(meanLossPerTask, "meanLossPerTask is null");
        if (meanLossPerTask.length != tasks) {
            throw new IllegalArgumentException(meanLossPerTask.length + " losses for " + tasks + " tasks");
        }
        double[] losses = meanLossPerTask.clone();
        if (epoch >= 2 && previousLosses != null && previousEpoch == epoch - 1) {
            weights = DwaWeights.weights(previousLosses, losses, temperature);
        } else {
            weights = ones(tasks);
        }
        previousLosses = losses;
        previousEpoch = epoch;
    }

    /** @return the weights the block applies now, in task order */
    public float[] currentWeights() {
        return weights.clone();
    }

    private static float[] ones(int tasks) {
        float[] ones = new float[tasks];
        Arrays.fill(ones, 1f);
        return ones;
    }
}
