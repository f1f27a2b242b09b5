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

    /** {@link #data} with a ranking list and an item attribute, as {@code rank} and {@code category} say. */
    private static dev.taskweave.api.data.Dataset ranked(int negative, float category, boolean known) {
        dev.taskweave.api.data.Dataset d = data(true, 1);
        dev.taskweave.api.data.EntityAttribute attribute = new dev.taskweave.api.data.EntityAttribute("item_category",
                dev.taskweave.api.data.Entity.ITEM, dev.taskweave.api.data.EntityAttribute.Kind.CLASS, 2,
                new float[] {1, category, 0}, new boolean[] {true, known, true});
        return new dev.taskweave.api.data.Dataset(d.name(), d.features(), d.users(), d.items(), d.splits(),
                java.util.Map.of("test", new dev.taskweave.api.data.RankingCandidates(new int[] {0}, new int[] {2},
                        new int[][] {{1, negative}})), d.description(), java.util.Map.of("item_category", attribute),
                java.util.Map.of("attribute_test", java.util.Map.of("item_category", new int[] {0})));
    }

    @Test
    void rankingListsAndAttributesAreInTheCurrentFormAndAFingerprintWithoutThemStillMatches() {
        DataFingerprint base = DataFingerprint.of(ranked(0, 1, true));
        org.junit.jupiter.api.Assertions.assertEquals(base.value(), DataFingerprint.of(ranked(0, 1, true)).value());
        // a negative, an attribute's label and whether it is known each make other data (all three
        // were left out: a finished run or a teacher was reused on changed lists or attribute files)
        for (dev.taskweave.api.data.Dataset other : java.util.List.of(ranked(2, 1, true), ranked(0, 0, true), ranked(0, 1, false))) {
            org.junit.jupiter.api.Assertions.assertNotEquals(base.value(), DataFingerprint.of(other).value());
        }
        // a model of the release before recorded the v2 form, which has neither: it matches the same
        // data, and a change to them alone is not seen in that form
        String v2 = base.inFormOf("v2:" + "0".repeat(64));
        org.junit.jupiter.api.Assertions.assertTrue(v2.startsWith("v2:") && v2.length() == 3 + 64, v2);
        org.junit.jupiter.api.Assertions.assertTrue(base.matches(v2));
        org.junit.jupiter.api.Assertions.assertTrue(DataFingerprint.of(ranked(2, 0, false)).matches(v2));
        org.junit.jupiter.api.Assertions.assertFalse(DataFingerprint.of(data(true, 2)).matches(v2));
        org.junit.jupiter.api.Assertions.assertEquals(v2, base.recordedOrCurrent(v2));
    }

    @Test
    void theCurrentFormHashesEntriesWhateverTheStorageAndStillMatchesFingerprintsOfTheFormBefore() throws Exception {
        DataFingerprint dense = DataFingerprint.of(data(false, 1));
        DataFingerprint sparse = DataFingerprint.of(data(true, 1));
        org.junit.jupiter.api.Assertions.assertTrue(dense.value().startsWith("v3:"), dense.value());
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
        // a fingerprint of no form this release knows is not taken for a form before
        org.junit.jupiter.api.Assertions.assertFalse(dense.matches("v9:" + "0".repeat(64)));
        org.junit.jupiter.api.Assertions.assertEquals(dense.value(), dense.inFormOf("v9:" + "0".repeat(64)));
        org.junit.jupiter.api.Assertions.assertEquals("v3:0123456789ab", DataFingerprint.abbreviated("v3:0123456789abcdef"));
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
