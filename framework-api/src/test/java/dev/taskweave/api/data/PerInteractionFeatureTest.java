package dev.taskweave.api.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Features that take a value per interaction: the schema's rules and the splits' columns. */
class PerInteractionFeatureTest {
    private static final FeatureSpec RECENT = FeatureSpec.recent("user_recent", Entity.USER);
    private static final FeatureSpec DEVICE = new FeatureSpec("device", Entity.USER, FeatureKind.CATEGORICAL, 3, false,
            List.of("phone", "tv"), false, null, true);

    @Test
    void aRecentMeanIsANumericHistoryReadPerInteraction() {
        assertTrue(RECENT.perInteraction());
        assertTrue(RECENT.fromInteractions());
        assertEquals(FeatureKind.NUMERIC, RECENT.kind());
        assertFalse(FeatureSpec.numeric("age", Entity.USER).perInteraction());
    }

    @Test
    void onlyNumericAndCategoricalFeaturesThatAreNotIdsTakeOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FeatureSpec("tags", Entity.ITEM,
                FeatureKind.MULTI_HOT, 4, false, List.of(), false, null, true));
        assertEquals("feature tags: only a numeric or categorical feature that is not an id can take a value per interaction",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FeatureSpec("user_id", Entity.USER, FeatureKind.CATEGORICAL, 4,
                true, List.of(), false, null, true));
    }

    @Test
    void aSplitRecordsOnlyPerInteractionFeaturesWithValuesOfTheirKind() {
        assertEquals(2, dataset(Map.of("user_recent", new float[] {0.5f, Float.NaN}, "device", new float[] {2, Float.NaN}))
                .train().features().size());
        assertMessage("split train records feature age per row, which is not a per-interaction feature",
                Map.of("age", new float[] {1, 2}));
        assertMessage("split train records feature colour per row, which is not in the schema", Map.of("colour", new float[] {1, 2}));
        assertMessage("split train, row 1: feature device expected a code from 0 to 2, got 3.0", Map.of("device", new float[] {1, 3}));
        assertMessage("split train, row 0: feature device expected a code from 0 to 2, got 0.5", Map.of("device", new float[] {0.5f, 1}));
        assertMessage("split train, row 1: feature user_recent expected a finite number, got Infinity",
                Map.of("user_recent", new float[] {0, Float.POSITIVE_INFINITY}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Interactions(new int[] {0, 1}, new int[] {0, 0}, Map.of(), Map.of("device", new float[] {1})));
        assertEquals("feature device has 1 values for 2 rows", e.getMessage());
    }

    private static void assertMessage(String expected, Map<String, float[]> columns) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dataset(columns));
        assertEquals(expected, e.getMessage());
    }

    /** Two users, one item; the train split has two rows, (u0, i0) and (u1, i0), with the given columns. */
    private static Dataset dataset(Map<String, float[]> columns) {
        EntityTable users = EntityTable.builder(Entity.USER, List.of("u0", "u1"))
                .dense("user_recent", 1, new float[] {0.1f, -0.2f})
                .categorical("device", new int[] {1, 2})
                .dense("age", 1, new float[] {30, 40})
                .build();
        EntityTable items = EntityTable.builder(Entity.ITEM, List.of("i0")).build();
        Interactions train = new Interactions(new int[] {0, 1}, new int[] {0, 0}, Map.of(), columns);
        return new Dataset("two rows", List.of(RECENT, DEVICE, FeatureSpec.numeric("age", Entity.USER)), users, items,
                Map.of(Dataset.TRAIN, train), Map.of(), Map.of());
    }
}
