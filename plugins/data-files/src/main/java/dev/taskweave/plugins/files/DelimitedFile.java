package dev.taskweave.plugins.files;

import dev.taskweave.api.DataException;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * One delimited text file read record by record (Apache Commons CSV: quoted fields may hold the
 * delimiter, quotes and line breaks). Every failure is a {@link DataException} naming the file,
 * and the line where there is one.
 */
final class DelimitedFile {
    /**
     * One record: the line it starts on (a quoted field may carry it over several lines) and its
     * fields, as many as the file has columns.
     */
    record Row(long line, String[] fields) {}

    private final Path path;
    private final TableConfig config;
    private final String configPath;
    private final List<String> columns;

    /** The line of the header, or 0 when the columns are configured. */
    private long headerLine;

    private DelimitedFile(Path path, TableConfig config, String configPath, List<String> columns) {
        this.path = path;
        this.config = config;
        this.configPath = configPath;
        this.columns = columns;
    }

    /**
     * Opens a file and reads its column names: the configured {@code columns}, else its first line.
     *
     * @param configPath the configuration path of the file's settings, named in errors about them
     */
    static DelimitedFile open(Path path, TableConfig config, String configPath) {
        // once per file, before its header and its rows are parsed: read as text, a compressed file fails on
        // a byte that is not valid in the encoding, or as records of noise
        String packed = compression(path);
        if (packed != null) {
            throw new DataException(path.toString(), 0, "a " + packed + " file, not text: this plugin reads plain CSV or TSV; unpack it first");
        }
        List<String> configured = config.columns();
        if (configured != null) {
            return new DelimitedFile(path, config, configPath, configured);
        }
        List<String> header = new ArrayList<>();
        long[] line = {0};
        parse(path, config, record -> {
            if (line[0] == 0) {
                line[0] = record.line();
                header.addAll(List.of(record.fields()));
            }
            return false;
        });
        if (header.isEmpty()) {
            throw new DataException(path.toString(), 0, "empty file: expected a first line naming the columns "
                    + "(or list them in " + configPath + ".columns)");
        }
        // a column without a name (pandas' index, a trailing delimiter on every line) or one of two of
        // the same name is read past as every column the configuration does not name; naming it is an
        // error (column())
        for (int i = 0; i < header.size(); i++) {
            header.set(i, header.get(i).strip());
        }
        DelimitedFile file = new DelimitedFile(path, config, configPath, List.copyOf(header));
        file.headerLine = line[0];
        return file;
    }

    /** @return the file */
    Path path() {
        return path;
    }

    /** @return the column names, in order */
    List<String> columns() {
        return columns;
    }

    /**
     * @param name    a column the configuration names
     * @param setting the configuration path of that setting, for the error
     * @return the column's 0-based index
     * @throws DataException listing the file's columns when it has none of that name
     */
    int column(String name, String setting) {
        int index = columns.indexOf(name);
        if (index >= 0 && columns.lastIndexOf(name) != index) {
            throw new DataException(path.toString(), headerLine, setting + " names column '" + name + "', which the header line names"
                    + " twice (columns " + (index + 1) + " and " + (columns.lastIndexOf(name) + 1) + "): rename one");
        }
        if (index < 0) {
            throw new DataException(path.toString(), 0, setting + " names column '" + name + "', which the file does not have; "
                    + "its columns are " + columns + (config.columns() != null ? " (from " + configPath + ".columns)" : ""));
        }
        return index;
    }

    /**
     * Reads every data record (not the header line), checking each has as many fields as the file
     * has columns; fields are stripped of surrounding white space. A record that repeats the column
     * names (files joined with their header lines) is an error at its line, not a row of data.
     */
    void forEach(Consumer<Row> action) {
        boolean skipHeader = config.columns() == null;
        boolean[] first = {true};
        parse(path, config, row -> {
            if (first[0]) {
                first[0] = false;
                if (skipHeader) {
                    return true;
                }
                if (namesColumns(row.fields())) {
                    throw new DataException(path.toString(), row.line(), "this line repeats the column names of " + configPath
                            + ".columns: the file has a header line (remove " + configPath + ".columns to read it as the "
                            + "header, or remove the line)");
                }
            } else if (namesColumns(row.fields())) {
                throw new DataException(path.toString(), row.line(), "this line repeats the column names " + columns
                        + (skipHeader ? " of the header line" : " of " + configPath + ".columns")
                        + ", where a record is expected (files joined with their header lines?); remove the line");
            }
            if (row.fields().length != columns.size()) {
                throw new DataException(path.toString(), row.line(), "expected " + columns.size() + " fields separated by '"
                        + TableConfig.printable(config.delimiterChar()) + "' (" + String.join(", ", columns) + "), found " + row.fields().length);
            }
            action.accept(row);
            return true;
        });
    }

