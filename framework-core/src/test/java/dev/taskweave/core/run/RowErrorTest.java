package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskweave.api.DataException;
import dev.taskweave.api.data.Interactions;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowErrorTest {
    static final Interactions ROWS = new Interactions(new int[] {0, 1, 2}, new int[] {0, 0, 1}, Map.of("clicked", new float[] {1, 2, 0}));

    @Test
    void aRowWithAnOriginIsNamedByItsFileAndLine() {
        // rows shuffled out of the file: row 1 was read on line 7
        Interactions read = ROWS.withOrigins(r -> new Interactions.Origin("data/events.csv", new int[] {4, 7, 2}[r]));
        DataException e = ModelAssembler.rowError("files(data/events.csv, random)", "test", read, 1, "clicked", "task click cannot "
                + "use the value 2.0: expected 0 or 1");
        assertEquals("data/events.csv", e.source());
        assertEquals(7, e.line());
        assertEquals("data/events.csv:7: label 'clicked' (split 'test'): task click cannot use the value 2.0: expected 0 or 1",
                e.getMessage());
    }

    @Test
    void aRowWithoutOneIsNamedByItsSplitAndPosition() {
        DataException e = ModelAssembler.rowError("generated", "test", ROWS, 1, "clicked", "task click cannot use the value 2.0");
        assertEquals(0, e.line());
        assertEquals("generated: split 'test', row 2 of its clicked labels (in the data source's order): task click cannot use the"
                + " value 2.0", e.getMessage());
    }
}
