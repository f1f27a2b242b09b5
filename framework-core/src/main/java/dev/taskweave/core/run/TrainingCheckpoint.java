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
 * previous epoch's checkpoint): a magic number and version, then the fields in order; the epochs'
 * records as JSON.
 */
record TrainingCheckpoint(Checkpointing.Identity identity, int epoch, boolean finished, double elapsedSeconds, byte[] parameters,
        int updates, float[] means, float[] variances, long averageUpdates, float[] average, byte[] weightingState,
        long dropoutState, double best, int bestEpoch, int sinceBest, byte[] bestParameters, List<EpochRecord> history) {
    private static final int MAGIC = 0x5457_4350; // "TWCP"
    private static final int VERSION = 1;
    private static final ObjectMapper JSON = ConfigLoader.strict(new ObjectMapper());

    /** Writes the checkpoint to {@code file} atomically. */
    void write(Path file) {
        AtomicDirectory.writeFile(file, temp -> {
            try (OutputStream stream = Files.newOutputStream(temp);
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(stream, 1 << 16))) {
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
            }
        });
    }

    /**
     * Reads a checkpoint written by {@link #write}.
     *
     * @throws CheckpointException naming the file when it is missing, is not a checkpoint, is
     *     truncated, or was written by another experiment or for other data than {@code identity}
     */
    static TrainingCheckpoint read(Path file, Checkpointing.Identity identity) {
        try (InputStream stream = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(stream, 1 << 16))) {
            if (in.readInt() != MAGIC) {
                throw new CheckpointException(file + " is not a Taskweave training checkpoint");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new CheckpointException(file + " is a checkpoint of format " + version + "; this version reads " + VERSION);
            }
            Checkpointing.Identity written = new Checkpointing.Identity(in.readUTF(), in.readUTF());
            boolean experiment = !written.experiment().equals(identity.experiment());
            boolean data = !written.data().equals(identity.data());
            if (experiment || data) {
                throw new CheckpointException(file + " was written by " + (experiment && data ? "another experiment on other data"
                        : experiment ? "another experiment (its configuration differs from this one)"
                        : "this experiment on other data (the data's fingerprint differs)")
                        + "; resume with the experiment and data that wrote it, or train without --resume");
            }
            TrainingCheckpoint c = new TrainingCheckpoint(written, in.readInt(), in.readBoolean(), in.readDouble(), bytes(in),
                    in.readInt(), floats(in), floats(in), in.readLong(), floats(in), bytes(in), in.readLong(), in.readDouble(),
                    in.readInt(), in.readInt(), bytes(in),
                    JSON.readValue(bytes(in), new TypeReference<List<EpochRecord>>() {}));
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
        } catch (IOException e) {
            throw new CheckpointException("cannot read checkpoint " + file + ": " + e.getMessage());
        }
    }

    private static void bytes(DataOutputStream out, byte[] value) throws IOException {
        out.writeInt(value == null ? -1 : value.length);
        if (value != null) {
            out.write(value);
        }
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < -1) {
            throw new IOException("a negative length " + n);
        }
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

    private static float[] floats(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < -1) {
            throw new IOException("a negative length " + n);
        }
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
