package dev.taskweave.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.DataException;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.FeatureSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cells of a predict file's per-interaction columns. */
class PredictContextValueTest {
    private static final List<FeatureSpec> FEATURES = List.of(FeatureSpec.recent("user_recent_rating", Entity.USER));

    @Test
    void aNumberIsDecimalNotJavasOtherForms() {
        // Java's parseDouble also reads hexadecimal (0x1p0 = 1) and type suffixes (1.5f, 2d)
        for (String cell : List.of("0x1p0", "0x1.4p2", "1.5f", "2d", "1.5F", "2D", "NaN", "Infinity")) {
            DataException e = assertThrows(DataException.class,
                    () -> Taskweave.contextValue(FEATURES, "user_recent_rating", cell, "pairs.tsv", 3));
            assertEquals("pairs.tsv", e.source());
            assertEquals(3, e.line());
            assertTrue(e.getMessage().endsWith("column 'user_recent_rating': expected a number, found '" + cell + "'"), e.getMessage());
        }
        for (String cell : List.of("0.5", ".5", "+0.5", "5e-1", "5E-1")) {
            assertEquals(0.5f, Taskweave.contextValue(FEATURES, "user_recent_rating", cell, "pairs.tsv", 3), cell);
        }
        assertEquals(1f, Taskweave.contextValue(FEATURES, "user_recent_rating", "1.", "pairs.tsv", 3));
        assertTrue(Float.isNaN(Taskweave.contextValue(FEATURES, "user_recent_rating", "", "pairs.tsv", 3)), "an empty cell");
    }
}
