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
 */
public record TrainingResult(List<EpochRecord> history, int bestEpoch, boolean stoppedEarly, double trainSeconds,
        Map<String, Map<String, Map<String, Double>>> metrics) {}
