package dev.taskweave.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DataFingerprintTest {
    @Test
    void chunkedHashingDigestsTheSameBytesAsOneBufferSoStoredFingerprintsStillMatch() throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        for (int n : new int[] {0, 3, (1 << 20) - 1, 1 << 20, (5 << 19) + 7}) {
            float[] floats = new float[n];
            int[] ints = new int[n];
            for (int k = 0; k < n; k++) {
                floats[k] = (float) random.nextGaussian();
                ints[k] = random.nextInt();
            }
            ByteBuffer whole = ByteBuffer.allocate(n * 4);
            whole.asFloatBuffer().put(floats);
            MessageDigest expected = MessageDigest.getInstance("SHA-256");
            expected.update(whole.array());
            MessageDigest actual = MessageDigest.getInstance("SHA-256");
            DataFingerprint.floats(actual, floats);
            assertArrayEquals(expected.digest(), actual.digest(), "floats, n = " + n);

            whole.clear();
            whole.asIntBuffer().put(ints);
            expected.update(whole.array());
            DataFingerprint.ints(actual, ints);
            assertArrayEquals(expected.digest(), actual.digest(), "ints, n = " + n);
        }
    }

    /** Two users, three items, a user history 3 wide stored densely or sparsely, and a train split. */
    private static dev.taskweave.api.data.Dataset data(boolean sparse, float last) {
        java.util.List<dev.taskweave.api.data.FeatureSpec> features = java.util.List.of(
                dev.taskweave.api.data.FeatureSpec.identifier("user_id", dev.taskweave.api.data.Entity.USER, 3),
                dev.taskweave.api.data.FeatureSpec.history("user_history", dev.taskweave.api.data.Entity.USER, 3));
        float[] history = {0.5f, 0, 0.5f, 0, 0, last};
        dev.taskweave.api.data.EntityTable.Builder users = dev.taskweave.api.data.EntityTable.builder(dev.taskweave.api.data.Entity.USER,
                java.util.List.of("u0", "u1")).categorical("user_id", new int[] {1, 2});
        users = sparse ? users.sparse("user_history", dev.taskweave.api.data.SparseRows.fromDense(history, 3))
                : users.dense("user_history", 3, history);
        dev.taskweave.api.data.EntityTable items = dev.taskweave.api.data.EntityTable.builder(dev.taskweave.api.data.Entity.ITEM,
                java.util.List.of("i0", "i1", "i2")).build();
        return new dev.taskweave.api.data.Dataset("d", features, users.build(), items, java.util.Map.of("train",
                new dev.taskweave.api.data.Interactions(new int[] {0, 0, 1}, new int[] {0, 2, 2}, java.util.Map.of())),
                java.util.Map.of(), java.util.Map.of());
    }

    @Test
    void theCurrentFormHashesEntriesWhateverTheStorageAndStillMatchesFingerprintsOfTheFormBefore() throws Exception {
        DataFingerprint dense = DataFingerprint.of(data(false, 1));
        DataFingerprint sparse = DataFingerprint.of(data(true, 1));
        org.junit.jupiter.api.Assertions.assertTrue(dense.value().startsWith("v2:"), dense.value());
        org.junit.jupiter.api.Assertions.assertEquals(3 + 64, dense.value().length());
        org.junit.jupiter.api.Assertions.assertEquals(dense.value(), sparse.value());
        // the history's entries by hand: 2 rows, 3 wide; row 0 holds 2 (columns 0 and 2, 0.5 each),
        // row 1 holds 1 (column 2, 1.0)
        MessageDigest entries = MessageDigest.getInstance("SHA-256");
        ByteBuffer b = ByteBuffer.allocate(48);
        b.putInt(2).putInt(3).putInt(2).putInt(0).putFloat(0.5f).putInt(2).putFloat(0.5f).putInt(1).putInt(2).putFloat(1f);
        entries.update(b.array(), 0, b.position());
        MessageDigest actual = MessageDigest.getInstance("SHA-256");
        DataFingerprint.entries(actual, new float[] {0.5f, 0, 0.5f, 0, 0, 1}, 3);
        assertArrayEquals(entries.digest(), actual.digest());
        // a fingerprint of the form before (the history hashed densely, a bare digest) still matches
        // the same data, from either storage, and not other data
        MessageDigest before = MessageDigest.getInstance("SHA-256");
        before.update("FeatureSpec[name=user_id, entity=USER, kind=CATEGORICAL, size=3, id=true]".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        before.update((byte) 0);
        DataFingerprint.ints(before, new int[] {1, 2});
        before.update("FeatureSpec[name=user_history, entity=USER, kind=MULTI_HOT, size=3, id=false]".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        before.update((byte) 0);
        DataFingerprint.floats(before, new float[] {0.5f, 0, 0.5f, 0, 0, 1});
        for (String id : new String[] {"u0", "u1", "i0", "i1", "i2", "train"}) {
            before.update(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            before.update((byte) 0);
        }
        DataFingerprint.ints(before, new int[] {0, 0, 1});
        DataFingerprint.ints(before, new int[] {0, 2, 2});
        String recorded = java.util.HexFormat.of().formatHex(before.digest());
        org.junit.jupiter.api.Assertions.assertTrue(dense.matches(recorded));
        org.junit.jupiter.api.Assertions.assertTrue(sparse.matches(recorded));
        org.junit.jupiter.api.Assertions.assertEquals(recorded, sparse.inFormOf(recorded));
        org.junit.jupiter.api.Assertions.assertEquals(recorded, sparse.recordedOrCurrent(recorded));
        DataFingerprint other = DataFingerprint.of(data(true, 2));
        org.junit.jupiter.api.Assertions.assertFalse(other.matches(recorded));
        org.junit.jupiter.api.Assertions.assertFalse(other.matches(dense.value()));
        org.junit.jupiter.api.Assertions.assertEquals(other.value(), other.recordedOrCurrent(recorded));
        org.junit.jupiter.api.Assertions.assertTrue(dense.matches(sparse.value()));
        org.junit.jupiter.api.Assertions.assertFalse(dense.matches(null));
        // a zero of either sign is no entry, and an empty row is its count alone, in both storages
        MessageDigest signed = MessageDigest.getInstance("SHA-256");
        DataFingerprint.entries(signed, new float[] {0.5f, -0f, 0.5f, 0, 0, 0}, 3);
        MessageDigest stored = MessageDigest.getInstance("SHA-256");
        DataFingerprint.entries(stored, dev.taskweave.api.data.SparseRows.fromDense(new float[] {0.5f, 0, 0.5f, 0, 0, 0}, 3));
        assertArrayEquals(stored.digest(), signed.digest());
        // the same entries in a table of another width or with another number of empty rows differ
        MessageDigest wider = MessageDigest.getInstance("SHA-256");
        DataFingerprint.entries(wider, new float[] {0.5f, 0, 0.5f, 0, 0, 0, 0, 0}, 4);
        MessageDigest longer = MessageDigest.getInstance("SHA-256");
        DataFingerprint.entries(longer, new float[] {0.5f, 0, 0.5f, 0, 0, 0, 0, 0, 0}, 3);
        MessageDigest same = MessageDigest.getInstance("SHA-256");
        DataFingerprint.entries(same, new float[] {0.5f, 0, 0.5f, 0, 0, 0}, 3);
        byte[] reference = same.digest();
        org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(reference, wider.digest()));
        org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(reference, longer.digest()));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> DataFingerprint.entries(MessageDigest.getInstance("SHA-256"), new float[5], 3));
        // a fingerprint of no form this release knows is not taken for the form before
        org.junit.jupiter.api.Assertions.assertFalse(dense.matches("v3:" + "0".repeat(64)));
        org.junit.jupiter.api.Assertions.assertEquals(dense.value(), dense.inFormOf("v3:" + "0".repeat(64)));
        org.junit.jupiter.api.Assertions.assertEquals("none", DataFingerprint.abbreviated(null));
        org.junit.jupiter.api.Assertions.assertEquals("v2:0123456789ab", DataFingerprint.abbreviated("v2:0123456789abcdef"));
        org.junit.jupiter.api.Assertions.assertEquals("0123456789ab", DataFingerprint.abbreviated("0123456789abcdef"));
    }

    @Test
    void aSparseTableDigestsAsItsDenseFormSoAModelsFingerprintDoesNotDependOnStorage() throws Exception {
        SplittableRandom random = new SplittableRandom(9);
        int rows = 50;
        int width = 37;
        float[] dense = new float[rows * width];
        for (int k = 0; k < dense.length; k++) {
            dense[k] = random.nextInt(6) == 0 ? (float) random.nextGaussian() : 0f; // rows 10..14 left empty below
        }
        java.util.Arrays.fill(dense, 10 * width, 15 * width, 0f);
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        DataFingerprint.floats(expected, dense);
        MessageDigest actual = MessageDigest.getInstance("SHA-256");
        DataFingerprint.floats(actual, dev.taskweave.api.data.SparseRows.fromDense(dense, width));
        assertArrayEquals(expected.digest(), actual.digest());
    }
}
