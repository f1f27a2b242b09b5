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
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * One delimited text file read record by record (Apache Commons CSV: quoted fields may hold the
 * delimiter, quotes and line breaks). Every failure is a {@link DataException} naming the file,
 * and the line where there is one.
 */
final class DelimitedFile {
    /** One record: the line it ends on and its fields, as many as the file has columns. */
    record Row(long line, String[] fields) {}

    private final Path path;
    private final TableConfig config;
    private final String configPath;
    private final List<String> columns;

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
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i).strip();
            if (name.isEmpty()) {
                throw new DataException(path.toString(), line[0], "column " + (i + 1) + " of the header line has no name");
            }
            if (header.subList(0, i).contains(name)) {
                throw new DataException(path.toString(), line[0], "column '" + name + "' is named twice in the header line");
            }
            header.set(i, name);
        }
        return new DelimitedFile(path, config, configPath, List.copyOf(header));
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
        if (index < 0) {
            throw new DataException(path.toString(), 0, setting + " names column '" + name + "', which the file does not have; "
                    + "its columns are " + columns + (config.columns() != null ? " (from " + configPath + ".columns)" : ""));
        }
        return index;
    }

    /**
     * Reads every data record (not the header line), checking each has as many fields as the file
     * has columns; fields are stripped of surrounding white space.
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
                if (List.of(row.fields()).equals(columns)) {
                    throw new DataException(path.toString(), row.line(), "this line repeats the column names of " + configPath
                            + ".columns: the file has a header line (remove " + configPath + ".columns to read it as the "
                            + "header, or remove the line)");
                }
            }
            if (row.fields().length != columns.size()) {
                throw new DataException(path.toString(), row.line(), "expected " + columns.size() + " fields separated by '"
                        + printable(config.delimiterChar()) + "' (" + String.join(", ", columns) + "), found " + row.fields().length);
            }
            action.accept(row);
            return true;
        });
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
        try (Reader reader = withoutByteOrderMark(Files.newBufferedReader(path, charset));
                CSVParser parser = CSVParser.parse(reader, format)) {
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
                    // the broken record starts after the last one read (the parser's own line is where it gave up)
                    throw failure(path, charset, previousEnd + 1, e);
                }
                previousEnd = Math.max(1, parser.getCurrentLineNumber());
                String[] fields = record.values();
                for (int i = 0; i < fields.length; i++) {
                    fields[i] = fields[i].strip();
                }
                if (fields.length == 1 && fields[0].isEmpty()) {
                    continue; // a line of white space only, skipped as an empty line is
                }
                if (!action.test(new Row(previousEnd, fields))) {
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

    private static DataException failure(Path path, Charset charset, long line, Exception e) {
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof CharacterCodingException)) {
            cause = cause.getCause();
        }
        if (cause instanceof CharacterCodingException) {
            // the decoder reads ahead of the parser: find the line by decoding the file line by line
            return new DataException(path.toString(), dev.taskweave.api.data.TextFiles.firstUndecodableLine(path, charset), "not valid " + charset.name()
                    + " text (set the file's encoding, for example encoding: ISO-8859-1)", e);
        }
        // the parser's own exception (wrapped unchecked) says what is wrong; its class name says nothing more
        Throwable reported = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        String message = reported.getMessage() == null ? reported.toString() : reported.getMessage();
        return new DataException(path.toString(), line, "cannot be read: " + message, e);
    }


    private static String printable(char c) {
        return c == '\t' ? "\\t" : String.valueOf(c);
    }
}