    /**
     * @return whether a record's fields are the column names, in order; the first may start with a
     *     byte order mark, as the header of a spreadsheet export joined onto another file does
     */
    private boolean namesColumns(String[] fields) {
        if (fields.length != columns.size() || !(fields[0].startsWith("\uFEFF") ? fields[0].substring(1).strip() : fields[0])
                .equals(columns.get(0))) {
            return false;
        }
        for (int i = 1; i < fields.length; i++) {
            if (!fields[i].equals(columns.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Parses records until {@code action} returns false or the file ends. */
    private static void parse(Path path, TableConfig config, java.util.function.Predicate<Row> action) {
        CSVFormat format = CSVFormat.DEFAULT.builder()
                .setDelimiter(config.delimiterChar())
                .setQuote(config.quoteChar())
                .setRecordSeparator("\n")
                .setIgnoreEmptyLines(true)
                .setIgnoreSurroundingSpaces(true)
                .get();
        Charset charset = config.charset();
        if (Files.isDirectory(path)) {
            throw new DataException(path.toString(), 0, "is a directory; expected a file");
        }
        // the reader is a resource of its own: reading past a byte order mark may fail before the parser owns it
        try (java.io.BufferedReader reader = Files.newBufferedReader(path, charset);
                CSVParser parser = CSVParser.parse(withoutByteOrderMark(reader), format)) {
            Iterator<CSVRecord> records = parser.iterator();
            long previousEnd = 0;
            while (true) {
                CSVRecord record;
                try {
                    if (!records.hasNext()) {
                        return;
                    }
                    record = records.next();
                } catch (UncheckedIOException | IllegalStateException e) {
                    // the parser names the line where it gave up; the broken record starts on the
                    // first line after the last record read that is not empty (empty lines are skipped)
                    throw failure(path, charset, previousEnd, e);
                }
                long end = Math.max(1, parser.getCurrentLineNumber());
                String[] fields = record.values();
                // a record ends on its last line: the line breaks inside its quoted fields (kept as
                // they are in the values) carried it over from the line it starts on. A record on the
                // line after the previous one is on that line alone: its values need no scan
                long start = end <= previousEnd + 1 ? end : Math.max(previousEnd + 1, end - lineBreaks(fields));
                previousEnd = end;
                for (int i = 0; i < fields.length; i++) {
                    fields[i] = fields[i].strip();
                }
                if (fields.length == 1 && fields[0].isEmpty()) {
                    continue; // a line of white space only, skipped as an empty line is
                }
                if (!action.test(new Row(start, fields))) {
                    return;
                }
            }
        } catch (NoSuchFileException e) {
            throw new DataException(path.toString(), 0, "file not found", e);
        } catch (AccessDeniedException e) {
            throw new DataException(path.toString(), 0, "cannot be read: permission denied", e);
        } catch (FileSystemException e) {
            throw new DataException(path.toString(), 0, "cannot be read: " + (e.getReason() != null ? e.getReason() : e.toString()), e);
        } catch (IOException e) {
            throw failure(path, charset, 0, e);
        }
    }

    /**
     * Skips a leading byte order mark (U+FEFF), which spreadsheet exports write at the start of
     * UTF-8 files: it would otherwise be part of the first column's name.
     */
    private static Reader withoutByteOrderMark(java.io.BufferedReader reader) throws IOException {
        reader.mark(1);
        if (reader.read() != '\uFEFF') {
            reader.reset();
        }
        return reader;
    }

    /** @return the line breaks in the values: a carriage return, a line feed, or the two together count once */
    static int lineBreaks(String[] values) {
        int breaks = 0;
        for (String v : values) {
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '\n' || (c == '\r' && (i + 1 == v.length() || v.charAt(i + 1) != '\n'))) {
                    breaks++;
                }
            }
        }
        return breaks;
    }

    /** The parser's message when the file ends inside a quoted field: the line the field opened on. */
    private static final Pattern UNCLOSED = Pattern.compile("\\(startline ([^)]*)\\) EOF reached before encapsulated token finished");
    /** The parser's message when a quoted field's closing quote is followed by more than spaces before the delimiter. */
    private static final Pattern AFTER_QUOTE = Pattern.compile("Invalid character between encapsulated token and delimiter at line: "
            + "([^,]*(?:,\\d{3})*)");

    /**
     * @param previousEnd the line the last record read ends on (0 for none)
     * @return the error for a record the parser could not read (named at the line it starts on),
     *     or for text not valid in the file's encoding (named at its line)
     */
    private static DataException failure(Path path, Charset charset, long previousEnd, Exception e) {
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof CharacterCodingException)) {
            cause = cause.getCause();
        }
        if (cause instanceof CharacterCodingException) {
            // the decoder reads ahead of the parser: find the line by decoding the file line by line
            return new DataException(path.toString(), dev.taskweave.api.data.TextFiles.firstUndecodableLine(path, charset), "not valid " + charset.name()
                    + " text (" + (utf16(path) && !charset.name().startsWith("UTF-16") ? "the file starts with a UTF-16 byte order mark: set encoding: UTF-16"
                    : "set the file's encoding, for example encoding: ISO-8859-1") + ")", e);
        }
        // the parser's own exception (wrapped unchecked) says what is wrong; its class name says nothing more
        Throwable reported = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        String message = reported.getMessage() == null ? reported.toString() : reported.getMessage();
        long start = firstLineWithText(path, charset, previousEnd);
        Matcher unclosed = UNCLOSED.matcher(message);
        if (unclosed.find()) {
            long opened = lineNumber(unclosed.group(1), start);
            return new DataException(path.toString(), start, "a quoted field opened on line " + opened + " is never closed: the "
                    + "file ends inside it (a quote mark inside a quoted field is written twice, \"\"; in a file whose quote marks "
                    + "are text, set quote: \"\")", e);
        }
        Matcher afterQuote = AFTER_QUOTE.matcher(message);
        if (afterQuote.find()) {
            long at = lineNumber(afterQuote.group(1), start);
            return new DataException(path.toString(), start, "a quoted field's closing quote is followed by other text than "
                    + "the delimiter" + (at != start ? " (on line " + at + ")" : "") + ": a quote mark inside a quoted field is "
                    + "written twice, \"\"; in a file whose quote marks are text, set quote: \"\"", e);
        }
        return new DataException(path.toString(), start, "cannot be read: " + message, e);
    }

