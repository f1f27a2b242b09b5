package dev.taskweave.api.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.InvalidConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HistoriesTest {
    // u0 rated i0 and i2, u1 rated i2; 2 users, 3 items
    static final Interactions TRAIN = new Interactions(new int[] {0, 0, 1}, new int[] {0, 2, 2}, Map.of());

    @Test
    void eachRowHoldsItsInteractionsOverTheirCount() {
        float h = 0.5f;
        assertArrayEquals(new float[] {h, 0, h, 0, 0, 1}, Histories.of(TRAIN, Entity.USER, 2, 3, null, Histories.Scale.MEAN), 1e-7f);
        // items: i0 by u0; i1 by nobody (a zero row); i2 by u0 and u1
        assertArrayEquals(new float[] {1, 0, 0, 0, h, h}, Histories.of(TRAIN, Entity.ITEM, 2, 3, null, Histories.Scale.MEAN), 1e-7f);
        // values in place of 1, scaled by 1/sqrt(n)
        float r = (float) (1 / Math.sqrt(2));
        assertArrayEquals(new float[] {-1 * r, 0, 2 * r, 0, 0, 0.5f},
                Histories.of(TRAIN, Entity.USER, 2, 3, new float[] {-1, 2, 0.5f}, Histories.Scale.ROOT), 1e-7f);
    }

    @Test
    void theSparseFormHoldsWhatTheDenseOneDoesEntryForEntry() {
        // seeded random interactions with repeats (the last value stays, the count includes them),
        // centred values that are exactly 0 (not stored), and entities without any interaction
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        int users = 40;
        int items = 30;
        int n = 500;
        int[] u = new int[n];
        int[] i = new int[n];
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            u[k] = random.nextInt(users - 3); // the last 3 users have no interactions
            i[k] = random.nextInt(items - 2);
            v[k] = random.nextInt(5) - 2; // -2 .. 2: a fifth are 0
        }
        Interactions rows = new Interactions(u, i, Map.of());
        for (Entity side : Entity.values()) {
            for (Histories.Scale scale : Histories.Scale.values()) {
                for (float[] values : new float[][] {null, v}) {
                    float[] dense = Histories.of(rows, side, users, items, values, scale);
                    SparseRows sparse = Histories.sparse(rows, side, users, items, values, scale);
                    int width = side == Entity.USER ? items : users;
                    assertEquals(SparseRows.fromDense(dense, width), sparse, side + " " + scale + (values == null ? "" : " values"));
                    assertArrayEquals(dense, sparse.toDense(), side + " " + scale);
                }
            }
        }
        // the worked example: u0 rated i0 and i2, u1 rated i2
        SparseRows byUser = Histories.sparse(TRAIN, Entity.USER, 2, 3, null, Histories.Scale.MEAN);
        assertEquals(3, byUser.entries());
        assertEquals(0.5f, byUser.get(0, 2));
        assertEquals(0f, byUser.get(0, 1));
        assertEquals(1f, byUser.get(1, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Histories.sparse(TRAIN, Entity.USER, 2, 2, null, Histories.Scale.MEAN));
        assertEquals("interaction 1 (user 0, item 2) is outside 2 users and 2 items", e.getMessage());
    }

    @Test
    void rejectsInteractionsOutsideTheEntitiesAndMismatchedValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Histories.of(TRAIN, Entity.USER, 2, 2, null, Histories.Scale.MEAN));
        assertEquals("interaction 1 (user 0, item 2) is outside 2 users and 2 items", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Histories.of(TRAIN, Entity.USER, 2, 3, new float[] {1}, Histories.Scale.MEAN));
    }

    private static final String ONE_SIDE = "userHistory: none or itemHistory: none";

    @Test
    void tablesWithinTheHeapShareAreAccepted() {
        // 1000 x 1000 x 4 bytes = 4,000,000 bytes per side; 2 sides = 8,000,000 <= 0.4 x 20,000,000
        Histories.checkSize(1000, 1000, "history", "history", ONE_SIDE, 20_000_000);
        Histories.checkSize(1000, 1000, null, null, ONE_SIDE, 1);
        Histories.checkSize(1000, 1000, "userHistory", null, ONE_SIDE, 10_000_000);
    }

    @Test
    void theHeapAdvisedLeavesRoomForTheCollectorsSurvivorSpace() {
        // the parallel collector reports 3.56 GiB at -Xmx4g: 3.5 GiB needs 3.5 / 0.88 = 3.98, so 4g
        assertEquals(4, Histories.xmxGibFor((long) (3.5 * (1L << 30))));
        // 4 GiB needs 4.55: 5g (4g gives 3.87 under the serial collector, 3.56 under the parallel one)
        assertEquals(5, Histories.xmxGibFor(4L << 30));
        assertEquals(1, Histories.xmxGibFor(1));
    }

    @Test
    void tablesOverTheHeapShareAreRefusedNamingTheirPathSizesAndWaysOut() {
        // 8,000,000 bytes for both sides; 0.4 x 15,000,000 = 6,000,000: one side (4,000,000) would fit
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> Histories.checkSize(1000, 1000, "history", "history", ONE_SIDE, 15_000_000));
        assertEquals("history", e.path());
        assertTrue(e.reason().startsWith("the user history is 1000 users x 1000 items x 4 bytes = 0.00 GiB, and the item history"
                + " 1000 items x 1000 users x 4 bytes = 0.00 GiB (together 0.01 GiB), more than 0.01 GiB, 40% of the JVM's maximum"
                + " heap (0.01 GiB)"), e.reason());
        assertTrue(e.reason().contains("Histories.sparse stores only the interactions"), e.reason());
        assertTrue(e.reason().contains("Ways out: a history on one side only (userHistory: none or itemHistory: none), fewer users"
                + " or items, or a larger heap: JAVA_OPTS=-Xmx1g or more"), e.reason());

        // one side alone is over: no point in suggesting one side; the user side's key is named
        e = assertThrows(InvalidConfigException.class,
                () -> Histories.checkSize(1000, 1000, "userHistory", "history", ONE_SIDE, 5_000_000));
        assertEquals("userHistory", e.path());
        assertTrue(e.reason().contains("4 bytes = 0.00 GiB (history) (together"), e.reason());
        assertTrue(e.reason().contains("Ways out: fewer users or items, or a larger heap"), e.reason());

        // only the item side asks
        e = assertThrows(InvalidConfigException.class, () -> Histories.checkSize(1000, 1000, null, "itemHistory", ONE_SIDE, 5_000_000));
        assertEquals("itemHistory", e.path());
        assertTrue(e.reason().startsWith("the item history is 1000 items x 1000 users x 4 bytes"), e.reason());

        // a source with no one-side option (synthetic) does not offer it
        e = assertThrows(InvalidConfigException.class, () -> Histories.checkSize(1000, 1000, "history", "history", null, 15_000_000));
        assertTrue(e.reason().contains("Ways out: fewer users or items"), e.reason());

        // 10^10 bytes of tables (9.31 GiB): 23.28 GiB of heap at 40%, which -Xmx27g gives under any usual
        // collector (26.45 GiB at the 0.88 of -Xmx that the parallel collector reports)
        e = assertThrows(InvalidConfigException.class,
                () -> Histories.checkSize(50_000, 25_000, "history", "history", ONE_SIDE, 4L << 30));
        assertTrue(e.reason().contains("(together 9.31 GiB), more than 1.60 GiB, 40% of the JVM's maximum heap (4.00 GiB)"), e.reason());
        assertTrue(e.reason().contains("JAVA_OPTS=-Xmx27g or more"), e.reason());
    }

    @Test
    void tablesOverAnArraysLengthAreRefusedWhateverTheHeap() {
        // 110,000 x 20,000 = 2.2e9 cells > 2^31 - 1
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> Histories.checkSize(110_000, 20_000, "history", "history", ONE_SIDE, Long.MAX_VALUE));
        assertEquals("history", e.path());
        assertTrue(e.reason().contains("a table of 2200000000 cells is more than the 2147483647 one Java array holds"), e.reason());
        // just at the limit, with the heap to hold it
        Histories.checkSize(1, Integer.MAX_VALUE, "history", null, ONE_SIDE, Long.MAX_VALUE);
        // Histories.of refuses such a table before allocating it
        IllegalArgumentException i = assertThrows(IllegalArgumentException.class,
                () -> Histories.of(TRAIN, Entity.USER, 110_000, 20_000, null, Histories.Scale.MEAN));
        assertTrue(i.getMessage().contains("2200000000 cells"), i.getMessage());
    }

    @Test
    void onlyAHistoryDeclaresHowItsRowsWereScaled() {
        assertEquals(Histories.Scale.ROOT, FeatureSpec.history("user_history", Entity.USER, 4, Histories.Scale.ROOT).historyScale());
        assertEquals(null, FeatureSpec.history("user_history", Entity.USER, 4).historyScale());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FeatureSpec("item_genres", Entity.ITEM,
                FeatureKind.MULTI_HOT, 3, false, java.util.List.of(), false, null, false, false, Histories.Scale.MEAN));
        assertEquals("feature item_genres: only a history (a multi-hot feature derived from interactions) has a history scale;"
                + " this one is not derived from interactions, MULTI_HOT", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new FeatureSpec("user_recent", Entity.USER,
                FeatureKind.NUMERIC, 1, false, java.util.List.of(), true, null, true, false, Histories.Scale.MEAN));
        assertEquals("feature user_recent: only a history (a multi-hot feature derived from interactions) has a history scale;"
                + " this one is NUMERIC", e.getMessage());
    }

    /** @return the scale {@link Histories#declared} gives a user history of {@code interactions} */
    private static Histories.Scale declared(Interactions interactions, float[] values, Histories.Scale scale) {
        return Histories.declared(Histories.sparse(interactions, Entity.USER, 2, 2, values, scale), interactions, scale);
    }

    @Test
    void aScaleIsDeclaredOnlyWhereRescalingByTheStoredEntriesIsExact() {
        Interactions distinct = new Interactions(new int[] {0, 0, 1}, new int[] {0, 1, 1}, Map.of());
        assertEquals(Histories.Scale.MEAN, declared(distinct, null, Histories.Scale.MEAN));
        assertEquals(Histories.Scale.ROOT, declared(distinct, new float[] {1, -0.5f, 2}, Histories.Scale.ROOT));
        // a value of 0 is counted in n and not stored
        assertEquals(null, declared(distinct, new float[] {1, 0, 2}, Histories.Scale.ROOT));
        // a repeated pair is one entry counted twice
        Interactions repeated = new Interactions(new int[] {0, 1, 0}, new int[] {1, 1, 1}, Map.of());
        assertEquals(null, declared(repeated, null, Histories.Scale.MEAN));
        // user 1 item 0 is not user 0 item 1
        assertEquals(Histories.Scale.MEAN, declared(new Interactions(new int[] {1, 0}, new int[] {0, 1}, Map.of()), null,
                Histories.Scale.MEAN));
    }
}
