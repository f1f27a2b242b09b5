package dev.taskweave.api.model;

/**
 * Summary of a task's encoded training labels (labelled rows only, before negative sampling).
 *
 * @param count    labelled training rows
 * @param mean     mean label (for a binary task, the positive rate)
 * @param variance population variance of the label
 */
public record LabelStatistics(long count, double mean, double variance) {}
