package dev.taskweave.api;

import static java.util.Objects.requireNonNull;

/**
 * A configuration value is missing, ill-typed or out of range.
 *
 * <p>{@link #path()} names the value (for example {@code params.experts} or
 * {@code tasks[1].head}); the message says what was expected.
 */
public final class InvalidConfigException extends RuntimeException {
    private final String path;
    private final String reason;

    /**
     * @param path   the offending value, relative to the object that raised it
     * @param reason what was expected
     */
    public InvalidConfigException(String path, String reason) {
        super(path + ": " + reason);
        this.path = requireNonNull(path, "path is null");
        this.reason = requireNonNull(reason, "reason is null");
    }

    /** @return the offending value's path */
    public String path() {
        return path;
    }

    /** @return what was expected, without the path */
    public String reason() {
        return reason;
    }

    /**
     * Returns the same error with a prefix added to its path.
     *
     * @param prefix the path of the object that holds this one, for example {@code sharing.params}
     * @return a new exception whose path is {@code prefix.path}
     */
    public InvalidConfigException under(String prefix) {
        String joined = prefix.isEmpty() ? path : path.isEmpty() ? prefix : path.startsWith("[") ? prefix + path : prefix + "." + path;
        InvalidConfigException e = new InvalidConfigException(joined, reason);
        e.setStackTrace(getStackTrace());
        return e;
    }
}
