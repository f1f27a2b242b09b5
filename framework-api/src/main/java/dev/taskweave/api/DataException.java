package dev.taskweave.api;

/**
 * Input data could not be read: the message names the file, the line (when there is one) and what
 * was expected, for example {@code u.data:17: expected 4 tab-separated fields, found 3}.
 */
public final class DataException extends RuntimeException {
    private final String source;
    private final long line;

    /**
     * @param source the file or resource that was being read
     * @param line   the 1-based line number, or 0 when the problem is not tied to one line
     * @param reason what was wrong and what was expected
     */
    public DataException(String source, long line, String reason) {
        super(line > 0 ? source + ":" + line + ": " + reason : source + ": " + reason);
        this.source = source;
        this.line = line;
    }

    /**
     * @param source the file or resource that was being read
     * @param line   the 1-based line number, or 0
     * @param reason what was wrong
     * @param cause  the underlying error
     */
    public DataException(String source, long line, String reason, Throwable cause) {
        this(source, line, reason);
        initCause(cause);
    }

    /** @return the file or resource */
    public String source() {
        return source;
    }

    /** @return the 1-based line number, or 0 */
    public long line() {
        return line;
    }
}
