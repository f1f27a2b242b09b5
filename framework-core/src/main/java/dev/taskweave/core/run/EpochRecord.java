package dev.taskweave.core.run;

import java.util.List;
import java.util.Map;

/**
 * What one training epoch did.
 *
 * @param epoch            1-based epoch
 * @param trainLoss        mean training loss per task
 * @param taskWeights      mean effective loss weight per task
 * @param validation       validation metrics (task, then metric), empty without a valid split
 * @param seconds          wall time of the epoch's training steps
 * @param samplesPerSecond training rows per second
 * @param gradientCosine   cosine between each pair of tasks' gradients on the shared parameters
 *                         ({@code "a|b"}), averaged over a few batches after the epoch
 * @param gateUsage        per task, the mean gate weight of each expert on validation rows (gated
 *                         strategies only)
 * @param updateAlignment  per task, the cosine between its shared gradient and the update applied to
 *                         the shared parameters (the weighted sum of the task gradients, or a
 *                         gradient combiner's combined gradient), averaged over the telemetry
 *                         batches; negative means the step works against the task
 */
public record EpochRecord(int epoch, Map<String, Double> trainLoss, Map<String, Double> taskWeights,
        Map<String, Map<String, Double>> validation, double seconds, double samplesPerSecond,
        Map<String, Double> gradientCosine, Map<String, List<Double>> gateUsage, Map<String, Double> updateAlignment) {}
