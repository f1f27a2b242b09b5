package dev.taskweave.plugins.weighting.dynamic;

import dev.taskweave.api.model.StatefulWeighting;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;

/**
 * PCGrad (Yu et al. 2020, "Gradient Surgery for Multi-Task Learning"): conflicting task gradients
 * are projected onto each other's normal planes before they are summed (see {@link PcGrad}). Every
 * present task's own parameters get weight 1.
 *
 * <p>The projection order is drawn from a generator restarted at every epoch from the seed and the
 * epoch, so the state to save (for a saved model or a training checkpoint) is the number of epochs
 * that ended, and a resumed run draws the orders the uninterrupted run would have.
 */
public final class PcGradWeighting extends GradientWeighting implements StatefulWeighting {
    /** Seeds the projection order of {@link #preview}; with two tasks the order does not matter. */
    static final long PREVIEW_SEED = 0;
    private static final byte STATE_VERSION = 1;
    private final int tasks;
    private final long seed;
    private SplittableRandom random;
    private int epochsEnded;

    /**
     * @param tasks the number of tasks
     * @param seed  the seed of the generator that orders the projections
     */
    public PcGradWeighting(int tasks, long seed) {
        super("pcgrad weighting", tasks);
        this.tasks = tasks;
        this.seed = seed;
        this.random = generator(seed, 0);
    }

    /** @return the generator of the epoch after {@code epochsEnded} epochs */
    static SplittableRandom generator(long seed, int epochsEnded) {
        return new SplittableRandom(seed + epochsEnded * 0x9E37_79B9_7F4A_7C15L);
    }

    @Override
    Step combinePresent(int[] present, float[][] gradients, float[] losses, int dimension) {
        return new Step(PcGrad.combine(gradients, random), ones(present.length));
    }

    /** Projects in an order drawn from a generator of its own, so training's order is untouched. */
    @Override
    float[] previewPresent(int[] present, float[][] gradients, float[] losses, int dimension) {
        return PcGrad.combine(gradients, new SplittableRandom(PREVIEW_SEED));
    }

    @Override
    public synchronized void epochEnded(int epoch, double[] meanLossPerTask) {
        epochsEnded = epoch;
        random = generator(seed, epoch);
    }

    @Override
    public synchronized void saveState(DataOutputStream out) throws IOException {
        out.writeByte(STATE_VERSION);
        out.writeInt(tasks);
        out.writeInt(epochsEnded);
    }

    @Override
    public synchronized void loadState(DataInputStream in) throws IOException {
        byte version = in.readByte();
        if (version != STATE_VERSION) {
            throw new IOException("unsupported pcgrad state version " + version);
        }
        int n = in.readInt();
        if (n != tasks) {
            throw new IOException("the pcgrad state has " + n + " tasks, the model " + tasks);
        }
        int epochs = in.readInt();
        if (epochs < 0) {
            throw new IOException("the pcgrad state counts " + epochs + " epochs");
        }
        epochsEnded = epochs;
        random = generator(seed, epochs);
    }
}
