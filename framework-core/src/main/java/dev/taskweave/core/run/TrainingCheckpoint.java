package dev.taskweave.core.run;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.store.AtomicDirectory;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Everything training needs to go on after an epoch as if it had not stopped: the raw weights
 * (every parameter of the model), Adam's moments and update count, the weight average, the loss
 * weighting's own state, the Java dropout generator, early stopping's bookkeeping (the best
 * value, its epoch and weights, the epochs since), the epochs' records and the training time so
 * far. The rest is a function of the seed and the epoch (each epoch's examples, order, negatives
 * and PyTorch generator), or fixed by the experiment, which {@link Checkpointing.Identity} pins: a checkpoint
 * is resumed only by the experiment and data that wrote it.
 *
 * <p>One binary file, written atomically after every epoch (a crash while writing leaves the
 * previous epoch's checkpoint): a magic number and version, then the fields in order, the epochs'
 * records as JSON, and a CRC-32 of everything before it. Reading checks every length against the
 * bytes the file has left before allocating, and the CRC at the end, so a damaged file is
 * refused, never resumed.
 */
record TrainingCheckpoint(Checkpointing.Identity identity, int epoch, boolean finished, double elapsedSeconds, byte[] parameters,
        int updates, float[] means, float[] variances, long averageUpdates, float[] average, byte[] weightingState,
        long dropoutState, double best, int bestEpoch, int sinceBest, byte[] bestParameters, List<EpochRecord> history) {
    private static final int MAGIC = 0x5457_4350; // "TWCP"
    /** 2: the CRC-32 at the end (format 1 had none). */
    private static final int VERSION = 2;
    private static final ObjectMapper JSON = ConfigLoader.strict(new ObjectMapper());

    /** Writes the checkpoint to {@code file} atomically. */
    void write(Path file) {
        AtomicDirectory.writeFile(file, temp -> {
            try (OutputStream stream = Files.newOutputStream(temp);
                    CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(stream, 1 << 16), new CRC32());
                    DataOutputStream out = new DataOutputStream(checked)) {
                out.writeInt(MAGIC);
                out.writeInt(VERSION);
                out.writeUTF(identity.experiment());
                out.writeUTF(identity.data());
                out.writeInt(epoch);
                out.writeBoolean(finished);
                out.writeDouble(elapsedSeconds);
                bytes(out, parameters);
                out.writeInt(updates);
                floats(out, means);
                floats(out, variances);
                out.writeLong(averageUpdates);
                floats(out, average);
                bytes(out, weightingState);
                out.writeLong(dropoutState);
                out.writeDouble(best);
                out.writeInt(bestEpoch);
                out.writeInt(sinceBest);
                bytes(out, bestParameters);
                bytes(out, JSON.writeValueAsBytes(history));
                out.flush();
                out.writeInt((int) checked.getChecksum().getValue());
            }
        });
    }

    /**
     * @return whether {@code file} begins as a Taskweave training checkpoint (its magic number),
     *     whatever its format or state; false when it cannot be read
     */
    static boolean isCheckpoint(Path file) {
        try (InputStream stream = Files.newInputStream(file); DataInputStream in = new DataInputStream(stream)) {
            return in.readInt() == MAGIC;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads a checkpoint written by {@link #write}.
     *
     * @throws CheckpointException naming the file when it is missing, is not a checkpoint, is
     *     truncated, or was written by another experiment or for other data than {@code identity}
     */
    static TrainingCheckpoint read(Path file, Checkpointing.Identity identity) {
        try (InputStream stream = Files.newInputStream(file);
                CheckedInputStream checked = new CheckedInputStream(new BufferedInputStream(stream, 1 << 16), new CRC32());
                Counting counting = new Counting(checked, Files.size(file));
                DataInputStream in = new DataInputStream(counting)) {
            int version = header(file, in);
            counting.trailer = version == 1 ? 0 : Integer.BYTES; // format 1 (an earlier release, mid-run) has no CRC
            Checkpointing.Identity written = new Checkpointing.Identity(in.readUTF(), in.readUTF());
            requireIdentity(file, written, identity);
            TrainingCheckpoint c = new TrainingCheckpoint(written, in.readInt(), in.readBoolean(), in.readDouble(), bytes(in, counting),
                    in.readInt(), floats(in, counting), floats(in, counting), in.readLong(), floats(in, counting), bytes(in, counting),
                    in.readLong(), in.readDouble(), in.readInt(), in.readInt(), bytes(in, counting),
                    JSON.readValue(bytes(in, counting), new TypeReference<List<EpochRecord>>() {}));
            int crc = (int) checked.getChecksum().getValue();
            if (version >= 2 && in.readInt() != crc) {
                throw corrupt(file);
            }
            if (in.read() != -1) {
                throw new CheckpointException(file + " has bytes after the checkpoint's end");
            }
            if (c.epoch < 1 || c.history.size() != c.epoch) {
                throw new CheckpointException(file + " records " + c.history.size() + " epochs after epoch " + c.epoch);
            }
            return c;
        } catch (NoSuchFileException e) {
            throw new CheckpointException("no checkpoint to resume from: " + file + " does not exist");
        } catch (EOFException e) {
            throw new CheckpointException(file + " ends early: the checkpoint is truncated");
        } catch (Corrupt e) {
            throw new CheckpointException(file + " is truncated or corrupt: " + e.getMessage() + " (delete it to train from the start)");
        } catch (IOException e) {
            throw new CheckpointException("cannot read checkpoint " + file + ": " + e.getMessage());
        }
    }

    /**
     * Reads a checkpoint's magic number and format and, for a format with a CRC-32, checks it over
     * the whole file before any field is trusted (a damaged identity is damage, not "another
     * experiment").
     *
     * @return the format
     */
    private static int header(Path file, DataInputStream in) throws IOException {
        int version = format(file, in);
        if (version >= 2) {
            requireChecksum(file);
        }
        return version;
    }

    /** Reads the magic number and the format, without checking the file's CRC. */
    private static int format(Path file, DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new CheckpointException(file + " is not a Taskweave training checkpoint");
        }
        int version = in.readInt();
        if (version != VERSION && version != 1) {
            throw new CheckpointException(file + " is a checkpoint of format " + version + "; this version reads formats 1 and "
                    + VERSION);
        }
        return version;
    }

    /**
     * @throws CheckpointException naming the file when {@code written} (the checkpoint's identity)
     *     is not {@code identity}, with the teachers saved beside it ({@link Checkpointing#teachers})
     *     to delete with it, when there are
     */
    private static void requireIdentity(Path file, Checkpointing.Identity written, Checkpointing.Identity identity) {
        boolean experiment = !written.experiment().equals(identity.experiment());
        boolean data = !written.data().equals(identity.data());
        if (experiment || data) {
            Path teachers = Checkpointing.teachers(file);
            throw new CheckpointException(file + " was written by " + (experiment && data ? "another experiment on other data"
                    : experiment ? "another experiment (its configuration differs from this one, or the teacher models"
                            + " of its training.distillation.models do)"
                    : "this experiment on other data (the data's fingerprint differs)")
                    + "; resume with the experiment and data that wrote it, or delete it"
                    + (Files.isDirectory(teachers) ? " and the teachers saved beside it in " + teachers + "/" : "")
                    + " to train from the start");
        }
    }

    /**
     * Checks that the checkpoint in {@code file} was written by {@code identity}, reading no more
     * than its header (after its CRC-32, so that damage is not taken for another experiment).
     *
     * @throws CheckpointException naming the file when it is not a checkpoint, is damaged, or was
     *     written by another experiment or for other data
     */
    static void checkIdentity(Path file, Checkpointing.Identity identity) {
        try (InputStream stream = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(stream, 1 << 16))) {
            header(file, in);
            requireIdentity(file, new Checkpointing.Identity(in.readUTF(), in.readUTF()), identity);
        } catch (NoSuchFileException e) {
            throw new CheckpointException("no checkpoint to resume from: " + file + " does not exist");
        } catch (EOFException e) {
            throw new CheckpointException(file + " ends early: the checkpoint is truncated");
        } catch (IOException e) {
            throw new CheckpointException("cannot read checkpoint " + file + ": " + e.getMessage());
        }
    }

    /**
     * @return the identity a checkpoint records, or empty when it cannot be read as a checkpoint;
     *     its CRC is not checked here (reading it to resume does)
     */
    static java.util.Optional<Checkpointing.Identity> recordedIdentity(Path file) {
        try (InputStream stream = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(stream, 1 << 16))) {
            format(file, in);
            return java.util.Optional.of(new Checkpointing.Identity(in.readUTF(), in.readUTF()));
        } catch (IOException | CheckpointException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Checks a checkpoint's CRC-32 without reading its fields (format 1, without one, passes).
     *
     * @throws CheckpointException naming the file when it is not a checkpoint, truncated or damaged
     */
    static void checkIntact(Path file) {
        try (InputStream stream = Files.newInputStream(file); DataInputStream in = new DataInputStream(stream)) {
            if (in.readInt() != MAGIC) {
                throw new CheckpointException(file + " is not a Taskweave training checkpoint");
            }
            if (in.readInt() >= 2) {
                requireChecksum(file);
            }
        } catch (EOFException e) {
            throw new CheckpointException(file + " ends early: the checkpoint is truncated");
        } catch (IOException e) {
            throw new CheckpointException("cannot read checkpoint " + file + ": " + e.getMessage());
        }
    }

    private static CheckpointException corrupt(Path file) {
        return new CheckpointException(file + " is truncated or corrupt: its CRC-32 does not match its content (delete it to train from the start)");
    }

    /**
     * Compares the CRC-32 of everything before a format-2 checkpoint's last four bytes with them.
     *
     * @throws EOFException when the file is too short to hold a CRC
     * @throws CheckpointException naming the file when they differ
     */
    private static void requireChecksum(Path file) throws IOException {
        long size = Files.size(file);
        if (size < 3L * Integer.BYTES) {
            throw new EOFException();
        }
        CRC32 crc = new CRC32();
        try (InputStream stream = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(stream, 1 << 16))) {
            byte[] buffer = new byte[1 << 16];
            for (long left = size - Integer.BYTES; left > 0; ) {
                int n = (int) Math.min(buffer.length, left);
                in.readFully(buffer, 0, n);
                crc.update(buffer, 0, n);
                left -= n;
            }
            if (in.readInt() != (int) crc.getValue()) {
                throw corrupt(file);
            }
        }
    }

    /** A length in the file that no checkpoint writes. */
    private static final class Corrupt extends IOException {
        Corrupt(String message) {
            super(message);
        }
    }

    /** Counts the bytes read, so a length is checked against what the file has left before anything is allocated. */
    private static final class Counting extends java.io.FilterInputStream {
        private final long size;
        private long position;
        /** The bytes after the fields: the CRC, from format 2. */
        int trailer = Integer.BYTES;

        Counting(InputStream in, long size) {
            super(in);
            this.size = size;
        }

        /** @return the bytes after the current position, the CRC at the end excluded */
        long left() {
            return size - position - trailer;
        }

        long position() {
            return position;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                position++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            position += skipped;
            return skipped;
        }
    }

    /** @throws Corrupt when a field claims {@code n} values of {@code width} bytes and the file has fewer left */
    private static void checkLength(int n, int width, Counting counting) throws Corrupt {
        if (n < -1) {
            throw new Corrupt("a negative length " + n + " at byte " + (counting.position() - Integer.BYTES));
        }
        if (n > 0 && (long) n * width > counting.left()) {
            throw new Corrupt("a field of " + (long) n * width + " bytes at byte " + (counting.position() - Integer.BYTES)
                    + ", and the file has " + Math.max(0, counting.left()) + " left");
        }
    }

    private static void bytes(DataOutputStream out, byte[] value) throws IOException {
        out.writeInt(value == null ? -1 : value.length);
        if (value != null) {
            out.write(value);
        }
    }

    private static byte[] bytes(DataInputStream in, Counting counting) throws IOException {
        int n = in.readInt();
        checkLength(n, 1, counting);
        if (n == -1) {
            return null;
        }
        byte[] value = in.readNBytes(n);
        if (value.length != n) {
            throw new EOFException();
        }
        return value;
    }

    private static void floats(DataOutputStream out, float[] value) throws IOException {
        out.writeInt(value == null ? -1 : value.length);
        if (value != null) {
            for (float v : value) {
                out.writeFloat(v);
            }
        }
    }

    private static float[] floats(DataInputStream in, Counting counting) throws IOException {
        int n = in.readInt();
        checkLength(n, Float.BYTES, counting);
        if (n == -1) {
            return null;
        }
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = in.readFloat();
        }
        return values;
    }
}
