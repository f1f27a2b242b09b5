package dev.taskweave.core.run;

import java.util.List;
import java.util.Map;

/**
 * The outcome of training.
 *
 * @param history      one record per epoch
 * @param bestEpoch    the epoch whose parameters were kept
 * @param stoppedEarly whether early stopping ended training
 * @param trainSeconds wall time of all training epochs, evaluation included
 * @param metrics      final metrics: split, then task, then metric
 * @param readBack     whether this is the record of a model trained before, read back instead of
 *                     training ({@code train --resume} on a finished run): nothing was trained now
 * @param threads      the PyTorch threads the training steps ran on ({@code training.threads}, or
 *                     what 0 chose); 0 when not known (a result read back)
 */
public record TrainingResult(List<EpochRecord> history, int bestEpoch, boolean stoppedEarly, double trainSeconds,
        Map<String, Map<String, Map<String, Double>>> metrics, boolean readBack, int threads) {

    /** A result of training just done, its thread count not yet known. */
    public TrainingResult(List<EpochRecord> history, int bestEpoch, boolean stoppedEarly, double trainSeconds,
            Map<String, Map<String, Map<String, Double>>> metrics) {
        this(history, bestEpoch, stoppedEarly, trainSeconds, metrics, false, 0);
    }

    /** @return this result, marked as read back from a model trained before (its thread count unknown) */
    public TrainingResult asReadBack() {
        return new TrainingResult(history, bestEpoch, stoppedEarly, trainSeconds, metrics, true, 0);
    }

    /** @return this result with the thread count its steps ran on */
    public TrainingResult withThreads(int count) {
        return new TrainingResult(history, bestEpoch, stoppedEarly, trainSeconds, metrics, readBack, count);
    }

    /** @return this result with another training time (a distilled model's adds its teachers') */
    public TrainingResult withTrainSeconds(double seconds) {
        return new TrainingResult(history, bestEpoch, stoppedEarly, seconds, metrics, readBack, threads);
    }
}
