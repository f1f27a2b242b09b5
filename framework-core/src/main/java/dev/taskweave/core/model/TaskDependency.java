package dev.taskweave.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * One edge of the task graph: task {@code child} depends on the earlier task {@code parent}.
 *
 * @param child       the dependent task's index
 * @param parent      the index of the task it depends on ({@code parent < child})
 * @param mode        how information flows from the parent
 * @param calibration AITM's calibrator weight (unused by ESMM)
 */
public record TaskDependency(int child, int parent, Mode mode, float calibration) {
    /** How a dependent task uses its parent. */
    public enum Mode {
        /**
         * Entire-space multi-task model (Ma et al. 2018): the task's probability is the parent's
         * probability times the task's own conditional one, and the task learns on every row the
         * parent is labelled on (where the parent is negative, so is the joint event).
         */
        ESMM,
        /**
         * Adaptive information transfer (Xi et al. 2021): the parent's representation, through a
         * transfer layer, is fused by attention with the task's own before its tower, and a
         * calibrator penalises a probability above the parent's.
         */
        AITM;

        /** @return the mode named in YAML, or null when the name is unknown */
        public static Mode parse(String name) {
            for (Mode m : values()) {
                if (m.name().toLowerCase(Locale.ROOT).equals(name)) {
                    return m;
                }
            }
            return null;
        }

        /** @return the YAML name */
        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public TaskDependency {
        requireNonNull(mode, "mode is null");
        if (parent < 0 || child <= parent) {
            throw new IllegalArgumentException("a task may depend only on an earlier task: " + child + " on " + parent);
        }
        if (!(calibration >= 0) || Float.isInfinite(calibration)) {
            throw new IllegalArgumentException("calibration must be >= 0, got " + calibration);
        }
    }
}
