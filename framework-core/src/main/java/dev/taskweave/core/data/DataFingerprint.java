package dev.taskweave.core.data;

import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureKind;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.api.data.SparseRows;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * A SHA-256 over a dataset's schema, tables and splits, recorded with every trained model and
 * checkpoint, and compared with the data as it reads when a model is evaluated, a teacher reused or
 * a finished run read back.
 *
 * <p>The current form ({@link #PREFIX}) hashes a multi-hot table (a history included) as each
 * row's non-zero entries, whichever way its source stores it, in time proportional to the entries.
 * The form before it (a bare hex digest, recorded by models and checkpoints of earlier releases)
 * hashed such a table as its dense form, zeros included: users × items values per history, about
 * 6.5 s at 50,000 × 20,000. It is computed, once, only to compare with a fingerprint of that form.
 */
public final class DataFingerprint {
    /** What starts a fingerprint of the current form. */
    public static final String PREFIX = "v2:";

    /** A fingerprint of the form before: a bare SHA-256 in lowercase hex. */
    private static final java.util.regex.Pattern PREVIOUS_FORM = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    private final Dataset dataset;
    private final String value;
    private String previousForm;

    private DataFingerprint(Dataset dataset, String value) {
        this.dataset = dataset;
        this.value = value;
    }

    /** @return the fingerprint of {@code dataset}, of the current form */
    public static DataFingerprint of(Dataset dataset) {
        return new DataFingerprint(dataset, PREFIX + digest(dataset, true));
    }

    /** @return the fingerprint to record: {@link #PREFIX} and the hex digest */
    public String value() {
        return value;
    }

    /**
     * @param recorded a fingerprint recorded with a model or checkpoint (null: none)
     * @return whether it is this data's, in its form: one of the current form is compared as it
     *     is, one of the form before is compared with this data's digest of that form (computed
     *     on first use)
     */
    public boolean matches(String recorded) {
        return recorded != null && recorded.equals(inFormOf(recorded));
    }

    /**
     * @return this data's fingerprint in the form of {@code recorded}: {@link #value()} for one
     *     of the current form (or null), else the digest of the form before (computed once)
     */
    public String inFormOf(String recorded) {
        if (recorded == null || !PREVIOUS_FORM.matcher(recorded).matches()) {
            // of the current form, or of no form this release knows: compared as it is (no match)
            return value;
        }
        if (previousForm == null) {
            previousForm = digest(dataset, false);
        }
        return previousForm;
    }

    /** @return the start of a fingerprint, to name it in a message: its form's prefix and 12 hex digits ("none" for null) */
    public static String abbreviated(String fingerprint) {
        if (fingerprint == null) {
            return "none";
        }
        int length = (fingerprint.startsWith(PREFIX) ? PREFIX.length() : 0) + 12;
        return fingerprint.length() <= length ? fingerprint : fingerprint.substring(0, length);
    }

    /**
     * @return {@code recorded} when it is this data's fingerprint ({@link #matches}), else {@link
     *     #value()}: what a resumed checkpoint goes on recording
     */
    public String recordedOrCurrent(String recorded) {
        return matches(recorded) ? recorded : value;
    }

    @Override
    public String toString() {
        return value;
    }

    /** @return the hex digest, of the current form or of the form before it */
    private static String digest(Dataset dataset, boolean current) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (FeatureSpec f : dataset.features()) {
            // the form FeatureSpec.toString() had before features carried labels: fingerprints of
            // models saved then still match; the codes below are what the model depends on
            text(digest, "FeatureSpec[name=" + f.name() + ", entity=" + f.entity() + ", kind=" + f.kind() + ", size=" + f.size()
                    + ", id=" + f.id() + "]");
            EntityTable table = dataset.table(f.entity());
            if (f.kind() == FeatureKind.CATEGORICAL) {
                ints(digest, table.categorical(f.name()));
            } else if (current && f.kind() == FeatureKind.MULTI_HOT) {
                if (table.isSparse(f.name())) {
                    entries(digest, table.sparse(f.name()));
                } else {
                    entries(digest, table.dense(f.name()), f.size());
                }
            } else if (table.isSparse(f.name())) {
                floats(digest, table.sparse(f.name()));
            } else {
                floats(digest, table.dense(f.name()));
            }
        }
        for (String id : dataset.users().rawIds()) {
            text(digest, id);
        }
        for (String id : dataset.items().rawIds()) {
            text(digest, id);
        }
        for (Map.Entry<String, Interactions> split : dataset.splits().entrySet()) {
            text(digest, split.getKey());
            ints(digest, split.getValue().users());
            ints(digest, split.getValue().items());
            for (String column : new TreeMap<>(labelMap(split.getValue())).keySet()) {
                text(digest, column);
                floats(digest, split.getValue().label(column));
            }
            // per-interaction feature columns (none before they existed: older fingerprints still match)
            for (Map.Entry<String, float[]> column : new TreeMap<>(split.getValue().features()).entrySet()) {
                text(digest, "feature " + column.getKey());
                floats(digest, column.getValue());
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static Map<String, Boolean> labelMap(Interactions split) {
        Map<String, Boolean> m = new TreeMap<>();
        for (String c : split.labelColumns()) {
            m.put(c, true);
        }
        return m;
    }

    private static void text(MessageDigest d, String s) {
        d.update(s.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
    }

    /** Values hashed per chunk: a whole history table copied into one buffer doubled its heap and overflowed an int above 2^29 values. */
    private static final int CHUNK = 1 << 20;

    static void ints(MessageDigest d, int[] values) {
        chunks(d, values.length, (b, from, n) -> b.asIntBuffer().put(values, from, n));
    }

    static void floats(MessageDigest d, float[] values) {
        chunks(d, values.length, (b, from, n) -> b.asFloatBuffer().put(values, from, n));
    }

    /**
     * Hashes a sparse table as {@link #floats(MessageDigest, float[])} hashes its dense form, zeros
     * included, row by row (a model's fingerprint does not depend on how its source stores a
     * history): time in proportion to rows x width, memory to one row.
     */
    static void floats(MessageDigest d, SparseRows rows) {
        int width = rows.width();
        ByteBuffer b = ByteBuffer.allocate(width * 4);
        byte[] zeros = new byte[width * 4];
        int[] columns = rows.columns();
        float[] values = rows.values();
        for (int r = 0; r < rows.rows(); r++) {
            int from = rows.start(r);
            int to = rows.start(r + 1);
            if (from == to) {
                d.update(zeros);
                continue;
            }
            System.arraycopy(zeros, 0, b.array(), 0, zeros.length);
            for (int k = from; k < to; k++) {
                b.putFloat(columns[k] * 4, values[k]);
            }
            d.update(b.array());
        }
    }

    /**
     * Hashes a sparse table as its number of rows and its width, then its rows' non-zero entries:
     * per row their number, then each one's column and value, big-endian; time in proportion to
     * the entries.
     */
    static void entries(MessageDigest d, SparseRows rows) {
        Sink sink = new Sink(d);
        sink.putInt(rows.rows());
        sink.putInt(rows.width());
        int[] columns = rows.columns();
        float[] values = rows.values();
        for (int r = 0; r < rows.rows(); r++) {
            int from = rows.start(r);
            int to = rows.start(r + 1);
            int count = 0;
            for (int k = from; k < to; k++) {
                count += values[k] != 0f ? 1 : 0;
            }
            sink.putInt(count);
            for (int k = from; k < to; k++) {
                if (values[k] != 0f) {
                    sink.putInt(columns[k]);
                    sink.putFloat(values[k]);
                }
            }
        }
        sink.flush();
    }

    /** Hashes a dense table {@code width} values wide as {@link #entries(MessageDigest, SparseRows)} hashes its sparse form. */
    static void entries(MessageDigest d, float[] dense, int width) {
        if (width == 0 ? dense.length != 0 : dense.length % width != 0) {
            throw new IllegalArgumentException("a table " + width + " values wide holds " + dense.length + " values");
        }
        Sink sink = new Sink(d);
        int rows = width == 0 ? 0 : dense.length / width;
        sink.putInt(rows);
        sink.putInt(width);
        for (int r = 0; r < rows; r++) {
            int at = r * width;
            int count = 0;
            for (int c = 0; c < width; c++) {
                count += dense[at + c] != 0f ? 1 : 0;
            }
            sink.putInt(count);
            for (int c = 0; c < width; c++) {
                if (dense[at + c] != 0f) {
                    sink.putInt(c);
                    sink.putFloat(dense[at + c]);
                }
            }
        }
        sink.flush();
    }

    /** Collects values into a buffer handed to the digest whole, not value by value. */
    private static final class Sink {
        private final MessageDigest digest;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);

        Sink(MessageDigest digest) {
            this.digest = digest;
        }

        void putInt(int v) {
            if (buffer.remaining() < Integer.BYTES) {
                flush();
            }
            buffer.putInt(v);
        }

        void putFloat(float v) {
            if (buffer.remaining() < Float.BYTES) {
                flush();
            }
            buffer.putFloat(v);
        }

        void flush() {
            digest.update(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
    }

    /** Puts {@code n} 4-byte values from {@code from} into a buffer, big-endian. */
    private interface Put {
        void put(ByteBuffer b, int from, int n);
    }

    /** Hashes {@code length} 4-byte values in pieces of {@link #CHUNK}, each put by {@code put}. */
    private static void chunks(MessageDigest d, int length, Put put) {
        ByteBuffer b = ByteBuffer.allocate(Math.min(length, CHUNK) * 4);
        for (int from = 0; from < length; from += CHUNK) {
            int n = Math.min(CHUNK, length - from);
            b.clear();
            put.put(b, from, n);
            d.update(b.array(), 0, n * 4);
        }
    }
}
