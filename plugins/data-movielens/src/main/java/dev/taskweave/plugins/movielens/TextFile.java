package dev.taskweave.plugins.movielens;

import dev.taskweave.api.DataException;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a text file into numbered lines; every failure is a {@link DataException} naming the file. */
final class TextFile {
    private TextFile() {}

    /** A non-blank line and its 1-based number. */
    record Line(int number, String text) {}

    /**
     * @return the file's non-blank lines (blank lines, such as a trailing empty line, carry no data),
     *     with any carriage return removed
     */
    static List<Line> read(Path file, Charset charset) {
        List<String> raw;
        try {
            raw = Files.readAllLines(file, charset);
        } catch (NoSuchFileException e) {
            throw new DataException(file.toString(), 0, "file not found", e);
        } catch (CharacterCodingException e) {
            throw new DataException(file.toString(), 0, "not valid " + charset.name() + " text", e);
        } catch (IOException e) {
            throw new DataException(file.toString(), 0, "cannot be read: " + e, e);
        }
        List<Line> lines = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            String text = raw.get(i);
            if (text.endsWith("\r")) {
                text = text.substring(0, text.length() - 1);
            }
            if (!text.isBlank()) {
                lines.add(new Line(i + 1, text));
            }
        }
        return lines;
    }

    /** Splits a line on a single-character separator, keeping empty fields. */
    static String[] fields(String text, char separator) {
        return text.split(java.util.regex.Pattern.quote(String.valueOf(separator)), -1);
    }

    /** @return a file name for messages: the path as given */
    static String name(Path file) {
        return file.toString();
    }

    /** Parses a non-negative decimal integer, or throws naming the field. */
    static int parseInt(Path file, int line, String what, String value) {
        if (value.isEmpty() || value.length() > 9 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new DataException(name(file), line, "expected " + what + " as a non-negative integer, found '" + value + "'");
        }
        return Integer.parseInt(value);
    }
}
