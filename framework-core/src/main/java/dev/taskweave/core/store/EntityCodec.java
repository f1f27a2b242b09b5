package dev.taskweave.core.store;

import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureKind;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.SparseRows;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes the entity tables a model needs ({@code entities.bin}). A feature stored densely
 * is its number of values and the values; one stored sparsely ({@link SparseRows}, histories) is
 * {@link #SPARSE} in that place, then its width, its number of entries, each row's start, and each
 * entry's column and value. Files written before sparse tables existed hold dense ones only; a
 * history among them is read into sparse rows (the same values), so an older model's histories take
 * the memory of their entries too.
 */
final class EntityCodec {
    private static final int MAGIC = 0x54574531; // "TWE1"
    /** In place of a dense feature's number of values: the feature is stored sparsely. */
    private static final int SPARSE = -1;

    private EntityCodec() {}

    static void write(DataOutputStream out, EntityTable users, EntityTable items, List<FeatureSpec> features) throws IOException {
        out.writeInt(MAGIC);
        for (EntityTable table : List.of(users, items)) {
            out.writeInt(table.size());
            for (String id : table.rawIds()) {
                out.writeUTF(id);
            }
            for (FeatureSpec f : features) {
                if (f.entity() != table.entity()) {
                    continue;
                }
                out.writeUTF(f.name());
                if (f.kind() == FeatureKind.CATEGORICAL) {
                    for (int v : table.categorical(f.name())) {
                        out.writeInt(v);
                    }
                } else if (table.isSparse(f.name())) {
                    SparseRows rows = table.sparse(f.name());
                    out.writeInt(SPARSE);
                    out.writeInt(rows.width());
                    out.writeInt(rows.entries());
                    for (int r = 0; r <= rows.rows(); r++) {
                        out.writeInt(rows.start(r));
                    }
                    for (int c : rows.columns()) {
                        out.writeInt(c);
                    }
                    for (float v : rows.values()) {
                        out.writeFloat(v);
                    }
                } else {
                    float[] values = table.dense(f.name());
                    out.writeInt(values.length);
                    for (float v : values) {
                        out.writeFloat(v);
                    }
                }
            }
        }
    }

    /**
     * @param raw    the file's bytes
     * @param length how many there are: a count that more than the bytes left could not hold is an
     *     error naming the file, not an attempt to allocate that many
     */
    static EntityTable[] read(java.io.InputStream raw, long length, List<FeatureSpec> features, String source) throws IOException {
        Counted counted = new Counted(raw, length);
        return read(new DataInputStream(counted), counted, features, source);
    }

    /** Counts the bytes read, to know how many are left. */
    private static final class Counted extends java.io.FilterInputStream {
        private final long length;
        private long read;

        Counted(java.io.InputStream in, long length) {
            super(in);
            this.length = length;
        }

        long left() {
            return length - read;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                read++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int count) throws IOException {
            int n = super.read(buffer, offset, count);
            if (n > 0) {
                read += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            read += skipped;
            return skipped;
        }
    }

    private static EntityTable[] read(DataInputStream in, Counted counted, List<FeatureSpec> features, String source) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException(source + " is not a Taskweave entity file");
        }
        EntityTable[] tables = new EntityTable[2];
        Entity[] entities = {Entity.USER, Entity.ITEM};
        for (int e = 0; e < 2; e++) {
            int n = count(in, counted, 2, entities[e].name().toLowerCase(java.util.Locale.ROOT) + " ids", source);
            List<String> ids = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ids.add(in.readUTF());
            }
            EntityTable.Builder builder;
            try {
                builder = EntityTable.builder(entities[e], ids);
            } catch (IllegalArgumentException damaged) {
                throw new IOException(source + ": " + damaged.getMessage(), damaged);
            }
            for (FeatureSpec f : features) {
                if (f.entity() != entities[e]) {
                    continue;
                }
                String name = in.readUTF();
                if (!name.equals(f.name())) {
                    throw new IOException(source + ": expected feature " + f.name() + ", found " + name);
                }
                if (f.kind() == FeatureKind.CATEGORICAL) {
                    int[] codes = new int[n];
                    for (int i = 0; i < n; i++) {
                        codes[i] = in.readInt();
                    }
                    try {
                        builder.categorical(name, codes);
                    } catch (IllegalArgumentException damaged) {
                        throw new IOException(source + ": feature " + name + ": " + damaged.getMessage(), damaged);
                    }
                } else {
                    int length = in.readInt();
                    if (length == SPARSE) {
                        builder.sparse(name, readSparse(in, counted, n, f, source));
                        continue;
                    }
                    if (f.fromInteractions() && f.size() > 0 && length == (long) n * f.size()) {
                        // a history a model of an earlier release stored densely: read into sparse rows
                        builder.sparse(name, readDenseAsSparse(in, n, f.size()));
                        continue;
                    }
                    if (length < 0 || (long) length * Float.BYTES > counted.left()) {
                        throw new IOException(source + ": feature " + name + " is stored with " + length + " values, more than the "
                                + counted.left() + " bytes left hold: the file is damaged");
                    }
                    float[] values = new float[length];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = in.readFloat();
                    }
                    try {
                        builder.dense(name, f.size(), values);
                    } catch (IllegalArgumentException damaged) {
                        throw new IOException(source + ": feature " + name + ": " + damaged.getMessage(), damaged);
                    }
                }
            }
            try {
                tables[e] = builder.build();
            } catch (IllegalArgumentException damaged) {
                throw new IOException(source + ": " + damaged.getMessage(), damaged);
            }
        }
        return tables;
    }

    /** Reads {@code rows x width} floats row by row, keeping the non-zero ones: a dense history takes its entries' memory only. */
    private static SparseRows readDenseAsSparse(DataInputStream in, int rows, int width) throws IOException {
        int[] starts = new int[rows + 1];
        int[] columns = new int[1024];
        float[] values = new float[1024];
        int n = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < width; c++) {
                float v = in.readFloat();
                if (v != 0f) {
                    if (n == columns.length) {
                        columns = java.util.Arrays.copyOf(columns, n * 2);
                        values = java.util.Arrays.copyOf(values, n * 2);
                    }
                    columns[n] = c;
                    values[n++] = v;
                }
            }
            starts[r + 1] = n;
        }
        try {
            return SparseRows.of(width, starts, java.util.Arrays.copyOf(columns, n), java.util.Arrays.copyOf(values, n));
        } catch (IllegalArgumentException e) {
            throw new IOException("a history holds a value that is not finite: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a count of things each at least {@code bytesEach} long: a negative one, or one the rest
     * of the file cannot hold (a damaged file, read unchecked when its model predates checksums),
     * is an error naming the file rather than an exception from allocating that many.
     */
    private static int count(DataInputStream in, Counted counted, int bytesEach, String what, String source) throws IOException {
        int n = in.readInt();
        if (n < 0 || (long) n * bytesEach > counted.left()) {
            throw new IOException(source + ": " + n + " " + what + ", more than the " + counted.left() + " bytes left hold: the file"
                    + " is damaged");
        }
        return n;
    }

    private static SparseRows readSparse(DataInputStream in, Counted counted, int rows, FeatureSpec f, String source) throws IOException {
        int width = in.readInt();
        int entries = in.readInt();
        if (entries < 0 || (long) entries * 8 > counted.left()) {
            throw new IOException(source + ": feature " + f.name() + " is stored with " + entries + " entries, more than the "
                    + counted.left() + " bytes left hold: the file is damaged");
        }
        if (width != f.size()) {
            throw new IOException(source + ": feature " + f.name() + " is stored " + width + " wide with " + entries
                    + " entries; the model expects " + f.size() + " wide");
        }
        int[] starts = new int[rows + 1];
        for (int r = 0; r <= rows; r++) {
            starts[r] = in.readInt();
        }
        int[] columns = new int[entries];
        for (int k = 0; k < entries; k++) {
            columns[k] = in.readInt();
        }
        float[] values = new float[entries];
        for (int k = 0; k < entries; k++) {
            values[k] = in.readFloat();
        }
        try {
            return SparseRows.of(width, starts, columns, values);
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": feature " + f.name() + ": " + e.getMessage(), e);
        }
    }
}
