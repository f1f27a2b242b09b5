package dev.taskweave.core.run;

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
 */
public record EpochRecord(int epoch, Map<String, Double> trainLoss, Map<String, Double> taskWeights,
        Map<String, Map<String, Double>> validation, double seconds, double samplesPerSecond) {}
