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

/** A SHA-256 over a dataset's schema, tables and splits, recorded with every trained model. */
public final class DataFingerprint {
    private DataFingerprint() {}

    /** @return the hex digest */
    public static String of(Dataset dataset) {
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
