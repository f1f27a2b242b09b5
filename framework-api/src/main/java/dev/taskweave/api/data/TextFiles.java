package dev.taskweave.api.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Help for reading text files a person wrote. A reader decodes thousands of characters ahead of
 * the line it hands out, so when a file is not valid text in its character set, the line to name
 * in the error is found in the file itself.
 */
public final class TextFiles {
    /** A number in decimal: a sign, digits with a point, an exponent. */
    private static final java.util.regex.Pattern DECIMAL =
            java.util.regex.Pattern.compile("[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");

    private TextFiles() {}

    /**
     * @return whether {@code cell} is a number written in decimal ({@code 3}, {@code -0.5},
     *     {@code .5}, {@code 1e-3}), as a person writes one in a data file. Java's own parsing also
     *     takes hexadecimal ({@code 0x1p3}), type suffixes ({@code 1.5f}, {@code 2d}), {@code NaN}
     *     and {@code Infinity}, which no data file means as numbers: check a cell with this first.
     */
    public static boolean isDecimal(CharSequence cell) {
        return DECIMAL.matcher(cell).matches();
    }

    /**
     * @return the 1-based number of the first line of {@code path} that is not valid text in
     *     {@code charset}, or 0 when none is found or the file cannot be read. Lines end as readers
     *     end them: at a line feed, a carriage return, or a carriage return and a line feed (one
     *     line end); the bytes are those of UTF-8 and single-byte character sets, where these two
     *     bytes stand for nothing else
     */
    public static long firstUndecodableLine(Path path, Charset charset) {
        CharsetDecoder decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path))) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            long number = 1;
            boolean afterCarriageReturn = false;
            for (int b = in.read(); ; b = in.read()) {
                if (b == '\n' && afterCarriageReturn) {
                    afterCarriageReturn = false; // the second byte of a \r\n line end
                    continue;
                }
                afterCarriageReturn = b == '\r';
                if (b == '\n' || b == '\r' || b < 0) {
                    try {
                        decoder.reset().decode(ByteBuffer.wrap(line.toByteArray()));
                    } catch (CharacterCodingException bad) {
                        return number;
                    }
                    if (b < 0) {
                        return 0;
                    }
                    line.reset();
                    number++;
                } else {
                    line.write(b);
                }
            }
        } catch (IOException e) {
            return 0;
        }
    }
}
