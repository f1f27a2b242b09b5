package dev.taskweave.api.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class InteractionsOriginTest {
    @Test
    void originsAreSharedRowsWithWhereEachWasRead() {
        Interactions rows = new Interactions(new int[] {0, 1}, new int[] {1, 0}, Map.of("rating", new float[] {4, 5}));
        assertNull(rows.origin(0), "a source that does not say");
        Interactions read = rows.withOrigins(r -> new Interactions.Origin("r.csv", r + 2));
        assertEquals(new Interactions.Origin("r.csv", 3), read.origin(1));
        assertSame(rows.users(), read.users());
        assertSame(rows.label("rating"), read.label("rating"));
        assertThrows(IndexOutOfBoundsException.class, () -> read.origin(2));
        assertThrows(IllegalArgumentException.class, () -> new Interactions.Origin("r.csv", 0));
    }
}
