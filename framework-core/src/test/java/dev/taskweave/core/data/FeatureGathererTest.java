package dev.taskweave.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.SparseRows;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FeatureGathererTest {
    static final List<FeatureSpec> FEATURES = List.of(
            FeatureSpec.identifier("user_id", Entity.USER, 3),
            FeatureSpec.identifier("item_id", Entity.ITEM, 3),
            FeatureSpec.categorical("item_kind", Entity.ITEM, 4),
            FeatureSpec.multiHot("item_genres", Entity.ITEM, 2));

    static final EntityTable USERS = EntityTable.builder(Entity.USER, List.of("u0", "u1"))
            .categorical("user_id", new int[] {1, 2}).build();
    /** u0 rated both items, u1 only i0 (a history's columns are the items). */
    static final EntityTable USERS_WITH_HISTORY = EntityTable.builder(Entity.USER, List.of("u0", "u1"))
            .categorical("user_id", new int[] {1, 2})
            .dense("user_history", 2, new float[] {0.7f, 0.7f, 1, 0})
            .build();
    static final EntityTable ITEMS = EntityTable.builder(Entity.ITEM, List.of("i0", "i1"))
            .categorical("item_id", new int[] {1, 2})
            .categorical("item_kind", new int[] {3, 2})
            .dense("item_genres", 2, new float[] {1, 0, 1, 1})
            .build();

    @Test
    void anAttributeLabelIsHiddenOnlyOnTheAttributeRowsThatPredictIt() {
        // rows: (u0, i1) an interaction, (-1, i0) an item-attribute row, (u1, -1) a user-attribute row
        int[] users = {0, -1, 1};
        int[] items = {1, 0, -1};
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList hidden = new FeatureGatherer(FEATURES, USERS, ITEMS, Set.of("item_genres", "item_kind"))
                    .gather(manager, users, items, null, 0, 3, 0, null);
            assertArrayEquals(new int[] {1, 0, 2}, hidden.get(0).toIntArray());
            assertArrayEquals(new int[] {2, 1, 0}, hidden.get(1).toIntArray(), "the id stays: it is not a label");
            assertArrayEquals(new int[] {2, 0, 0}, hidden.get(2).toIntArray());
            assertArrayEquals(new float[] {1, 1, 0, 0, 0, 0}, hidden.get(3).toFloatArray());

            // feature dropout hides a feature on about the given share of training rows, never in evaluation
            int n = 4000;
            int[] many = new int[n];
            int[] manyItems = new int[n];
            java.util.Arrays.fill(manyItems, 1);
            FeatureGatherer dropping = new FeatureGatherer(FEATURES, USERS, ITEMS).withDropout(java.util.Map.of("item_kind", 0.25));
            int[] kinds = dropping.gather(manager, many, manyItems, null, 0, n, 0, new java.util.SplittableRandom(3)).get(2).toIntArray();
            long dropped = java.util.Arrays.stream(kinds).filter(k -> k == 0).count();
            org.junit.jupiter.api.Assertions.assertEquals(1000, dropped, 90);
            org.junit.jupiter.api.Assertions.assertTrue(java.util.Arrays.stream(kinds).allMatch(k -> k == 0 || k == 2));
            int[] evaluated = dropping.gather(manager, many, manyItems, null, 0, n, 0, null).get(2).toIntArray();
            org.junit.jupiter.api.Assertions.assertTrue(java.util.Arrays.stream(evaluated).allMatch(k -> k == 2));

            NDList plain = new FeatureGatherer(FEATURES, USERS, ITEMS).gather(manager, users, items, null, 0, 3, 0, null);
            assertArrayEquals(new int[] {2, 3, 0}, plain.get(2).toIntArray());
            assertArrayEquals(new float[] {1, 1, 1, 0, 0, 0}, plain.get(3).toFloatArray());
        }
    }

    @Test
    void featureDropoutSparesRowsWhoseIdIsUnknownSoTheColdPathAlwaysSeesSideFeatures() {
        // item i1 has no id (a cold item): its kind is never dropped; i0's id is dropped on about
        // half of the rows by id dropout, and those rows keep their kind too
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0", "i1"))
                .categorical("item_id", new int[] {1, 0})
                .categorical("item_kind", new int[] {3, 2})
                .dense("item_genres", 2, new float[] {1, 0, 1, 1})
                .build();
        int n = 4000;
        int[] users = new int[n];
        int[] itemRows = new int[n];
        for (int i = 0; i < n; i++) {
            itemRows[i] = i % 2;
        }
        FeatureGatherer dropping = new FeatureGatherer(FEATURES, USERS, items)
                .withDropout(java.util.Map.of("item_kind", 0.5, "item_genres", 0.5));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList out = dropping.gather(manager, users, itemRows, null, 0, n, 0.5, new java.util.SplittableRandom(11));
            int[] ids = out.get(1).toIntArray();
            int[] kinds = out.get(2).toIntArray();
            float[] genres = out.get(3).toFloatArray();
            int keptId = 0;
            int keptIdKindDropped = 0;
            int keptIdGenresDropped = 0;
            for (int i = 0; i < n; i++) {
                if (ids[i] == 0) {
                    org.junit.jupiter.api.Assertions.assertEquals(itemRows[i] == 0 ? 3 : 2, kinds[i], "row " + i);
                    org.junit.jupiter.api.Assertions.assertEquals(1f, genres[2 * i], "row " + i);
                } else {
                    keptId++;
                    keptIdKindDropped += kinds[i] == 0 ? 1 : 0;
                    keptIdGenresDropped += genres[2 * i] == 0 ? 1 : 0;
                }
            }
            // i0's id survives id dropout on about half of its 2,000 rows; half of those lose each side feature
            org.junit.jupiter.api.Assertions.assertEquals(1000, keptId, 90);
            org.junit.jupiter.api.Assertions.assertEquals(keptId / 2.0, keptIdKindDropped, 70);
            org.junit.jupiter.api.Assertions.assertEquals(keptId / 2.0, keptIdGenresDropped, 70);
        }
    }

    @Test
    void aFeatureDerivedFromInteractionsIsHiddenWhereverTheIdIs() {
        List<FeatureSpec> features = List.of(
                FeatureSpec.identifier("item_id", Entity.ITEM, 3),
                FeatureSpec.history("item_history", Entity.ITEM, 2),
                FeatureSpec.multiHot("item_genres", Entity.ITEM, 2));
        // i1 has no id: a cold item has no history either (its vector is zero in the table anyway)
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0", "i1"))
                .categorical("item_id", new int[] {1, 0})
                .dense("item_history", 2, new float[] {0.5f, 0.5f, 0, 0})
                .dense("item_genres", 2, new float[] {1, 0, 0, 1})
                .build();
        int n = 2000;
        int[] users = new int[n];
        int[] itemRows = new int[n];
        FeatureGatherer gatherer = new FeatureGatherer(features, USERS, items);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList out = gatherer.gather(manager, users, itemRows, null, 0, n, 0.3, new java.util.SplittableRandom(5));
            int[] ids = out.get(0).toIntArray();
            float[] history = out.get(1).toFloatArray();
            float[] genres = out.get(2).toFloatArray();
            int droppedIds = 0;
            for (int i = 0; i < n; i++) {
                boolean known = ids[i] != 0;
                droppedIds += known ? 0 : 1;
                // column 1 (user u1); column 0 is the row's own user, never part of the history it reads
                org.junit.jupiter.api.Assertions.assertEquals(known ? 0.5f : 0f, history[2 * i + 1], "row " + i);
                org.junit.jupiter.api.Assertions.assertEquals(0f, history[2 * i], "row " + i);
                org.junit.jupiter.api.Assertions.assertEquals(1f, genres[2 * i], "side features stay, row " + i);
            }
            org.junit.jupiter.api.Assertions.assertEquals(600, droppedIds, 70);
            // outside training nothing is dropped
            float[] evaluated = gatherer.gather(manager, users, itemRows, null, 0, n, 0, null).get(1).toFloatArray();
            org.junit.jupiter.api.Assertions.assertTrue(evaluated[1] == 0.5f && evaluated[2 * n - 1] == 0.5f);
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new FeatureSpec("f", Entity.USER, dev.taskweave.api.data.FeatureKind.CATEGORICAL, 3, true, List.of(), true));

        // a categorical feature derived from interactions (the last item rated, say) follows the id too
        List<FeatureSpec> categorical = List.of(FeatureSpec.identifier("item_id", Entity.ITEM, 3),
                new FeatureSpec("item_last_rater", Entity.ITEM, dev.taskweave.api.data.FeatureKind.CATEGORICAL, 5, false, List.of(), true));
        EntityTable lastRater = EntityTable.builder(Entity.ITEM, List.of("i0", "i1"))
                .categorical("item_id", new int[] {1, 0})
                .categorical("item_last_rater", new int[] {4, 3})
                .build();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList out = new FeatureGatherer(categorical, USERS, lastRater).gather(manager, new int[] {0, 0}, new int[] {0, 1}, null, 0, 2, 0, null);
            assertArrayEquals(new int[] {4, 0}, out.get(1).toIntArray(), "i1 has no id, so no last rater");
        }
    }

    @Test
    void aMomentThatSetsAnItemSideFeatureIsToldFromOneThatSetsTheUsers() {
        // per-interaction features of both sides: a request's context may set either
        List<FeatureSpec> features = List.of(
                FeatureSpec.identifier("user_id", Entity.USER, 3),
                FeatureSpec.identifier("item_id", Entity.ITEM, 3),
                new FeatureSpec("user_device", Entity.USER, dev.taskweave.api.data.FeatureKind.CATEGORICAL, 3, false, List.of(), false, null, true),
                new FeatureSpec("item_slot", Entity.ITEM, dev.taskweave.api.data.FeatureKind.CATEGORICAL, 4, false, List.of(), false, null, true));
        EntityTable users = EntityTable.builder(Entity.USER, List.of("u0", "u1"))
                .categorical("user_id", new int[] {1, 2}).categorical("user_device", new int[] {1, 2}).build();
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0", "i1"))
                .categorical("item_id", new int[] {1, 2}).categorical("item_slot", new int[] {1, 3}).build();
        FeatureGatherer gatherer = new FeatureGatherer(features, users, items);
        org.junit.jupiter.api.Assertions.assertFalse(gatherer.momentSetsItemFeatures());
        org.junit.jupiter.api.Assertions.assertFalse(gatherer.atMoment(java.util.Map.of("user_device", 2f)).momentSetsItemFeatures());
        FeatureGatherer slot = gatherer.atMoment(java.util.Map.of("item_slot", 2f));
        org.junit.jupiter.api.Assertions.assertTrue(slot.momentSetsItemFeatures());
        try (NDManager manager = NDManager.newBaseManager()) {
            // every item reads the moment's value in place of its own: what a cache of the items' own values cannot hold
            assertArrayEquals(new int[] {2, 2}, slot.gather(manager, new int[] {0, 0}, new int[] {0, 1}, null, 0, 2, 0, null).get(3).toIntArray());
        }
    }

    @Test
    void anIdHiddenOnAttributeRowsKeepsTheEntitysHistoryThere() {
        List<FeatureSpec> features = List.of(
                FeatureSpec.identifier("user_id", Entity.USER, 3),
                FeatureSpec.identifier("item_id", Entity.ITEM, 3),
                FeatureSpec.history("item_history", Entity.ITEM, 2));
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0", "i1"))
                .categorical("item_id", new int[] {1, 2})
                .dense("item_history", 2, new float[] {0.5f, 0.5f, 0, 1})
                .build();
        // (u0, i1) an interaction, (-1, i0) an item-attribute row
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList out = new FeatureGatherer(features, USERS, items, Set.of("item_id"))
                    .gather(manager, new int[] {0, -1}, new int[] {1, 0}, null, 0, 2, 0, null);
            assertArrayEquals(new int[] {2, 0}, out.get(1).toIntArray(), "the id is hidden on the attribute row");
            assertArrayEquals(new float[] {0, 1, 0.5f, 0.5f}, out.get(2).toFloatArray(), "the history is not");
        }
    }

    @Test
    void gatheringIntoReusedMemoryGivesWhatFreshMemoryGives() {
        List<FeatureSpec> features = List.of(
                FeatureSpec.identifier("user_id", Entity.USER, 3),
                FeatureSpec.identifier("item_id", Entity.ITEM, 3),
                FeatureSpec.history("user_history", Entity.USER, 2),
                FeatureSpec.multiHot("item_genres", Entity.ITEM, 2));
        FeatureGatherer gatherer = new FeatureGatherer(features, USERS_WITH_HISTORY, ITEMS, Set.of("item_genres"));
        FeatureGatherer.Scratch scratch = gatherer.newScratch();
        try (NDManager manager = NDManager.newBaseManager()) {
            // three batches into the same memory: every row set, then rows left out where the last
            // batch had values (an attribute row, a row without a user), then a shorter batch
            // (a user's history reads without the row's own item)
            int[][] userBatches = {{1, 1, 0}, {-1, 0, 1}, {0}};
            int[][] itemBatches = {{1, 1, 0}, {1, -1, 1}, {0}};
            float[][] expectedHistory = {{1, 0, 1, 0, 0, 0.7f}, {0, 0, 0.7f, 0.7f, 1, 0}, {0, 0.7f}};
            float[][] expectedGenres = {{1, 1, 1, 1, 1, 0}, {0, 0, 0, 0, 1, 1}, {1, 0}};
            for (int k = 0; k < userBatches.length; k++) {
                int n = userBatches[k].length;
                float[][] reused = new float[2][];
                try (NDManager batch = manager.newSubManager()) {
                    NDList out = gatherer.gather(batch, userBatches[k], itemBatches[k], null, 0, n, 0, null, scratch);
                    reused[0] = out.get(2).toFloatArray();
                    reused[1] = out.get(3).toFloatArray();
                }
                NDList fresh = gatherer.gather(manager, userBatches[k], itemBatches[k], null, 0, n, 0, null);
                assertArrayEquals(expectedHistory[k], fresh.get(2).toFloatArray(), "batch " + k);
                assertArrayEquals(expectedGenres[k], fresh.get(3).toFloatArray(), "batch " + k);
                assertArrayEquals(expectedHistory[k], reused[0], "batch " + k + ", reused memory");
                assertArrayEquals(expectedGenres[k], reused[1], "batch " + k + ", reused memory");
            }
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> new FeatureGatherer(FEATURES, USERS, ITEMS).gather(manager, new int[] {0}, new int[] {0}, null, 0, 1, 0, null,
                            new FeatureGatherer(List.of(FEATURES.get(0)), USERS, ITEMS).newScratch()));
            org.junit.jupiter.api.Assertions.assertEquals("scratch for 1 features, this gatherer has 4", e.getMessage());
        }
    }

    @Test
    void scratchGivenBackIsLentAgainByTheGathererAndThoseDerivedFromIt() {
        FeatureGatherer gatherer = new FeatureGatherer(FEATURES, USERS, ITEMS);
        FeatureGatherer.Scratch first = gatherer.borrowScratch();
        FeatureGatherer.Scratch second = gatherer.borrowScratch();
        org.junit.jupiter.api.Assertions.assertNotSame(first, second, "one per scorer running at once");
        gatherer.releaseScratch(first);
        // a request's own gatherer (another moment, users read as unknown) reads the same features: it shares the memory
        org.junit.jupiter.api.Assertions.assertSame(first, gatherer.asUnknownUsers().borrowScratch());
        gatherer.asUnknownUsers().releaseScratch(second);
        org.junit.jupiter.api.Assertions.assertSame(second, gatherer.borrowScratch());
        // another gatherer of its own does not
        FeatureGatherer other = new FeatureGatherer(FEATURES, USERS, ITEMS);
        other.releaseScratch(other.borrowScratch());
        org.junit.jupiter.api.Assertions.assertNotSame(second, other.borrowScratch());
        // scratch of other features, or holding more than the limit, is not kept
        gatherer.releaseScratch(new FeatureGatherer(List.of(FEATURES.get(0)), USERS, ITEMS).newScratch());
        FeatureGatherer.Scratch large = gatherer.newScratch();
        large.take(0, (int) FeatureGatherer.RETAINED_SCRATCH_BYTES + 4);
        gatherer.releaseScratch(large);
        FeatureGatherer.Scratch lent = gatherer.borrowScratch();
        org.junit.jupiter.api.Assertions.assertNotSame(large, lent);
        assertEquals(0, lent.bytes(), "a new one");
    }

    @Test
    void aHistoryNeverHoldsTheRowsOwnInteraction() {
        // on the row (u, i) the user's history reads without i and the item's without u: a training
        // row would otherwise always find itself in both (a positive is in the user's history, a
        // sampled negative never is; a test pair never is), which the model learns to read
        List<FeatureSpec> features = List.of(
                FeatureSpec.identifier("user_id", Entity.USER, 3),
                FeatureSpec.identifier("item_id", Entity.ITEM, 3),
                FeatureSpec.history("user_history", Entity.USER, 2),
                FeatureSpec.history("item_history", Entity.ITEM, 2));
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0", "i1"))
                .categorical("item_id", new int[] {1, 2})
                .dense("item_history", 2, new float[] {0.7f, 0.7f, 0, 1})
                .build();
        // (u0, i0), (u0, i1), (u1, i1), and the attribute rows (-1, i0) and (u0, -1)
        int[] userRows = {0, 0, 1, -1, 0};
        int[] itemRows = {0, 1, 1, 0, -1};
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList out = new FeatureGatherer(features, USERS_WITH_HISTORY, items).gather(manager, userRows, itemRows, null, 0, 5, 0, null);
            assertArrayEquals(new float[] {0, 0.7f, 0.7f, 0, 1, 0, 0, 0, 0.7f, 0.7f}, out.get(2).toFloatArray());
            assertArrayEquals(new float[] {0, 0.7f, 0, 1, 0, 0, 0.7f, 0.7f, 0, 0}, out.get(3).toFloatArray());
        }
        // the columns of a history are the other side's entities
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new FeatureGatherer(List.of(FeatureSpec.history("user_history", Entity.USER, 3)),
                        EntityTable.builder(Entity.USER, List.of("u0")).dense("user_history", 3, new float[] {1, 0, 0}).build(), items));
        org.junit.jupiter.api.Assertions.assertEquals("feature user_history: a history of the user has one column per item (2), got width 3",
                e.getMessage());
    }

    @Test
    void aHistoryWithADeclaredScaleReadsWithoutTheRowsOwnInteractionAsIfBuiltWithoutIt() {
        // u0 rated i0, i1, i2 (centred ratings 1, -1, 2), u1 rated i1 only (1); a training row holds
        // its own interaction, which it reads without, and a test pair or a sampled negative reads
        // the whole history: the rest of a training row's history is scaled to the other n - 1
        // interactions, as those rows see a history of n
        int[] u = {0, 0, 0, 1};
        int[] i = {0, 1, 2, 1};
        float[] centred = {1, -1, 2, 1};
        dev.taskweave.api.data.Interactions train = new dev.taskweave.api.data.Interactions(u, i, java.util.Map.of());
        dev.taskweave.api.data.Histories.Scale mean = dev.taskweave.api.data.Histories.Scale.MEAN;
        dev.taskweave.api.data.Histories.Scale root = dev.taskweave.api.data.Histories.Scale.ROOT;
        List<FeatureSpec> features = List.of(FeatureSpec.identifier("user_id", Entity.USER, 3),
                FeatureSpec.identifier("item_id", Entity.ITEM, 5),
                FeatureSpec.history("user_history", Entity.USER, 4, root),
                FeatureSpec.history("item_history", Entity.ITEM, 2, mean));
        EntityTable users = EntityTable.builder(Entity.USER, List.of("u0", "u1")).categorical("user_id", new int[] {1, 2})
                .dense("user_history", 4, dev.taskweave.api.data.Histories.of(train, Entity.USER, 2, 4, centred, root)).build();
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0", "i1", "i2", "i3")).categorical("item_id", new int[] {1, 2, 3, 4})
                .dense("item_history", 2, dev.taskweave.api.data.Histories.of(train, Entity.ITEM, 2, 4, null, mean)).build();
        // (u0, i2) and (u1, i1) are training pairs, (u0, i3) a negative, (u1, i0) a test pair, (u0, -1) an attribute row
        int[] userRows = {0, 1, 0, 1, 0};
        int[] itemRows = {2, 1, 3, 0, -1};
        float r2 = (float) Math.sqrt(2);
        float r3 = (float) Math.sqrt(3);
        float[] userHistory = {
            1 / r2, -1 / r2, 0, 0, // (u0, i2): ratings 1 and -1 of the other two, over sqrt(2) (stored over sqrt(3))
            0, 0, 0, 0, // (u1, i1): u1 has no other rating
            1 / r3, -1 / r3, 2 / r3, 0, // (u0, i3): as stored
            0, 1, 0, 0, // (u1, i0): as stored
            1 / r3, -1 / r3, 2 / r3, 0}; // (u0, -1): as stored
        float[] itemHistory = {
            0, 0, // (u0, i2): i2 was rated by u0 only
            1, 0, // (u1, i1): u0 alone, a mean of one (stored 1/2)
            0, 0, // (u0, i3): nobody rated i3
            1, 0, // (u1, i0): as stored
            0, 0}; // (u0, -1)
        FeatureGatherer stored = new FeatureGatherer(features, users, items);
        EntityTable sparseUsers = EntityTable.builder(Entity.USER, List.of("u0", "u1")).categorical("user_id", new int[] {1, 2})
                .sparse("user_history", dev.taskweave.api.data.Histories.sparse(train, Entity.USER, 2, 4, centred, root)).build();
        EntityTable sparseItems = EntityTable.builder(Entity.ITEM, List.of("i0", "i1", "i2", "i3")).categorical("item_id", new int[] {1, 2, 3, 4})
                .sparse("item_history", dev.taskweave.api.data.Histories.sparse(train, Entity.ITEM, 2, 4, null, mean)).build();
        FeatureGatherer sparse = new FeatureGatherer(features, sparseUsers, sparseItems);
        // withSparseHistoryWidth sets the width on the gatherer it is called on: a gatherer of its own each
        List<FeatureGatherer> gatherers = List.of(stored, sparse,
                new FeatureGatherer(features, users, items).withSparseHistoryWidth(1),
                new FeatureGatherer(features, sparseUsers, sparseItems).withSparseHistoryWidth(1));
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int k = 0; k < 6; k++) {
                FeatureGatherer g = gatherers.get(k % 4);
                // the first two again into memory that holds another batch before (a scratch)
                boolean reused = k >= 4;
                FeatureGatherer.Scratch scratch = reused ? g.newScratch() : null;
                if (reused) {
                    g.gather(manager, new int[] {1, 0, 1, 1, 0}, new int[] {0, 3, 2, 1, 1}, null, 0, 5, 0, null, scratch).close();
                }
                NDList out = g.gather(manager, userRows, itemRows, null, 0, 5, 0, null, scratch);
                NDArray user = out.get(2).getSparseFormat() == ai.djl.ndarray.types.SparseFormat.COO ? out.get(2).toDense() : out.get(2);
                NDArray item = out.get(3).getSparseFormat() == ai.djl.ndarray.types.SparseFormat.COO ? out.get(3).toDense() : out.get(3);
                assertArrayEquals(userHistory, user.toFloatArray(), 1e-6f);
                assertArrayEquals(itemHistory, item.toFloatArray(), 1e-6f);
            }
        }
        // (u0, i2)'s user history is the one built from the interactions without it
        float[] without = dev.taskweave.api.data.Histories.of(new dev.taskweave.api.data.Interactions(new int[] {0, 0, 1},
                new int[] {0, 1, 1}, java.util.Map.of()), Entity.USER, 2, 4, new float[] {1, -1, 1}, root);
        assertArrayEquals(java.util.Arrays.copyOfRange(without, 0, 4), java.util.Arrays.copyOfRange(userHistory, 0, 4), 1e-6f);
        // without a declared scale, the rest reads as stored (model files written before it existed)
        List<FeatureSpec> undeclared = List.of(features.get(0), features.get(1), FeatureSpec.history("user_history", Entity.USER, 4),
                FeatureSpec.history("item_history", Entity.ITEM, 2));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList out = new FeatureGatherer(undeclared, users, items).gather(manager, userRows, itemRows, null, 0, 1, 0, null);
            assertArrayEquals(new float[] {1 / r3, -1 / r3, 0, 0}, out.get(2).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void aHistoryStoredSparselyGathersExactlyAsItsDenseForm() {
        // 30 users x 20 items with seeded histories (some rows empty), both sides; every path of
        // gathering at once: feature dropout, history entry dropout, the row's own interaction left
        // out, unknown ids, attribute rows, rows out of order, and memory reused between batches
        java.util.SplittableRandom data = new java.util.SplittableRandom(17);
        int users = 30;
        int items = 20;
        int n = 400;
        int[] u = new int[n];
        int[] i = new int[n];
        for (int k = 0; k < n; k++) {
            u[k] = data.nextInt(users - 4);
            i[k] = data.nextInt(items);
        }
        dev.taskweave.api.data.Interactions train = new dev.taskweave.api.data.Interactions(u, i, java.util.Map.of());
        List<FeatureSpec> features = List.of(FeatureSpec.identifier("user_id", Entity.USER, users + 1),
                FeatureSpec.identifier("item_id", Entity.ITEM, items + 1),
                // the sources' histories: declared, so that a training row's is rescaled without its own entry
                FeatureSpec.history("user_history", Entity.USER, items, dev.taskweave.api.data.Histories.Scale.MEAN),
                FeatureSpec.history("item_history", Entity.ITEM, users, dev.taskweave.api.data.Histories.Scale.MEAN));
        List<String> userIds = java.util.stream.IntStream.range(0, users).mapToObj(k -> "u" + k).toList();
        List<String> itemIds = java.util.stream.IntStream.range(0, items).mapToObj(k -> "i" + k).toList();
        int[] userCodes = java.util.stream.IntStream.range(0, users).map(k -> k < users - 2 ? k + 1 : 0).toArray(); // 2 unknown
        int[] itemCodes = java.util.stream.IntStream.range(0, items).map(k -> k + 1).toArray();
        dev.taskweave.api.data.Histories.Scale mean = dev.taskweave.api.data.Histories.Scale.MEAN;
        EntityTable denseUsers = EntityTable.builder(Entity.USER, userIds).categorical("user_id", userCodes)
                .dense("user_history", items, dev.taskweave.api.data.Histories.of(train, Entity.USER, users, items, null, mean)).build();
        EntityTable denseItems = EntityTable.builder(Entity.ITEM, itemIds).categorical("item_id", itemCodes)
                .dense("item_history", users, dev.taskweave.api.data.Histories.of(train, Entity.ITEM, users, items, null, mean)).build();
        EntityTable sparseUsers = EntityTable.builder(Entity.USER, userIds).categorical("user_id", userCodes)
                .sparse("user_history", dev.taskweave.api.data.Histories.sparse(train, Entity.USER, users, items, null, mean)).build();
        EntityTable sparseItems = EntityTable.builder(Entity.ITEM, itemIds).categorical("item_id", itemCodes)
                .sparse("item_history", dev.taskweave.api.data.Histories.sparse(train, Entity.ITEM, users, items, null, mean)).build();
        java.util.Map<String, Double> drop = java.util.Map.of("user_history", 0.2, "item_history", 0.1);
        FeatureGatherer dense = new FeatureGatherer(features, denseUsers, denseItems).withDropout(drop).withHistoryDropout(drop);
        FeatureGatherer sparse = new FeatureGatherer(features, sparseUsers, sparseItems).withDropout(drop).withHistoryDropout(drop);
        // and gathered into sparse arrays (every history, whatever its width), from either storage
        FeatureGatherer sparseArrays = new FeatureGatherer(features, sparseUsers, sparseItems).withSparseHistoryWidth(1)
                .withDropout(drop).withHistoryDropout(drop);
        FeatureGatherer denseToSparseArrays = new FeatureGatherer(features, denseUsers, denseItems).withSparseHistoryWidth(1)
                .withDropout(drop);
        int rows = 300;
        int[] userRows = new int[rows];
        int[] itemRows = new int[rows];
        for (int r = 0; r < rows; r++) {
            userRows[r] = r % 23 == 0 ? -1 : data.nextInt(users);
            itemRows[r] = r % 29 == 0 ? -1 : r % 3 == 0 ? i[data.nextInt(n)] : data.nextInt(items);
            if (r % 3 == 0 && userRows[r] >= 0) {
                int k = data.nextInt(n); // a training pair: its own interaction is in both histories
                userRows[r] = u[k];
                itemRows[r] = i[k];
            }
        }
        int[] order = java.util.stream.IntStream.range(0, rows).map(r -> (r * 7) % rows).toArray();
        FeatureGatherer.Scratch denseScratch = dense.newScratch();
        FeatureGatherer.Scratch sparseScratch = sparse.newScratch();
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int from = 0; from < rows; from += 64) {
                int b = Math.min(64, rows - from);
                for (boolean training : new boolean[] {true, false}) {
                    try (NDManager batch = manager.newSubManager()) {
                        NDList a = dense.gather(batch, userRows, itemRows, order, from, from + b, training ? 0.1 : 0,
                                training ? new java.util.SplittableRandom(from) : null, denseScratch);
                        NDList c = sparse.gather(batch, userRows, itemRows, order, from, from + b, training ? 0.1 : 0,
                                training ? new java.util.SplittableRandom(from) : null, sparseScratch);
                        NDList d = sparseArrays.gather(batch, userRows, itemRows, order, from, from + b, training ? 0.1 : 0,
                                training ? new java.util.SplittableRandom(from) : null, sparseScratch);
                        for (int f = 0; f < features.size(); f++) {
                            if (f < 2) {
                                assertArrayEquals(a.get(f).toIntArray(), c.get(f).toIntArray(), "feature " + f + " from row " + from);
                                assertArrayEquals(a.get(f).toIntArray(), d.get(f).toIntArray(), "feature " + f + " from row " + from);
                            } else {
                                assertArrayEquals(a.get(f).toFloatArray(), c.get(f).toFloatArray(), "feature " + f + " from row " + from);
                                assertEquals(ai.djl.ndarray.types.SparseFormat.COO, d.get(f).getSparseFormat());
                                assertEquals(a.get(f).getShape(), d.get(f).getShape());
                                assertArrayEquals(a.get(f).toFloatArray(), d.get(f).toDense().toFloatArray(),
                                        "feature " + f + " from row " + from + ", sparse array");
                            }
                        }
                        // read as users (or items) the model does not know: their histories are not read, either way
                        NDList[] unknown = {dense.asUnknownUsers().gather(batch, userRows, itemRows, order, from, from + b, 0, null),
                                sparseArrays.asUnknownUsers().gather(batch, userRows, itemRows, order, from, from + b, 0, null),
                                dense.asUnknownItems().gather(batch, userRows, itemRows, order, from, from + b, 0, null),
                                sparseArrays.asUnknownItems().gather(batch, userRows, itemRows, order, from, from + b, 0, null)};
                        for (int v = 0; v < 4; v += 2) {
                            for (int f = 2; f < features.size(); f++) {
                                assertArrayEquals(unknown[v].get(f).toFloatArray(), unknown[v + 1].get(f).toDense().toFloatArray(),
                                        "feature " + f + " from row " + from + (v == 0 ? ", unknown users" : ", unknown items"));
                            }
                        }
                        assertEquals(0f, unknown[0].get(2).abs().sum().getFloat(), "no user history for unknown users");
                        assertEquals(0f, unknown[2].get(3).abs().sum().getFloat(), "no item history for unknown items");
                        if (!training) {
                            // no history dropout: a densely stored table reads the same into sparse arrays
                            NDList e = denseToSparseArrays.gather(batch, userRows, itemRows, order, from, from + b, 0, null);
                            for (int f = 2; f < features.size(); f++) {
                                assertArrayEquals(a.get(f).toFloatArray(), e.get(f).toDense().toFloatArray(),
                                        "feature " + f + " from row " + from + ", dense table into a sparse array");
                            }
                        }
                    }
                }
            }
        }
        for (int user = 0; user < users; user++) {
            assertArrayEquals(dense.pairDependentRows(user, null), sparse.pairDependentRows(user, null), "user " + user);
        }
    }

    @Test
    void historyDropoutThinsTrainingRowsAndKeepsTheirExpectation() {
        // u0 rated items 0..7 (0.5 each) of 10; rows (u0, i9), then one row (u0, i3)
        int items = 10;
        float[] history = new float[items];
        java.util.Arrays.fill(history, 0, 8, 0.5f);
        List<FeatureSpec> features = List.of(FeatureSpec.identifier("user_id", Entity.USER, 2),
                FeatureSpec.history("user_history", Entity.USER, items), FeatureSpec.categorical("item_kind", Entity.ITEM, 2));
        EntityTable users = EntityTable.builder(Entity.USER, List.of("u0")).categorical("user_id", new int[] {1})
                .dense("user_history", items, history).build();
        List<String> itemIds = new java.util.ArrayList<>();
        for (int i = 0; i < items; i++) {
            itemIds.add("i" + i);
        }
        EntityTable itemTable = EntityTable.builder(Entity.ITEM, itemIds).categorical("item_kind", new int[items]).build();
        int rows = 400;
        int[] userRows = new int[rows + 1];
        int[] itemRows = new int[rows + 1];
        java.util.Arrays.fill(itemRows, 9);
        itemRows[rows] = 3;
        FeatureGatherer gatherer = new FeatureGatherer(features, users, itemTable)
                .withHistoryDropout(java.util.Map.of("user_history", 0.25));
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] out = gatherer.gather(manager, userRows, itemRows, null, 0, rows + 1, 0, new java.util.SplittableRandom(1))
                    .get(1).toFloatArray();
            int dropped = 0;
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < items; j++) {
                    float v = out[r * items + j];
                    if (j >= 8) {
                        org.junit.jupiter.api.Assertions.assertEquals(0f, v, "an item the user did not rate");
                    } else {
                        // kept entries are scaled by 1 / (1 - 0.25)
                        org.junit.jupiter.api.Assertions.assertTrue(v == 0f || Math.abs(v - 0.5f / 0.75f) < 1e-6, "entry " + v);
                        dropped += v == 0f ? 1 : 0;
                        sum += v;
                    }
                }
            }
            // 3,200 draws at 0.25: a standard deviation of about 0.008
            double rate = dropped / (rows * 8.0);
            org.junit.jupiter.api.Assertions.assertEquals(0.25, rate, 0.03, "share of entries dropped");
            org.junit.jupiter.api.Assertions.assertEquals(0.5, sum / (rows * 8.0), 0.02, "mean of an entry");
            // the row's own interaction stays out whatever the draw
            org.junit.jupiter.api.Assertions.assertEquals(0f, out[rows * items + 3]);

            // outside training (no random source) the history reads as the table has it
            float[] plain = gatherer.gather(manager, userRows, itemRows, null, 0, 1, 0, null).get(1).toFloatArray();
            assertArrayEquals(history, plain);
        }
        IllegalArgumentException notHistory = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new FeatureGatherer(features, users, itemTable).withHistoryDropout(java.util.Map.of("item_kind", 0.5)));
        org.junit.jupiter.api.Assertions.assertEquals("history dropout on item_kind, which is not a history feature", notHistory.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new FeatureGatherer(features, users, itemTable).withHistoryDropout(java.util.Map.of("user_history", 1.0)));
    }

    @Test
    void aPerInteractionFeatureReadsEachRowsOwnValueAndTheTablesWhereItHasNone() {
        List<FeatureSpec> features = List.of(
                FeatureSpec.identifier("user_id", Entity.USER, 3),
                FeatureSpec.recent("user_recent", Entity.USER),
                new FeatureSpec("device", Entity.USER, dev.taskweave.api.data.FeatureKind.CATEGORICAL, 4, false, List.of(), false,
                        null, true));
        // current values: u0 0.25 on device 3, u1 -0.5 on device 1
        EntityTable users = EntityTable.builder(Entity.USER, List.of("u0", "u1"))
                .categorical("user_id", new int[] {1, 2})
                .dense("user_recent", 1, new float[] {0.25f, -0.5f})
                .categorical("device", new int[] {3, 1})
                .build();
        FeatureGatherer gatherer = new FeatureGatherer(features, users, ITEMS);
        int[] userRows = {0, 1, 0, 1};
        int[] itemRows = {0, 0, 1, 1};
        java.util.Map<String, float[]> columns = java.util.Map.of(
                "user_recent", new float[] {1.5f, Float.NaN, -2f, 0.75f},
                "device", new float[] {2, 0, Float.NaN, 2});
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList plain = gatherer.gather(manager, userRows, itemRows, null, 0, 4, 0, null);
            assertArrayEquals(new float[] {0.25f, -0.5f, 0.25f, -0.5f}, plain.get(1).toFloatArray());
            assertArrayEquals(new int[] {3, 1, 3, 1}, plain.get(2).toIntArray());

            NDList rows = gatherer.forRows(columns).gather(manager, userRows, itemRows, null, 0, 4, 0, null);
            assertArrayEquals(new float[] {1.5f, -0.5f, -2f, 0.75f}, rows.get(1).toFloatArray(), "NaN reads the table");
            assertArrayEquals(new int[] {2, 0, 3, 2}, rows.get(2).toIntArray(), "code 0 is a value (unknown), NaN reads the table");
            // in the order given, from row 1
            NDList ordered = gatherer.forRows(columns).gather(manager, userRows, itemRows, new int[] {3, 2, 1, 0}, 1, 3, 0, null);
            assertArrayEquals(new float[] {-2f, -0.5f}, ordered.get(1).toFloatArray());
            // the recent mean is derived from interactions: unknown wherever the user is
            NDList unknown = gatherer.forRows(columns).asUnknownUsers().gather(manager, userRows, itemRows, null, 0, 4, 0, null);
            assertArrayEquals(new float[] {0, 0, 0, 0}, unknown.get(1).toFloatArray());
            assertArrayEquals(new int[] {2, 0, 3, 2}, unknown.get(2).toIntArray(), "a side feature stays");
            // a request's moment: its values on every row, after a row's own
            FeatureGatherer moment = gatherer.atMoment(java.util.Map.of("user_recent", 0.5f, "device", 1f));
            NDList now = moment.gather(manager, userRows, itemRows, null, 0, 4, 0, null);
            assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, now.get(1).toFloatArray());
            assertArrayEquals(new int[] {1, 1, 1, 1}, now.get(2).toIntArray());
            NDList both = moment.forRows(columns).gather(manager, userRows, itemRows, null, 0, 4, 0, null);
            assertArrayEquals(new float[] {1.5f, 0.5f, -2f, 0.75f}, both.get(1).toFloatArray());
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> gatherer.atMoment(java.util.Map.of("user_id", 1f)));
            // an attribute row (no item) reads the table, as it does in training
            NDList attribute = moment.forRows(columns).gather(manager, userRows, new int[] {-1, 0, -1, 1}, null, 0, 4, 0, null);
            assertArrayEquals(new float[] {0.25f, 0.5f, 0.25f, 0.75f}, attribute.get(1).toFloatArray());
            assertArrayEquals(new int[] {3, 0, 3, 2}, attribute.get(2).toIntArray(), "row 1 has its own code 0");
        }
        // a column of a feature the model does not read is ignored; one of a feature with one value per entity is an error
        FeatureGatherer plainFeatures = new FeatureGatherer(FEATURES, USERS, ITEMS);
        plainFeatures.forRows(java.util.Map.of("user_recent", new float[4]));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> plainFeatures.forRows(java.util.Map.of("item_kind", new float[4])));
        org.junit.jupiter.api.Assertions.assertEquals("rows record feature item_kind, which does not take a value per interaction",
                e.getMessage());
    }

    /** The balanced ratings of ItemNeighboursTest (4 users, 3 items): score(u0, i0) = 0.4, score(u1, i0) = -0.4, score(u0, i2) = 0. */
    private static ItemNeighbours balancedNeighbours() {
        return ItemNeighbours.fit(4, 3, new int[] {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3},
                new int[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}, new float[] {4, 4, 1, 2, 2, 5, 4, 4, 1, 2, 2, 5}, 20, 2, 1, 0);
    }

    @Test
    void aPairFeatureReadsARowsOwnValueElseTheScoreOfItsPairAndNothingWhereAnIdIsUnknown() {
        ItemNeighbours neighbours = balancedNeighbours();
        List<FeatureSpec> features = List.of(
                FeatureSpec.identifier("user_id", Entity.USER, 5),
                FeatureSpec.identifier("item_id", Entity.ITEM, 4),
                FeatureSpec.pair("neighbours_rating"));
        // user 3's id is unknown (code 0), as after id dropout
        EntityTable users = EntityTable.builder(Entity.USER, List.of("u0", "u1", "u2", "u3"))
                .categorical("user_id", new int[] {1, 2, 3, 0}).build();
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0", "i1", "i2"))
                .categorical("item_id", new int[] {1, 2, 3})
                .dense("neighbours_rating", 1, new float[3]).build();
        FeatureGatherer gatherer = new FeatureGatherer(features, users, items).withNeighbours(java.util.Map.of("neighbours_rating", neighbours));
        int[] userRows = {0, 1, 0, 3, -1, 0};
        int[] itemRows = {0, 0, 2, 0, 0, -1};
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] scored = gatherer.gather(manager, userRows, itemRows, null, 0, 6, 0, null).get(2).toFloatArray();
            assertArrayEquals(new float[] {0.4f, -0.4f, 0f, 0f, 0f, 0f}, scored, 1e-6f,
                    "pairs scored; an unknown user, an attribute row: 0");
            // a training row's own value (its score without its own rating) comes first
            float[] own = gatherer.forRows(java.util.Map.of("neighbours_rating", new float[] {0.375f, Float.NaN, 1f, 1f, 1f, 1f}))
                    .gather(manager, userRows, itemRows, null, 0, 6, 0, null).get(2).toFloatArray();
            assertArrayEquals(new float[] {0.375f, -0.4f, 1f, 0f, 0f, 0f}, own, 1e-6f);
            // a user the model does not know, or every user read as unknown: nothing
            float[] unknown = gatherer.asUnknownUsers().gather(manager, userRows, itemRows, null, 0, 3, 0, null).get(2).toFloatArray();
            assertArrayEquals(new float[] {0f, 0f, 0f}, unknown);
            // item id dropout hides it as it hides the item's histories
            float[] dropped = gatherer.gather(manager, new int[] {0, 0}, new int[] {0, 0}, null, 0, 2, 0.999,
                    new java.util.SplittableRandom(1)).get(2).toFloatArray();
            assertArrayEquals(new float[] {0f, 0f}, dropped);
            // other tables (a request's new users): no ratings to score
            EntityTable newUsers = EntityTable.builder(Entity.USER, List.of("new")).categorical("user_id", new int[] {0}).build();
            float[] fresh = new FeatureGatherer(features, newUsers, items, Set.of(), false, true).withNeighbours(java.util.Map.of("neighbours_rating", neighbours))
                    .gather(manager, new int[] {0}, new int[] {0}, null, 0, 1, 0, null).get(2).toFloatArray();
            assertArrayEquals(new float[] {0f}, fresh);
            IllegalStateException none = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> new FeatureGatherer(features, users, items).gather(manager, userRows, itemRows, null, 0, 1, 0, null));
            org.junit.jupiter.api.Assertions.assertTrue(none.getMessage().contains("neighbours_rating"), none.getMessage());
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> gatherer.atMoment(java.util.Map.of("neighbours_rating", 1f)));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("computed by the model"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new FeatureGatherer(features, USERS, items).withNeighbours(java.util.Map.of("neighbours_rating", neighbours)), "neighbours of 4 users for a table of 2");
    }

    /**
     * The factored scorer gathers a request's pair features for its candidates alone: each
     * gathered feature reads what a whole gathering gives it, the ids unknown where they are
     * (read, not returned) still hiding the pair's score and the history.
     */
    @Test
    void someFeaturesGatherAsTheWholeGatheringGivesThem() {
        ItemNeighbours neighbours = balancedNeighbours();
        List<FeatureSpec> features = List.of(
                FeatureSpec.identifier("user_id", Entity.USER, 5),
                FeatureSpec.history("user_history", Entity.USER, 3),
                FeatureSpec.identifier("item_id", Entity.ITEM, 4),
                FeatureSpec.pair("neighbours_rating"));
        // user 3's id is unknown (code 0): no history, no score
        EntityTable users = EntityTable.builder(Entity.USER, List.of("u0", "u1", "u2", "u3"))
                .categorical("user_id", new int[] {1, 2, 3, 0})
                .dense("user_history", 3, new float[] {0.5f, 0.5f, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0}).build();
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0", "i1", "i2"))
                .categorical("item_id", new int[] {1, 2, 3})
                .dense("neighbours_rating", 1, new float[3]).build();
        FeatureGatherer gatherer = new FeatureGatherer(features, users, items).withNeighbours(java.util.Map.of("neighbours_rating", neighbours));
        int[] userRows = {0, 1, 0, 3, 0};
        int[] itemRows = {0, 0, 2, 0, 0};
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList whole = gatherer.gather(manager, userRows, itemRows, null, 1, 5, 0, null);
            NDList pair = gatherer.gatherOnly(manager, userRows, itemRows, 1, 5, new int[] {3});
            assertEquals(1, pair.size());
            assertArrayEquals(whole.get(3).toFloatArray(), pair.get(0).toFloatArray());
            assertArrayEquals(new float[] {-0.4f, 0f, 0f, 0.4f}, pair.get(0).toFloatArray(), 1e-6f, "u3's id is unknown: no score");
            // in the order asked for, ids among them
            NDList some = gatherer.gatherOnly(manager, userRows, itemRows, 1, 5, new int[] {1, 3, 0});
            assertArrayEquals(whole.get(1).toFloatArray(), some.get(0).toFloatArray());
            assertArrayEquals(whole.get(3).toFloatArray(), some.get(1).toFloatArray());
            assertArrayEquals(whole.get(0).toIntArray(), some.get(2).toIntArray());
            // a derived gatherer's reading applies: every user read as unknown
            assertArrayEquals(new float[4], gatherer.asUnknownUsers().gatherOnly(manager, userRows, itemRows, 1, 5, new int[] {3})
                    .get(0).toFloatArray());
        }
        assertThrows(IllegalArgumentException.class,
                () -> gatherer.gatherOnly(null, userRows, itemRows, 0, 1, new int[] {3, 3}), "a feature twice");
        assertThrows(IllegalArgumentException.class, () -> gatherer.gatherOnly(null, userRows, itemRows, 0, 1, new int[] {4}));
    }

    @Test
    void aSparseArrayOwnsItsEntriesThroughGarbageCollections() {
        // NDManager.createCoo leaves the sparse array on Java buffers nothing references: arrays
        // made here must read the same after collections that would free those
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = manager.arange(15f).reshape(5, 3);
            NDArray[] arrays = new NDArray[60];
            for (int k = 0; k < arrays.length; k++) {
                arrays[k] = FeatureGatherer.coo(manager, new long[] {0, 0, 1, 1, 3, 4}, new float[] {0.5f, 0.5f, 1, 9}, 3,
                        new ai.djl.ndarray.types.Shape(2, 5));
                byte[][] garbage = new byte[16][];
                for (int g = 0; g < garbage.length; g++) {
                    garbage[g] = new byte[1 << 20];
                }
                if (k % 10 == 0) {
                    System.gc();
                }
            }
            System.gc();
            for (NDArray a : arrays) {
                // row 0: (w[1] + w[3]) / 2 = (6, 7, 8); row 1: w[4] = (12, 13, 14)
                assertArrayEquals(new float[] {6, 7, 8, 12, 13, 14}, a.matMul(w).toFloatArray());
            }
            // no entries (a batch of rows none of which has a history)
            assertArrayEquals(new float[6], FeatureGatherer.coo(manager, new long[0], new float[0], 0,
                    new ai.djl.ndarray.types.Shape(2, 5)).matMul(w).toFloatArray());
        }
    }

    @Test
    void rowsWithoutAHistoryCostNothingInASparseBatch() {
        // a new user (id code 0) with a densely stored history 100,000 columns wide, 5,000 rows of
        // it: the rows read no history, so the batch holds no entry (sizing the batch by width per
        // row would ask for 10 GB)
        int width = 100_000;
        List<FeatureSpec> features = List.of(FeatureSpec.identifier("user_id", Entity.USER, 2),
                FeatureSpec.history("user_history", Entity.USER, width));
        float[] history = new float[width];
        history[7] = 1;
        EntityTable users = EntityTable.builder(Entity.USER, List.of("new")).categorical("user_id", new int[] {0})
                .dense("user_history", width, history).build();
        EntityTable items = EntityTable.builder(Entity.ITEM, java.util.stream.IntStream.range(0, width).mapToObj(k -> "i" + k).toList())
                .build();
        FeatureGatherer gatherer = new FeatureGatherer(features, users, items, Set.of(), false, false);
        int[] rows = new int[5000];
        int[] all = java.util.stream.IntStream.range(0, rows.length).toArray();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray batch = gatherer.gather(manager, rows, all, null, 0, rows.length, 0, null).get(1);
            assertEquals(ai.djl.ndarray.types.SparseFormat.COO, batch.getSparseFormat());
            assertEquals(new ai.djl.ndarray.types.Shape(5000, width), batch.getShape());
            assertEquals(0f, batch.matMul(manager.ones(new ai.djl.ndarray.types.Shape(width, 1))).abs().sum().getFloat());
        }
    }

    @Test
    void scoringPassesAddTheWidestDenseFeatureAndEachRowsSparseEntries() {
        // users with 3, 0 and 2 history entries, histories gathered sparsely (width 1 and up), and a
        // 10-wide multi-hot item feature gathered densely: a row costs 40 bytes plus 64 per entry
        SparseRows history = SparseRows.of(4, new int[] {0, 3, 3, 5}, new int[] {0, 1, 2, 0, 3}, new float[] {1, 1, 1, 1, 1});
        List<FeatureSpec> features = List.of(FeatureSpec.history("user_history", Entity.USER, 4),
                FeatureSpec.multiHot("item_tags", Entity.ITEM, 10));
        EntityTable users = EntityTable.builder(Entity.USER, List.of("a", "b", "c")).sparse("user_history", history).build();
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0", "i1", "i2", "i3"))
                .dense("item_tags", 10, new float[40]).build();
        FeatureGatherer gatherer = new FeatureGatherer(features, users, items).withSparseHistoryWidth(1);
        int[] u = {0, 1, 2, 2, -1, 0};
        int[] i = {0, 1, 2, 3, 0, 1};
        // row bytes: 40 + 3 x 64 = 232, 40, 40 + 2 x 64 = 168, 168, 40 (no user), 232
        assertEquals(2, gatherer.passEnd(u, i, 0, 6, 272)); // 232 + 40
        assertEquals(1, gatherer.passEnd(u, i, 0, 6, 271));
        assertEquals(5, gatherer.passEnd(u, i, 2, 6, 376)); // 168 + 168 + 40
        assertEquals(6, gatherer.passEnd(u, i, 5, 6, 1)); // a row over the bound is a pass of its own
        assertEquals(6, gatherer.passEnd(u, i, 0, 6, 1 << 20));
        // gathered densely, the history is a 4-wide dense feature: the widest is the 10-wide one
        FeatureGatherer dense = new FeatureGatherer(features, users, items).withSparseHistoryWidth(5);
        assertEquals(3, dense.passEnd(u, i, 0, 6, 120));
    }

    @Test
    void theSparseHistoryWidthPropertyIsAWholeNumberOfColumns() {
        String before = System.getProperty(FeatureGatherer.SPARSE_HISTORY_WIDTH_PROPERTY);
        try {
            System.clearProperty(FeatureGatherer.SPARSE_HISTORY_WIDTH_PROPERTY);
            assertEquals(FeatureGatherer.SPARSE_HISTORY_WIDTH, FeatureGatherer.sparseHistoryWidth());
            System.setProperty(FeatureGatherer.SPARSE_HISTORY_WIDTH_PROPERTY, " 1 ");
            assertEquals(1, FeatureGatherer.sparseHistoryWidth());
            assertNull(FeatureGatherer.widestDense(List.of(FeatureSpec.history("user_history", Entity.USER, 2))));
            for (String bad : new String[] {"0", "wide", "8k"}) {
                System.setProperty(FeatureGatherer.SPARSE_HISTORY_WIDTH_PROPERTY, bad);
                assertEquals("system property taskweave.sparseHistoryWidth: expected a whole number of columns of at least 1"
                        + " (the narrowest history gathered sparsely), got '" + bad + "'",
                        assertThrows(IllegalArgumentException.class, FeatureGatherer::sparseHistoryWidth).getMessage());
            }
        } finally {
            if (before == null) {
                System.clearProperty(FeatureGatherer.SPARSE_HISTORY_WIDTH_PROPERTY);
            } else {
                System.setProperty(FeatureGatherer.SPARSE_HISTORY_WIDTH_PROPERTY, before);
            }
        }
    }

    @Test
    void aDenseBatchOverOneBufferIsRefusedWithTheLargestBatchThatFits() {
        // one user with a dense feature 2^20 values wide (4 MB; a history as wide would need 2^20 items); 600 rows of it
        // would be 2.5 GB, over 2^31 - 1 bytes
        int width = 1 << 20;
        List<FeatureSpec> features = List.of(FeatureSpec.identifier("user_id", Entity.USER, 2),
                FeatureSpec.multiHot("user_tags", Entity.USER, width));
        EntityTable users = EntityTable.builder(Entity.USER, List.of("u0")).categorical("user_id", new int[] {1})
                .dense("user_tags", width, new float[width]).build();
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0")).build();
        assertEquals(511, FeatureGatherer.largestBatch(width));
        assertEquals(13421, FeatureGatherer.largestBatch(40_000));
        assertEquals(4096, FeatureGatherer.largestBatch(131_071));
        assertEquals(4095, FeatureGatherer.largestBatch(131_072));
        assertEquals("user_tags", FeatureGatherer.widestDense(features).name());
        assertEquals("item_genres", FeatureGatherer.widestDense(FEATURES).name());
        assertNull(FeatureGatherer.widestDense(FEATURES.subList(0, 3)));
        // a history as wide as SPARSE_HISTORY_WIDTH is gathered sparsely: it limits no batch
        assertEquals("user_tags", FeatureGatherer.widestDense(List.of(FeatureSpec.multiHot("user_tags", Entity.USER, 100),
                FeatureSpec.history("user_history", Entity.USER, FeatureGatherer.SPARSE_HISTORY_WIDTH))).name());
        assertEquals("user_history", FeatureGatherer.widestDense(List.of(
                FeatureSpec.history("user_history", Entity.USER, FeatureGatherer.SPARSE_HISTORY_WIDTH - 1))).name());
        FeatureGatherer gatherer = new FeatureGatherer(features, users, items);
        int[] rows = new int[600];
        try (NDManager manager = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> gatherer.gather(manager, rows, rows, null, 0, 600, 0, null));
            assertEquals("feature user_tags: a batch of 600 rows x 1048576 values x 4 bytes is 2516582400 bytes, more than the"
                    + " 2147483647 one buffer holds; the largest batch it fits in is 511 rows (a multi-hot or numeric feature,"
                    + " or a history narrower than 8192 columns, is gathered densely)", e.getMessage());
            // a batch that fits gathers (511 rows would too, but take 2 GB)
            assertEquals(2L * width, gatherer.gather(manager, rows, rows, null, 0, 2, 0, null).get(1).size());
        }
    }
}
