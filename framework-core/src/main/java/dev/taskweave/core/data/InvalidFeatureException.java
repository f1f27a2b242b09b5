package dev.taskweave.core.data;

import static java.util.Objects.requireNonNull;

/** A feature value given for an entity does not fit the model's schema; names the feature. */
public final class InvalidFeatureException extends IllegalArgumentException {
    private final String feature;

    public InvalidFeatureException(String feature, String reason) {
        super(feature + ": " + reason);
        this.feature = requireNonNull(feature, "feature is null");
    }

    /** @return the name of the offending feature */
    public String feature() {
        return feature;
    }

    /** @return the reason, without the feature name */
    public String reason() {
        return getMessage().substring(feature.length() + 2);
    }
}
