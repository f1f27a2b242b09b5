package dev.taskweave.api.model;

import static java.util.Objects.requireNonNull;

/**
 * What the runtime tells a task head when it creates it.
 *
 * @param name       the task's name from YAML
 * @param label      the label column the task reads (or {@link #OBSERVED})
 * @param inputWidth the width of the representation the sharing strategy hands this task
 * @param statistics statistics of the encoded training labels
 */
public record TaskContext(String name, String label, int inputWidth, LabelStatistics statistics) {
    /**
     * The reserved label name for implicit feedback: every observed row is a positive (1) and
     * sampled negatives are 0.
     */
    public static final String OBSERVED = "observed";

    public TaskContext {
        requireNonNull(name, "name is null");
        requireNonNull(label, "label is null");
        requireNonNull(statistics, "statistics is null");
    }
}
