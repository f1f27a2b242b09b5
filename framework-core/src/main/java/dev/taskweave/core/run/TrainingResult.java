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
 */
public record TrainingResult(List<EpochRecord> history, int bestEpoch, boolean stoppedEarly, double trainSeconds,
        Map<String, Map<String, Map<String, Double>>> metrics, boolean readBack) {

    /** A result of training just done. */
    public TrainingResult(List<EpochRecord> history, int bestEpoch, boolean stoppedEarly, double trainSeconds,
            Map<String, Map<String, Map<String, Double>>> metrics) {
        this(history, bestEpoch, stoppedEarly, trainSeconds, metrics, false);
    }

    /** @return this result, marked as read back from a model trained before */
    public TrainingResult asReadBack() {
        return new TrainingResult(history, bestEpoch, stoppedEarly, trainSeconds, metrics, true);
    }
}
