package dev.taskweave.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.SparseRows;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntityCodecTest {
    // 3 users x 4 items, 2 items x 3 users; a numeric item feature stays dense
    static final float[] USER_HISTORY = {0.5f, 0, 0.5f, 0, 0, 0, 0, 0, 0, 1, 0, 0};
    static final float[] ITEM_HISTORY = {0.5f, 0, 0.5f, 0, 1, 0};
    static final List<FeatureSpec> FEATURES = List.of(FeatureSpec.identifier("user_id", Entity.USER, 4),
            FeatureSpec.history("user_history", Entity.USER, 4), FeatureSpec.history("item_history", Entity.ITEM, 3),
            FeatureSpec.numeric("item_year", Entity.ITEM));

    private static EntityTable[] roundTrip(EntityTable users, EntityTable items) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        EntityCodec.write(new DataOutputStream(bytes), users, items, FEATURES);
        return read(bytes.toByteArray());
    }

    private static EntityTable[] read(byte[] bytes) throws IOException {
        return EntityCodec.read(new ByteArrayInputStream(bytes), bytes.length, FEATURES, "entities.bin");
    }

    @Test
    void aDamagedCountIsAnErrorNamingTheFileNotAnAllocation() throws IOException {
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        EntityCodec.write(new DataOutputStream(written), users(true), items(true), FEATURES);
        byte[] bytes = written.toByteArray();
        // the user count follows the 4-byte magic number: negative, then far more than the file holds
        for (int bad : new int[] {-5, Integer.MAX_VALUE}) {
            byte[] damaged = bytes.clone();
            java.nio.ByteBuffer.wrap(damaged).putInt(4, bad);
            IOException e = assertThrows(IOException.class, () -> read(damaged));
            assertEquals("entities.bin: " + bad + " user ids, more than the " + (bytes.length - 8) + " bytes left hold: the file is"
                    + " damaged", e.getMessage());
        }
    }

    private static EntityTable users(boolean sparse) {
        EntityTable.Builder b = EntityTable.builder(Entity.USER, List.of("u0", "u1", "u2")).categorical("user_id", new int[] {1, 2, 3});
        return (sparse ? b.sparse("user_history", SparseRows.fromDense(USER_HISTORY, 4)) : b.dense("user_history", 4, USER_HISTORY)).build();
    }

    private static EntityTable items(boolean sparse) {
        EntityTable.Builder b = EntityTable.builder(Entity.ITEM, List.of("i0", "i1", "i2", "i3")).dense("item_year", 1, new float[] {1, 2, 3, 4});
        float[] history = new float[4 * 3];
        System.arraycopy(ITEM_HISTORY, 0, history, 0, ITEM_HISTORY.length);
        return (sparse ? b.sparse("item_history", SparseRows.fromDense(history, 3)) : b.dense("item_history", 3, history)).build();
    }

    @Test
    void sparseHistoriesAreWrittenAndReadSparsely() throws IOException {
        EntityTable[] read = roundTrip(users(true), items(true));
        assertTrue(read[0].isSparse("user_history"));
        assertEquals(SparseRows.fromDense(USER_HISTORY, 4), read[0].sparse("user_history"));
        assertArrayEquals(new float[] {1, 2, 3, 4}, read[1].dense("item_year"));
        assertEquals(users(true).sparse("user_history"), read[0].sparse("user_history"));
        assertEquals(items(true).sparse("item_history"), read[1].sparse("item_history"));
    }

    @Test
    void aDenseHistoryOfAnEarlierModelIsReadIntoSparseRowsWithTheSameValues() throws IOException {
        EntityTable[] read = roundTrip(users(false), items(false));
        assertTrue(read[0].isSparse("user_history"));
        assertArrayEquals(USER_HISTORY, read[0].sparse("user_history").toDense());
        assertEquals(items(true).sparse("item_history"), read[1].sparse("item_history"));
        assertFalse(read[1].isSparse("item_year"), "a feature that is not a history stays as it was");
        // a damaged dense history (a value that is not finite) is an IOException naming the problem
        float[] broken = USER_HISTORY.clone();
        broken[3] = Float.NaN;
        EntityTable bad = EntityTable.builder(Entity.USER, List.of("u0", "u1", "u2")).categorical("user_id", new int[] {1, 2, 3})
                .dense("user_history", 4, broken).build();
        IOException e = assertThrows(IOException.class, () -> roundTrip(bad, items(false)));
        assertTrue(e.getMessage().startsWith("a history holds a value that is not finite"), e.getMessage());
    }
}
