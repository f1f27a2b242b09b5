package dev.taskweave.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jackson's parser messages, worded for the person who wrote the text. Its own wording names its
 * classes and settings ("enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow", "[Source:
 * REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)"), which tell a client to
 * change the reader's configuration; this keeps what was wrong and where.
 */
public final class ParserMessages {
    /** Where an unclosed array or object started, as Jackson appends it. */
    private static final Pattern START_MARKER =
            Pattern.compile("\\s*\\(start marker at \\[Source: [^\\]]*?line: (\\d+), column: (\\d+)\\]\\)");
    /** A message that says where already (other than where an array or object opened). */
    private static final Pattern SAYS_WHERE = Pattern.compile("(?<!opened|starting) at line \\d+");
    /** Any other location Jackson writes into a message, such as {@code (for Array starting at [Source: …; line: 1, column: 10])}. */
    private static final Pattern SOURCE = Pattern.compile("\\[Source: [^\\]]*?line: (\\d+), column: (\\d+)\\]");
    /** Hints to turn a reader feature on, worded in other ways. */
    private static final Pattern OTHER_HINTS = Pattern.compile(
            "[;:,]? *(?:consider enabling `[^`]+`|\\(not recognized as one since Feature '[^']+' not enabled for parser\\))");
    /** A hint to turn a reader feature on, such as {@code : enable `JsonReadFeature.X` to allow}. */
    private static final Pattern ENABLE_HINT = Pattern.compile(":? *\\(?(enable|disable|set) `[^`]+`[^)]*?to allow\\)?");
    /** Where a limit comes from, such as {@code , from `StreamReadConstraints.getMaxNestingDepth()`}. */
    private static final Pattern FROM_SETTING = Pattern.compile(",? from `[^`]+`");
    /** Jackson's range error for a whole number, such as {@code Numeric value (1e30) out of range of long (-9… - 9…)}. */
    private static final Pattern OUT_OF_RANGE =
            Pattern.compile("Numeric value \\((.*)\\) out of range of (?:int|long|`int`|`long`|Java int|Java long)? ?\\((-?\\d+) - (-?\\d+)\\)");

    private ParserMessages() {}

    /**
     * @return the first line of {@code e}'s own message (without the location Jackson appends), with
     *     Jackson's names of its classes and settings taken out
     */
    public static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        return clean(message.lines().findFirst().orElse(""));
    }

    /**
     * @return {@link #describe}, followed by {@code " at line L, column C"} when Jackson knows where
     *     (for text of more than one line, or one long line, such as a request's body) and the message
     *     does not say already
     */
    public static String describeWithLocation(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String message = describe(e);
        if (at == null || at.getLineNr() < 1 || SAYS_WHERE.matcher(message).find()) {
            return message;
        }
        return message + " at line " + at.getLineNr() + (at.getColumnNr() > 0 ? ", column " + at.getColumnNr() : "");
    }

    /**
     * @return {@link #describeWithLocation} for text that is one line of a file (a JSON line of
     *     {@code --new-users}), whose line the caller names: each place as a column only
     */
    public static String describeInLine(JsonProcessingException e) {
        return describeWithLocation(e).replaceAll("(?<=\\bat )line 1, column (\\d+)", "column $1");
    }

    /** @return {@code message} with Jackson's names of its classes and settings taken out */
    static String clean(String message) {
        String m = START_MARKER.matcher(message).replaceAll(" (opened at line $1, column $2)");
        m = SOURCE.matcher(m).replaceAll("line $1, column $2");
        m = OTHER_HINTS.matcher(m).replaceAll("");
        m = ENABLE_HINT.matcher(m).replaceAll("");
        m = FROM_SETTING.matcher(m).replaceAll("");
        Matcher range = OUT_OF_RANGE.matcher(m);
        if (range.find()) {
            m = m.substring(0, range.start()) + "number " + range.group(1) + " is out of range: expected a whole number from "
                    + range.group(2) + " to " + range.group(3) + m.substring(range.end());
        }
        return m.strip();
    }
}
