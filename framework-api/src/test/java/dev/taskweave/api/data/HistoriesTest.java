package dev.taskweave.api.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    void rejectsInteractionsOutsideTheEntitiesAndMismatchedValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Histories.of(TRAIN, Entity.USER, 2, 2, null, Histories.Scale.MEAN));
        assertEquals("interaction 1 (user 0, item 2) is outside 2 users and 2 items", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Histories.of(TRAIN, Entity.USER, 2, 3, new float[] {1}, Histories.Scale.MEAN));
    }
}