    /** @return the compressed format a file starts like (gzip, zip, bzip2, xz, zstd), or null */
    private static String compression(Path path) {
        byte[] head = new byte[10];
        int n;
        try (java.io.InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            return null;
        }
        int b0 = n > 0 ? head[0] & 0xFF : -1;
        int b1 = n > 1 ? head[1] & 0xFF : -1;
        int b2 = n > 2 ? head[2] & 0xFF : -1;
        int b3 = n > 3 ? head[3] & 0xFF : -1;
        if (b0 == 0x1F && b1 == 0x8B) {
            return "gzip";
        } else if (b0 == 'P' && b1 == 'K' && b2 == 3 && b3 == 4) {
            return "zip";
        } else if (b0 == 'B' && b1 == 'Z' && b2 == 'h' && b3 >= '1' && b3 <= '9' && n == 10 && (head[4] & 0xFF) == 0x31
                && (head[5] & 0xFF) == 0x41 && (head[6] & 0xFF) == 0x59 && (head[7] & 0xFF) == 0x26 && (head[8] & 0xFF) == 0x53
                && (head[9] & 0xFF) == 0x59) {
            // "BZh", the block size, then the first block's magic (pi's digits): three letters alone begin text too
            return "bzip2";
        } else if (b0 == 0xFD && b1 == '7' && b2 == 'z' && b3 == 'X') {
            return "xz";
        } else if (b0 == 0x28 && b1 == 0xB5 && b2 == 0x2F && b3 == 0xFD) {
            return "zstd";
        }
        return null;
    }

    /** @return whether the file starts with a UTF-16 byte order mark (FE FF or FF FE), as spreadsheets' "Unicode text" exports do */
    private static boolean utf16(Path path) {
        try (java.io.InputStream in = Files.newInputStream(path)) {
            int first = in.read();
            int second = in.read();
            return first == 0xFE && second == 0xFF || first == 0xFF && second == 0xFE;
        } catch (IOException e) {
            return false;
        }
    }

    /** @return the digits of a number the parser wrote with grouping separators, or {@code otherwise} when there are none */
    private static long lineNumber(String formatted, long otherwise) {
        String digits = formatted.replaceAll("[^0-9]", "");
        return digits.isEmpty() || digits.length() > 18 ? otherwise : Long.parseLong(digits);
    }

    /**
     * @return the first line after line {@code after} that holds more than white space, where a
     *     record the parser could not read starts (it skips empty lines between records), or
     *     {@code after + 1} when none is found
     */
    static long firstLineWithText(Path path, Charset charset, long after) {
        // read leniently: text not valid in the encoding after the record is reported when the parser reaches it
        try (java.io.BufferedReader reader = new java.io.BufferedReader(new java.io.InputStreamReader(Files.newInputStream(path), charset))) {
            long number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                if (number > after && !line.replace("\uFEFF", "").isBlank()) {
                    return number;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // the file was read up to here a moment ago; the line after the last record is the best left
        }
        return after + 1;
    }
}
