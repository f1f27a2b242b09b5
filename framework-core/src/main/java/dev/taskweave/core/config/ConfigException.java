package dev.taskweave.core.config;

/**
 * The experiment file is malformed or inconsistent. The message names the file, the path of the
 * offending value (for example {@code tasks[1].head}), the line when known, and what was expected.
 */
public final class ConfigException extends RuntimeException {
    private final String source;
    private final String path;
    private final int line;
    private final String reason;

    public ConfigException(String source, String path, int line, String reason) {
        super(format(source, path, line, reason));
        this.source = source;
        this.path = path;
        this.line = line;
        this.reason = reason;
    }

    /** @return the same error with {@code more} added to its reason */
    public ConfigException withReason(String more) {
        ConfigException e = new ConfigException(source, path, line, reason + more);
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** @return the same error at {@code at}, a line of its source */
    public ConfigException atLine(int at) {
        ConfigException e = new ConfigException(source, path, at, reason);
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** @return what was wrong, without the source and path */
    public String reason() {
        return reason;
    }

    /** @return the file (or other source) the offending value came from, or null */
    public String source() {
        return source;
    }

    /** @return the line of the offending value in its file, or 0 when unknown */
    public int line() {
        return line;
    }

    private static String format(String source, String path, int line, String reason) {
        StringBuilder sb = new StringBuilder();
        if (source != null) {
            sb.append(source);
            if (line > 0) {
                sb.append(':').append(line);
            }
            sb.append(": ");
        }
        if (path != null && !path.isEmpty()) {
            sb.append(path).append(": ");
        }
        return sb.append(reason).toString();
    }

    /** @return the path of the offending value, or an empty string */
    public String path() {
        return path == null ? "" : path;
    }
}
