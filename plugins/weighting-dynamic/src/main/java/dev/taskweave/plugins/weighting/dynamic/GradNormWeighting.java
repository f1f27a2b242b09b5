package dev.taskweave.plugins.weighting.dynamic;

import dev.taskweave.api.model.SharedParameter;
import dev.taskweave.api.model.StatefulWeighting;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * GradNorm (Chen et al. 2018, "GradNorm: Gradient Normalization for Adaptive Loss Balancing"):
 * learnable task weights, starting at 1 and summing to {@code T}, that pull each task's weighted
 * gradient norm on the last shared layer toward the mean norm times its relative inverse training
 * rate (see {@link GradNormUpdate}).
 *
 * <p>The reference layer is every {@link SharedParameter} with {@code lastLayer = true}, or all
 * shared parameters when none is flagged. {@code L_t(0)} is the task's loss at the first step it
 * was present with a finite loss {@code > 0}. Each step returns the shared gradient
 * {@code sum_t w_t g_t} and task weights {@code w_t} with the weights as they were at the start of
 * the step, then updates them, as in the paper (the weighted loss is back-propagated before the
 * weights' own step). Only present tasks take part in a step, and their weights keep their sum,
 * so all the weights keep summing to {@code T}. The weights and the initial losses are not
 * parameters the optimizer trains; they are saved with the model as the weighting's state
 * ({@link StatefulWeighting}), and the block reports the current weights.
 */
public final class GradNormWeighting extends GradientWeighting implements StatefulWeighting {
    private static final byte STATE_VERSION = 1;

    private final double alpha;
    private final double learningRate;
    private final double[] weights;
    private final double[] initialLosses;
    private int[][] referenceRanges;

    /**
     * @param tasks        the number of tasks
     * @param alpha        the restoring-force strength, {@code >= 0}
     * @param learningRate the step size of the weight update, {@code > 0}
     */
    public GradNormWeighting(int tasks, double alpha, double learningRate) {
        super("gradnorm weighting", tasks);
        if (!Double.isFinite(alpha) || alpha < 0) {
            throw new IllegalArgumentException("alpha must be finite and >= 0, got " + alpha);
        }
        if (!Double.isFinite(learningRate) || learningRate <= 0) {
            throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
        }
        this.alpha = alpha;
        this.learningRate = learningRate;
        this.weights = new double[tasks];
        Arrays.fill(weights, 1);
        this.initialLosses = new double[tasks];
        Arrays.fill(initialLosses, Double.NaN);
    }

    @Override
    public synchronized void layout(List<SharedParameter> parameters) {
        super.layout(parameters);
        List<int[]> ranges = new ArrayList<>();
        for (SharedParameter p : sharedLayout()) {
            if (p.lastLayer()) {
                ranges.add(new int[] {p.offset(), p.offset() + p.size()});
            }
        }
        referenceRanges = ranges.isEmpty() ? null : ranges.toArray(new int[0][]);
    }

    @Override
    Step combinePresent(int[] present, float[][] gradients, float[] losses, int dimension) {
        int n = present.length;
        double[] current = new double[n];
        double[] norms = new double[n];
        double[] relative = new double[n];
        float[] taskWeights = new float[n];
        for (int k = 0; k < n; k++) {
            int t = present[k];
            current[k] = weights[t];
            taskWeights[k] = (float) weights[t];
            norms[k] = referenceNorm(gradients[k]);
            double loss = losses[k];
            if (Double.isNaN(initialLosses[t]) && Double.isFinite(loss) && loss > 0) {
                initialLosses[t] = loss;
            }
            relative[k] = Double.isFinite(loss) && loss > 0 && !Double.isNaN(initialLosses[t])
                    ? loss / initialLosses[t] : 1;
        }
        float[] shared = Vectors.combination(gradients, current, dimension);
        double[] updated = GradNormUpdate.update(current, norms, relative, alpha, learningRate);
        for (int k = 0; k < n; k++) {
            weights[present[k]] = updated[k];
        }
        return new Step(shared, taskWeights);
    }

    /** The current weights' combination, without the weight update or recording initial losses. */
    @Override
    float[] previewPresent(int[] present, float[][] gradients, float[] losses, int dimension) {
        double[] current = new double[present.length];
        for (int k = 0; k < present.length; k++) {
            current[k] = weights[present[k]];
        }
        return Vectors.combination(gradients, current, dimension);
    }

    /** @return the weights the next step will use, in task order */
    public synchronized double[] currentWeights() {
        return weights.clone();
    }

    /** @return each task's {@code L_t(0)}, {@code NaN} until the task has had a loss {@code > 0} */
    public synchronized double[] initialLosses() {
        return initialLosses.clone();
    }

    @Override
    synchronized float[] blockWeights() {
        float[] out = new float[weights.length];
        for (int t = 0; t < out.length; t++) {
            out[t] = (float) weights[t];
        }
        return out;
    }

    /** A version byte, the number of tasks, then per task its weight and {@code L_t(0)}. */
    @Override
    public synchronized void saveState(DataOutputStream out) throws IOException {
        out.writeByte(STATE_VERSION);
        out.writeInt(weights.length);
        for (int t = 0; t < weights.length; t++) {
            out.writeDouble(weights[t]);
            out.writeDouble(initialLosses[t]);
        }
    }

    @Override
    public synchronized void loadState(DataInputStream in) throws IOException {
        byte version = in.readByte();
        if (version != STATE_VERSION) {
            throw new IOException("unsupported gradnorm state version " + version);
        }
        int n = in.readInt();
        if (n != weights.length) {
            throw new IOException("the gradnorm state has " + n + " tasks, the model " + weights.length);
        }
        double[] w = new double[n];
        double[] l = new double[n];
        for (int t = 0; t < n; t++) {
            w[t] = in.readDouble();
            l[t] = in.readDouble();
            if (!(w[t] > 0 && Double.isFinite(w[t])) || !(Double.isNaN(l[t]) || l[t] > 0 && Double.isFinite(l[t]))) {
                throw new IOException("invalid gradnorm state for task " + t + ": weight " + w[t] + ", L(0) " + l[t]);
            }
        }
        System.arraycopy(w, 0, weights, 0, n);
        System.arraycopy(l, 0, initialLosses, 0, n);
    }

    private double referenceNorm(float[] gradient) {
        double sum = 0;
        if (referenceRanges == null) {
            sum = Vectors.dot(gradient, gradient);
        } else {
            for (int[] range : referenceRanges) {
                for (int i = range[0]; i < range[1]; i++) {
                    sum += (double) gradient[i] * gradient[i];
                }
            }
        }
        return Math.sqrt(sum);
    }
}
