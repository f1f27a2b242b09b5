package dev.taskweave.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureSpec;
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
}
