package dev.taskweave.plugins.weighting.dynamic;

import static java.util.Objects.requireNonNull;

import ai.djl.nn.Block;
import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.api.model.StatefulWeighting;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * Dynamic Weight Average (Liu, Johns and Davison 2019): every weight is 1 in epochs 1 and 2; from
 * epoch 3 on, the weights are a softmax of the ratio of each task's mean loss over the last two
 * epochs (see {@link DwaWeights}), so a task whose loss falls slowly weighs more. The block reads
 * the current weights at every forward pass, in training and in inference alike. The current
 * weights, the last epoch's losses and its number are saved with the model
 * ({@link StatefulWeighting}).
 */
public final class DwaWeighting implements LossWeighting, StatefulWeighting {
    private static final byte STATE_VERSION = 1;

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

    /** @return the mean losses of the last epoch recorded, or null before the first */
    public synchronized double[] previousLosses() {
        return previousLosses == null ? null : previousLosses.clone();
    }

    /** @return the last epoch recorded, 0 before the first */
    public synchronized int previousEpoch() {
        return previousEpoch;
    }

    /**
     * A version byte, the number of tasks, the current weights, the last epoch recorded (0 for
     * none) and, after an epoch, its mean losses.
     */
    @Override
    public synchronized void saveState(DataOutputStream out) throws IOException {
        out.writeByte(STATE_VERSION);
        out.writeInt(tasks);
        for (float w : weights) {
            out.writeFloat(w);
        }
        out.writeInt(previousLosses == null ? 0 : previousEpoch);
        if (previousLosses != null) {
            for (double loss : previousLosses) {
                out.writeDouble(loss);
            }
        }
    }

    @Override
    public synchronized void loadState(DataInputStream in) throws IOException {
        byte version = in.readByte();
        if (version != STATE_VERSION) {
            throw new IOException("unsupported dwa state version " + version);
        }
        int n = in.readInt();
        if (n != tasks) {
            throw new IOException("the dwa state has " + n + " tasks, the model " + tasks);
        }
        float[] w = new float[n];
        for (int t = 0; t < n; t++) {
            w[t] = in.readFloat();
            if (!(w[t] >= 0 && Float.isFinite(w[t]))) {
                throw new IOException("invalid dwa weight for task " + t + ": " + w[t]);
            }
        }
        int epoch = in.readInt();
        if (epoch < 0) {
            throw new IOException("invalid dwa epoch " + epoch);
        }
        double[] losses = null;
        if (epoch > 0) {
            losses = new double[n];
            for (int t = 0; t < n; t++) {
                losses[t] = in.readDouble();
            }
        }
        weights = w;
        previousEpoch = epoch;
        previousLosses = losses;
    }

    private static float[] ones(int tasks) {
        float[] ones = new float[tasks];
        Arrays.fill(ones, 1f);
        return ones;
    }
}
