package dev.taskweave.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.data.Interactions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeenItemsTest {
    @Test
    void distinctSortedItemsPerUserRoundTrip() throws IOException {
        Interactions train = new Interactions(new int[] {0, 0, 2, 0, 2}, new int[] {4, 1, 3, 4, 0}, Map.of());
        SeenItems seen = SeenItems.of(train, 3);
        assertTrue(seen.available());
        assertArrayEquals(new int[] {1, 4}, seen.items(0));
        assertArrayEquals(new int[0], seen.items(1));
        assertArrayEquals(new int[] {0, 3}, seen.items(2));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        seen.write(new DataOutputStream(bytes));
        SeenItems back = SeenItems.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), 3, 5, "seen.bin");
        assertEquals(3, back.users());
        assertArrayEquals(new int[] {1, 4}, back.items(0));
        assertArrayEquals(new int[] {0, 3}, back.items(2));

        IOException wrongUsers = assertThrows(IOException.class,
                () -> SeenItems.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), 4, 5, "seen.bin"));
        assertEquals("seen.bin: 3 users, but the model has 4", wrongUsers.getMessage());
        assertThrows(IOException.class, () -> SeenItems.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), 3, 4, "seen.bin"));
    }

    @Test
    void absentWhenTheModelHasNoFile() {
        assertFalse(SeenItems.none().available());
        assertEquals(0, SeenItems.none().users());
        assertThrows(IllegalStateException.class, () -> SeenItems.none().items(0));
    }
}
