package dev.taskweave.core.store;

import dev.taskweave.core.config.ConfigException;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A file of a model directory read once: its bytes are held in memory, checked against the length
 * and checksum the model recorded for it, and parsed from there. The file is opened exactly once,
 * so the bytes that are checked are the bytes that are parsed, whatever replaces the file, or the
 * directory, meanwhile (a {@code train --output} renaming a new model into place, a hand edit):
 * a load never checks one file and reads another.
 */
final class ModelFile {
    /** Opens a file to read; {@link Files#newInputStream} but in tests. */
    interface Opener {
        InputStream open(Path file) throws IOException;
    }

    /** The bytes held per array: a file of any length (beyond an array's 2 GiB) is held in parts. */
    static final int CHUNK = 1 << 24;

    private final Path file;
    private final List<byte[]> chunks;
    private final long length;
    private final String crc32c;

    private ModelFile(Path file, List<byte[]> chunks, long length, String crc32c) {
        this.file = file;
        this.chunks = chunks;
        this.length = length;
        this.crc32c = crc32c;
    }

    /**
     * Reads {@code file} once and checks it against {@code recorded}.
     *
     * @param recorded the length and CRC-32C recorded when the model was written; null for none
     *                 (a model of a release before checksums): the file is read unchecked
     * @param recordedBy the file that recorded them, named in the errors ({@code model.json})
     * @throws java.nio.file.NoSuchFileException when the file is missing
     * @throws ConfigException naming the file when its length or checksum differs
     */
    static ModelFile read(Path file, ModelManifest.FileEntry recorded, String recordedBy) throws IOException {
        return read(file, recorded, recordedBy, Files::newInputStream);
    }

    /** As {@link #read(Path, ModelManifest.FileEntry, String)}, opening the file with {@code opener}. */
    static ModelFile read(Path file, ModelManifest.FileEntry recorded, String recordedBy, Opener opener) throws IOException {
        CRC32C crc = new CRC32C();
        List<byte[]> chunks = new ArrayList<>();
        long length = 0;
        try (InputStream in = opener.open(file)) {
            while (true) {
                // a file longer than recorded is read one byte past it, not whole: it is not this model's
                long wanted = recorded == null ? CHUNK : Math.min(CHUNK, recorded.bytes + 1 - length);
                byte[] chunk = in.readNBytes((int) Math.max(1, wanted));
                if (chunk.length == 0) {
                    break;
                }
                crc.update(chunk);
                chunks.add(chunk);
                length += chunk.length;
                if (recorded != null && length > recorded.bytes) {
                    throw new ConfigException(file.toString(), "", 0, "holds more than the " + recorded.bytes + " bytes "
                            + recordedBy + " recorded when the model was written: the file is not the one written with this model");
                }
                if (chunk.length < wanted) {
                    break;
                }
            }
        }
        ModelFile read = new ModelFile(file, Collections.unmodifiableList(chunks), length, String.format("%08x", crc.getValue()));
        if (recorded != null) {
            read.check(recorded, recordedBy);
        }
        return read;
    }

    /** @throws ConfigException naming the file when these bytes are not what {@code recorded} says */
    private void check(ModelManifest.FileEntry recorded, String recordedBy) {
        if (length != recorded.bytes) {
            throw new ConfigException(file.toString(), "", 0, "holds " + length + " bytes, and " + recordedBy + " recorded "
                    + recorded.bytes + " when the model was written: the file is " + (length < recorded.bytes
                            ? "truncated (was the model copied whole?)" : "not the one written with this model"));
        }
        if (!crc32c.equals(recorded.crc32c)) {
            throw new ConfigException(file.toString(), "", 0, "is damaged: its checksum (CRC-32C " + crc32c + ") differs from "
                    + "the one " + recordedBy + " recorded when the model was written (" + recorded.crc32c + "); copy the model "
                    + "again or retrain it");
        }
    }

    /** @return the file read */
    Path file() {
        return file;
    }

    /** @return its length in bytes */
    long length() {
        return length;
    }

    /** @return its length and CRC-32C, as {@code model.json} records them */
    ModelManifest.FileEntry entry() {
        ModelManifest.FileEntry e = new ModelManifest.FileEntry();
        e.bytes = length;
        e.crc32c = crc32c;
        return e;
    }

    /** @return the bytes, from the first; each call a new stream over the same bytes */
    InputStream stream() {
        List<InputStream> parts = new ArrayList<>();
        for (byte[] chunk : chunks) {
            parts.add(new ByteArrayInputStream(chunk));
        }
        return new SequenceInputStream(Collections.enumeration(parts));
    }

    /** @return {@link #stream()} to read with {@link DataInputStream}'s methods */
    DataInputStream data() {
        return new DataInputStream(stream());
    }

    /**
     * @return the bytes in one array
     * @throws IOException when there are more than an array holds
     */
    byte[] bytes() throws IOException {
        if (length > Integer.MAX_VALUE - 8) {
            throw new IOException(file + " holds " + length + " bytes, more than can be read whole");
        }
        if (chunks.size() == 1) {
            return chunks.get(0).clone();
        }
        byte[] all = new byte[(int) length];
        int at = 0;
        for (byte[] chunk : chunks) {
            System.arraycopy(chunk, 0, all, at, chunk.length);
            at += chunk.length;
        }
        return all;
    }

    /**
     * @return the bytes as UTF-8 text
     * @throws CharacterCodingException when they are not UTF-8
     */
    String text() throws IOException {
        return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes())).toString();
    }
}
