package dev.taskweave.plugins.files;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskweave.api.InvalidConfigException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/**
 * How one delimited file is read: its path, separator, quote character, encoding and column names.
 * A file whose first line names its columns needs only {@code file}; a file without that line
 * lists its columns in {@code columns}.
 */
public class TableConfig {
    @JsonProperty
    private String file;
    @JsonProperty
    private String format;
    @JsonProperty
    private String delimiter;
    @JsonProperty
    private String quote;
    @JsonProperty
    private String encoding = StandardCharsets.UTF_8.name();
    @JsonProperty
    private List<String> columns;

    /** Checks the file's reading options; paths are relative to this object. */
    void validateTable() {
        if (file == null || file.isBlank()) {
            throw new InvalidConfigException("file", "required: the path of the file, relative to the experiment file or absolute");
        }
        if (format != null && !format.equals("csv") && !format.equals("tsv")) {
            throw new InvalidConfigException("format", "expected csv or tsv, got '" + format + "'");
        }
        if (delimiter != null && delimiter.length() != 1) {
            throw new InvalidConfigException("delimiter", "expected one character, got " + notOneCharacter(delimiter));
        }
        if (quote != null && quote.length() > 1) {
            throw new InvalidConfigException("quote", "expected one character, or an empty string for none, got " + notOneCharacter(quote));
        }
        char separator = delimiterChar();
        if (separator == '\n' || separator == '\r') {
            throw new InvalidConfigException("delimiter", "a line break ends a record and cannot also separate its fields; "
                    + "expected a character such as \",\", \"\\t\" or \"|\"");
        }
        if (quote != null && (quote.equals("\n") || quote.equals("\r"))) {
            throw new InvalidConfigException("quote", "a line break cannot be the quote character; expected a character "
                    + "such as '\"', or an empty string for none");
        }
        Character quoteChar = quoteChar();
        if (quoteChar != null && quoteChar == separator) {
            // the setting to change is the one given: an explicit quote, else the delimiter that meets the default quote
            if (quote != null) {
                throw new InvalidConfigException("quote", "the quote character is also the delimiter '" + printable(separator) + "'"
                        + (delimiter == null ? " (the default of " + (tsv() ? "tsv" : "csv") + " files)" : "")
                        + "; expected another character, or an empty string for none");
            }
            throw new InvalidConfigException("delimiter", "'" + printable(separator) + "' is also the quote character (the "
                    + "default of csv files); set quote to another character, or to an empty string for none");
        }
        charset();
        if (columns != null) {
            if (columns.isEmpty()) {
                throw new InvalidConfigException("columns", "expected the names of the file's columns, in order; got an empty list");
            }
            HashSet<String> seen = new HashSet<>();
            for (int i = 0; i < columns.size(); i++) {
                String c = columns.get(i);
                if (c == null || c.isBlank()) {
                    throw new InvalidConfigException("columns[" + i + "]", "expected a column name, got " + (c == null ? "null" : "'" + c + "'"));
                }
                if (!seen.add(c)) {
                    throw new InvalidConfigException("columns[" + i + "]", "column '" + c + "' is named twice");
                }
            }
        }
    }

    /** @return the file's path as configured */
    public String file() {
        return file;
    }

    /** @return the field separator: {@code delimiter}, else a tab for tsv (or a .tsv/.tab file), else a comma */
    public char delimiterChar() {
        if (delimiter != null) {
            return delimiter.charAt(0);
        }
        return tsv() ? '\t' : ',';
    }

    /**
     * @return the quote character, or null for none: {@code quote} when set (empty for none), else
     *     by the format, whatever the delimiter: none for tsv ({@code format: tsv}, or without a
     *     {@code format} a .tsv or .tab file) and {@code "} for csv
     */
    public Character quoteChar() {
        if (quote != null) {
            return quote.isEmpty() ? null : quote.charAt(0);
        }
        return tsv() ? null : '"';
    }

    /** @return the character as a setting would write it: a tab as {@code \t} */
    /**
     * @return a setting that should be one character, for the error: as written, its length, and
     *     for an escape such as {@code '\t'} that YAML's single quotes keep as two characters,
     *     how to write it
     */
    static String notOneCharacter(String value) {
        String shown = "'" + value + "' (" + value.length() + " characters)";
        if (value.length() == 2 && value.charAt(0) == '\\' && "tnr".indexOf(value.charAt(1)) >= 0) {
            return shown + ": single quotes keep a backslash as written; write \"" + value + "\" in double quotes";
        }
        return shown;
    }

    static String printable(char c) {
        return c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : String.valueOf(c);
    }

    /** @return true for tsv: {@code format: tsv}, or without a {@code format} a file named .tsv or .tab */
    private boolean tsv() {
        if (format != null) {
            return format.equals("tsv");
        }
        String lower = file == null ? "" : file.toLowerCase(Locale.ROOT);
        return lower.endsWith(".tsv") || lower.endsWith(".tab");
    }

    /** @return the file's character set */
    public Charset charset() {
        try {
            return Charset.forName(encoding);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("encoding", "unknown character set '" + encoding + "' (for example UTF-8, ISO-8859-1)");
        }
    }

    /** @return the configured column names (the file then has no header line), or null */
    public List<String> columns() {
        return columns == null ? null : List.copyOf(columns);
    }
}
