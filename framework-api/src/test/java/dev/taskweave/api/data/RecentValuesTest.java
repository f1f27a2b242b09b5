package dev.taskweave.api.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RecentValuesTest {
    // user 0: row 0 at time 10 rated 5, row 1 at 30 rated 1, row 2 at 20 rated 3, row 3 at 30 rated 4
    // (rows 1 and 3 at the same moment, as a page of ratings entered at once); user 1: row 4 at 5
    // rated 2; user 2 rated nothing
    static final Interactions TRAIN = new Interactions(new int[] {0, 0, 0, 0, 1}, new int[] {0, 1, 2, 3, 0}, Map.of());
    static final long[] TIMES = {10, 30, 20, 30, 5};
    static final float[] RATINGS = {5, 1, 3, 4, 2};

    private static RecentValues windowOfTwo() {
        return RecentValues.of(TRAIN, TIMES, RATINGS, Entity.USER, 3, 2);
    }

    @Test
    void theCurrentValueIsTheLatestRatingsMeanMinusTheUsersMean() {
        // after the last rating: user 0's latest two are rows 1 and 3 (same moment; row 3 later in
        // the split), (1 + 4) / 2 against 13 / 4; user 1's only rating is its own mean; user 2 has none
        assertArrayEquals(new float[] {2.5f - 3.25f, 0f, 0f}, windowOfTwo().current(), 1e-6f);
    }

    @Test
    void aTrainingRowReadsOnlyEarlierRatingsAndLeavesItselfOutOfTheMean() {
        float[] expected = {
            0f, // row 0 (time 10): nothing before it
            (5 + 3) / 2f - (13 - 1) / 3f, // row 1 (time 30): rows 0 and 2, not row 3 of the same moment
            5f - (13 - 3) / 3f, // row 2 (time 20): row 0 alone
            (5 + 3) / 2f - (13 - 4) / 3f, // row 3 (time 30): rows 0 and 2, not row 1 of the same moment
            0f // row 4: the user's only rating
        };
        assertArrayEquals(expected, windowOfTwo().training(), 1e-6f);
    }

    @Test
    void anotherSplitsRowReadsTheTrainingRatingsBeforeIt() {
        float[] got = windowOfTwo().at(new int[] {0, 0, 0, 2, -1, 1}, new long[] {25, 5, 30, 100, 100, 4});
        // user 0 at 25: rows 2 and 0, (3 + 5) / 2 - 3.25; at 5: none yet; at 30: rows 2 and 0
        // again (rows 1 and 3 are of that moment, not before it); user 2 rated nothing; an
        // unknown user; user 1 before its rating
        assertArrayEquals(new float[] {4f - 3.25f, 0f, 4f - 3.25f, 0f, 0f, 0f}, got, 1e-6f);
    }

    @Test
    void aWindowLargerThanTheHistoryAveragesWhatThereIs() {
        RecentValues all = RecentValues.of(TRAIN, TIMES, RATINGS, Entity.USER, 3, 100);
        assertArrayEquals(new float[] {0f, 0f, 0f}, all.current(), 1e-6f);
        assertEquals((5 + 3) / 2f - 3.25f, all.at(new int[] {0}, new long[] {29})[0], 1e-6f);
    }

    @Test
    void itemsAverageTheirRatersTheSameWay() {
        // item 0: row 0 (time 10, 5) and row 4 (time 5, 2); items 1-3 one rating each
        RecentValues items = RecentValues.of(TRAIN, TIMES, RATINGS, Entity.ITEM, 4, 1);
        assertArrayEquals(new float[] {5f - 3.5f, 0f, 0f, 0f}, items.current(), 1e-6f);
        assertArrayEquals(new float[] {0f, 0f, 0f, 0f, 0f}, items.training(), 1e-6f);
    }

    @Test
    void rejectsBadArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecentValues.of(TRAIN, TIMES, RATINGS, Entity.USER, 3, 0));
        assertEquals("window must be at least 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RecentValues.of(TRAIN, new long[] {1}, RATINGS, Entity.USER, 3, 2));
        assertEquals("1 times and 5 values for 5 interactions", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RecentValues.of(TRAIN, TIMES, RATINGS, Entity.USER, 1, 2));
        assertEquals("interaction 4: user index 1 is outside 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RecentValues.of(TRAIN, TIMES, new float[] {5, Float.NaN, 3, 4, 2}, Entity.USER, 3, 2));
        assertEquals("interaction 1: value NaN is not a finite number", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> windowOfTwo().at(new int[] {0}, new long[0]));
        assertEquals("1 rows but 0 times", e.getMessage());
    }
}
