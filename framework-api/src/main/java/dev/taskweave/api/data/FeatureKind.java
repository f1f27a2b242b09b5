package dev.taskweave.api.data;

/** How a feature's values are stored and encoded. */
public enum FeatureKind {
    /** One integer code per entity in {@code [0, size)}; code 0 means unknown. Embedded. */
    CATEGORICAL,
    /** A vector of {@code size} floats per entity (for example genre flags); projected linearly. */
    MULTI_HOT,
    /** One float per entity, already scaled by the source; passed through. */
    NUMERIC
}
