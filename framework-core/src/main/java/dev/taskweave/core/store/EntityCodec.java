package dev.taskweave.core.store;

import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureKind;
import dev.taskweave.api.data.FeatureSpec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes the entity tables a model needs ({@code entities.bin}). */
final class EntityCodec {
    private static final int MAGIC = 0x54574531; // "TWE1"

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

    static EntityTable[] read(DataInputStream in, List<FeatureSpec> features, String source) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException(source + " is not a Taskweave entity file");
        }
        EntityTable[] tables = new EntityTable[2];
        Entity[] entities = {Entity.USER, Entity.ITEM};
        for (int e = 0; e < 2; e++) {
            int n = in.readInt();
            List<String> ids = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ids.add(in.readUTF());
            }
            EntityTable.Builder builder = EntityTable.builder(entities[e], ids);
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
                    builder.categorical(name, codes);
                } else {
                    float[] values = new float[in.readInt()];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = in.readFloat();
                    }
                    builder.dense(name, f.size(), values);
                }
            }
            tables[e] = builder.build();
        }
        return tables;
    }
}
