package dev.taskweave.api.model;

import static java.util.Objects.requireNonNull;

/**
 * What the runtime tells a task head when it creates it.
 *
 * @param name       the task's name from YAML
 * @param label      the label column the task reads (or {@link #OBSERVED})
 * @param inputWidth the width of the representation the sharing strategy hands this task
 * @param statistics statistics of the encoded training labels (their range not known for a model
 *                   trained before: {@link LabelStatistics#hasRange()}); the runtime also creates a head
 *                   before they are known, with an input width of 1 and empty statistics, only to
 *                   encode labels ({@link TaskHead#encodeLabel}): a factory must not refuse those
 * @param labelWidth the number of labels per example: 1 for a label column, the attribute's
 *                   width for an entity attribute (flags of a multi-label attribute, classes of a
 *                   class attribute)
 * @param attribute  true when the label is an entity attribute
 * @param attributeKind an attribute's kind: {@code MULTI_LABEL} ({@code labelWidth} flags per
 *                   entity) or {@code CLASS} (one class index in {@code [0, labelWidth)}); null for
 *                   a label column, and for an attribute task of a model saved before the kind was
 *                   recorded (a head must accept null)
 * @param stored     true when the head is made again for a model trained before (to load it), not
 *                   for a new experiment: a setting a newer release refuses for new experiments
 *                   (one it would ignore, say) must not stop a model trained with it from loading
 */
public record TaskContext(String name, String label, int inputWidth, LabelStatistics statistics, int labelWidth, boolean attribute,
        dev.taskweave.api.data.EntityAttribute.Kind attributeKind, boolean stored) {
    /**
     * The reserved label name for implicit feedback: every observed row is a positive (1) and
     * sampled negatives are 0.
     */
    public static final String OBSERVED = "observed";

    public TaskContext {
        requireNonNull(name, "name is null");
        requireNonNull(label, "label is null");
        requireNonNull(statistics, "statistics is null");
        if (labelWidth < 1) {
            throw new IllegalArgumentException("labelWidth must be >= 1");
        }
    }

    /** A task of a new experiment on a scalar label column. */
    public TaskContext(String name, String label, int inputWidth, LabelStatistics statistics) {
        this(name, label, inputWidth, statistics, 1, false, null, false);
    }

    /** A task of a new experiment whose label, if an attribute, is of a kind not known. */
    public TaskContext(String name, String label, int inputWidth, LabelStatistics statistics, int labelWidth, boolean attribute) {
        this(name, label, inputWidth, statistics, labelWidth, attribute, null, false);
    }

    /** A task of a new experiment. */
    public TaskContext(String name, String label, int inputWidth, LabelStatistics statistics, int labelWidth, boolean attribute,
            dev.taskweave.api.data.EntityAttribute.Kind attributeKind) {
        this(name, label, inputWidth, statistics, labelWidth, attribute, attributeKind, false);
    }
}
