package dev.taskweave.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.NumericScale;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EntityRowTest {
    static final List<FeatureSpec> FEATURES = List.of(
            FeatureSpec.identifier("user_id", Entity.USER, 3),
            FeatureSpec.categorical("user_segment", Entity.USER, 4),
            FeatureSpec.numeric("user_activity", Entity.USER),
            FeatureSpec.multiHot("user_tags", Entity.USER, 2),
            FeatureSpec.identifier("item_id", Entity.ITEM, 5));

    static EntityTable users() {
        return EntityTable.builder(Entity.USER, List.of("u0", "u1"))
                .categorical("user_id", new int[] {1, 2})
                .categorical("user_segment", new int[] {3, 1})
                .dense("user_activity", 1, new float[] {0.5f, -1f})
                .dense("user_tags", 2, new float[] {1, 0, 0, 1})
                .build();
    }

    @Test
    void newUsersHistoriesTakeNoMemoryPerItem() {
        // a thousand new users over three million items: rows x width is past an int (a
        // NegativeArraySizeException before), and 12 GB of zeros below that
        List<FeatureSpec> wide = List.of(FeatureSpec.identifier("user_id", Entity.USER, 3),
                FeatureSpec.history("user_history", Entity.USER, 3_000_000));
        List<EntityRow> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            rows.add(EntityRow.fromValues(Entity.USER, "new-" + i, wide, Map.of()));
        }
        assertEquals(0, rows.get(0).values("user_history").length, "a new user's history holds no values");
        EntityTable table = EntityRow.table(Entity.USER, wide, rows);
        assertEquals(1000, table.size());
        dev.taskweave.api.data.SparseRows history = table.sparse("user_history");
        assertEquals(0, history.start(1000), "no entries");
    }

    @Test
    void knownRowsCopyTheTableAndNewRowsUseTheSameEncoding() {
        EntityRow known = EntityRow.of(users(), 1, FEATURES);
        assertEquals(2, known.code("user_id"));
        assertEquals(1, known.code("user_segment"));
        assertArrayEquals(new float[] {-1f}, known.values("user_activity"));
        assertArrayEquals(new float[] {0, 1}, known.values("user_tags"));

        Map<String, Object> values = new LinkedHashMap<>();
        values.put("user_segment", 2L);
        values.put("user_tags", List.of(1, 1.0));
        EntityRow fresh = EntityRow.fromValues(Entity.USER, "new", FEATURES, values);
        assertEquals(0, fresh.code("user_id"));
        assertEquals(2, fresh.code("user_segment"));
        assertArrayEquals(new float[] {0f}, fresh.values("user_activity"));
        assertArrayEquals(new float[] {1, 1}, fresh.values("user_tags"));

        EntityTable table = EntityRow.table(Entity.USER, FEATURES, List.of(known, fresh));
        assertEquals(2, table.size());
        assertArrayEquals(new int[] {2, 0}, table.categorical("user_id"));
        assertArrayEquals(new int[] {1, 2}, table.categorical("user_segment"));
        assertArrayEquals(new float[] {-1f, 0f}, table.dense("user_activity"));
        assertArrayEquals(new float[] {0, 1, 1, 1}, table.dense("user_tags"));
    }

    @Test
    void labelledFeaturesTakeRawValuesOrCodes() {
        List<FeatureSpec> features = List.of(
                FeatureSpec.categorical("user_occupation", Entity.USER, List.of("artist", "engineer", "writer")),
                FeatureSpec.categorical("user_segment", Entity.USER, 4));
        assertEquals(List.of("artist", "engineer", "writer"), features.get(0).labels());
        assertEquals(4, features.get(0).size());
        assertEquals(2, EntityRow.fromValues(Entity.USER, "a", features, Map.of("user_occupation", "engineer")).code("user_occupation"));
        assertEquals(3, EntityRow.fromValues(Entity.USER, "b", features, Map.of("user_occupation", 3)).code("user_occupation"));
        InvalidFeatureException e = assertThrows(InvalidFeatureException.class,
                () -> EntityRow.fromValues(Entity.USER, "c", features, Map.of("user_occupation", "pilot")));
        assertEquals("user_occupation", e.feature());
        assertEquals("unknown value 'pilot'; the model knows [artist, engineer, writer]", e.reason());
        e = assertThrows(InvalidFeatureException.class,
                () -> EntityRow.fromValues(Entity.USER, "d", features, Map.of("user_occupation", true)));
        assertEquals("expected one of [artist, engineer, writer] or a code in [0, 4), got true", e.reason());
        // without labels a string is still an error
        e = assertThrows(InvalidFeatureException.class,
                () -> EntityRow.fromValues(Entity.USER, "e", features, Map.of("user_segment", "gold")));
        assertEquals("expected an integer category code in [0, 4), got 'gold'", e.reason());
    }

    @Test
    void rawNumbersAreScaledAndNamedColumnsSet() {
        List<FeatureSpec> features = List.of(
                FeatureSpec.numeric("item_price", Entity.ITEM, new NumericScale(true, 2.0, 0.5)),
                FeatureSpec.numeric("item_year", Entity.ITEM, new NumericScale(false, 1990, 10)),
                FeatureSpec.numeric("item_weight", Entity.ITEM),
                FeatureSpec.multiHot("item_tags", Entity.ITEM, List.of("new", "sale", "eco")));
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("item_price", Math.E * Math.E - 1); // log(1 + x) = 2: (2 - 2) / 0.5 = 0
        values.put("item_year", 1975);                 // (1975 - 1990) / 10
        values.put("item_weight", 3.5);                // no scale: as given
        values.put("item_tags", List.of("eco", "new"));
        EntityRow row = EntityRow.fromValues(Entity.ITEM, "i", features, values);
        assertEquals(0f, row.values("item_price")[0], 1e-6f);
        assertArrayEquals(new float[] {-1.5f}, row.values("item_year"));
        assertArrayEquals(new float[] {3.5f}, row.values("item_weight"));
        assertArrayEquals(new float[] {1, 0, 1}, row.values("item_tags"));
        values.put("item_price", Math.exp(3) - 1);     // (3 - 2) / 0.5 = 2
        values.put("item_tags", List.of(0, 1, 0));     // numbers still work
        row = EntityRow.fromValues(Entity.ITEM, "i", features, values);
        assertEquals(2f, row.values("item_price")[0], 1e-6f);
        assertArrayEquals(new float[] {0, 1, 0}, row.values("item_tags"));
        assertArrayEquals(new float[] {0, 0, 0},
                EntityRow.fromValues(Entity.ITEM, "i", features, Map.of("item_tags", List.of())).values("item_tags"));

        InvalidFeatureException e = assertThrows(InvalidFeatureException.class,
                () -> EntityRow.fromValues(Entity.ITEM, "i", features, Map.of("item_tags", List.of("eco", "vintage"))));
        assertEquals("item_tags", e.feature());
        assertEquals("unknown value 'vintage'; the model knows [new, sale, eco]", e.reason());
        e = assertThrows(InvalidFeatureException.class,
                () -> EntityRow.fromValues(Entity.ITEM, "i", features, Map.of("item_tags", List.of(1))));
        assertEquals("expected a list of 3 numbers or the names of its set columns, from [new, sale, eco], got a list of 1", e.reason());
        // named columns are flags: another number, or a name given twice, is refused
        e = assertThrows(InvalidFeatureException.class,
                () -> EntityRow.fromValues(Entity.ITEM, "i", features, Map.of("item_tags", List.of(1, 0, -5))));
        assertEquals("item_tags[2]", e.feature());
        assertEquals("expected a flag, 0 or 1 (column 'eco' is set or not), got -5", e.reason());
        e = assertThrows(InvalidFeatureException.class,
                () -> EntityRow.fromValues(Entity.ITEM, "i", features, Map.of("item_tags", List.of(0, 2, 0))));
        assertEquals("expected a flag, 0 or 1 (column 'sale' is set or not), got 2", e.reason());
        e = assertThrows(InvalidFeatureException.class,
                () -> EntityRow.fromValues(Entity.ITEM, "i", features, Map.of("item_tags", List.of("eco", "new", "eco"))));
        assertEquals("item_tags", e.feature());
        assertEquals("'eco' is named twice; name each set column once", e.reason());
        e = assertThrows(InvalidFeatureException.class,
                () -> EntityRow.fromValues(Entity.ITEM, "i", features, Map.of("item_price", -1)));
        assertEquals("item_price", e.feature());
        assertEquals("the value is read as log(1 + x), which needs x > -1; got -1.0", e.reason());
    }

    @Test
    void scalesAndColumnNamesBelongToTheirKinds() {
        assertThrows(IllegalArgumentException.class, () -> new FeatureSpec("f", Entity.USER,
                dev.taskweave.api.data.FeatureKind.MULTI_HOT, 3, false, List.of("a", "b")));
        assertThrows(IllegalArgumentException.class, () -> new FeatureSpec("f", Entity.USER,
                dev.taskweave.api.data.FeatureKind.MULTI_HOT, 2, false, List.of("a", "b"), true));
        assertThrows(IllegalArgumentException.class, () -> new FeatureSpec("f", Entity.USER,
                dev.taskweave.api.data.FeatureKind.CATEGORICAL, 3, false, List.of(), false, new NumericScale(false, 0, 1)));
        assertThrows(IllegalArgumentException.class, () -> new NumericScale(false, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new NumericScale(false, Double.NaN, 1));
        FeatureSpec tags = FeatureSpec.multiHot("f", Entity.USER, List.of("a", "b"));
        assertEquals(1, tags.columnOf("b"));
        assertEquals(-1, tags.codeOf("b"));
        assertEquals(-1, FeatureSpec.categorical("g", Entity.USER, List.of("a", "b")).columnOf("b"));
    }

    @Test
    void labelsMustNameEveryCodeOnce() {
        assertThrows(IllegalArgumentException.class, () -> new FeatureSpec("f", Entity.USER,
                dev.taskweave.api.data.FeatureKind.CATEGORICAL, 4, false, List.of("a", "b")));
        assertThrows(IllegalArgumentException.class, () -> FeatureSpec.categorical("f", Entity.USER, List.of("a", "a")));
        assertThrows(IllegalArgumentException.class, () -> new FeatureSpec("f", Entity.USER,
                dev.taskweave.api.data.FeatureKind.NUMERIC, 1, false, List.of("x")));
    }

    @Test
    void badValuesNameTheFeature() {
        assertInvalid(Map.of("user_segment", 4L), "user_segment", "unknown category code 4; the model knows codes 1..3 (0 = unknown)");
        assertInvalid(Map.of("user_segment", -1L), "user_segment", "unknown category code -1; the model knows codes 1..3 (0 = unknown)");
        assertInvalid(Map.of("user_segment", "gold"), "user_segment", "expected an integer category code in [0, 4), got 'gold'");
        assertInvalid(Map.of("user_segment", 1.5), "user_segment", "expected an integer category code in [0, 4), got 1.5");
        assertInvalid(Map.of("user_activity", "high"), "user_activity", "expected a finite number, got 'high'");
        assertInvalid(Map.of("user_tags", List.of(1)), "user_tags", "expected a list of 2 numbers, got a list of 1");
        // a vector whose columns have no names is any numbers (a weight), not flags
        assertArrayEquals(new float[] {0, 2.5f}, EntityRow.fromValues(Entity.USER, "x", FEATURES, Map.of("user_tags", List.of(0, 2.5)))
                .values("user_tags"));
        assertInvalid(Map.of("user_id", 1L), "user_id", "is the identifier and cannot be given for a new entity");
        assertInvalid(Map.of("item_id", 1L), "item_id", "the model has no user feature of that name; it has [user_segment, user_activity, user_tags]");
    }

    @Test
    void numbersAFloatCannotHoldAreRefusedNotReadAsInfinity() {
        // finite JSON numbers that overflow a float: the model would read infinity and score NaN
        assertInvalid(Map.of("user_activity", 1e300), "user_activity",
                "1.0E300 is beyond the range of a float (about 3.4e38 either way), which the model reads; expected a finite number within it");
        assertInvalid(Map.of("user_activity", -1e39), "user_activity",
                "-1.0E39 is beyond the range of a float (about 3.4e38 either way), which the model reads; expected a finite number within it");
        assertInvalid(Map.of("user_tags", List.of(0, 1e300)), "user_tags[1]",
                "1.0E300 is beyond the range of a float (about 3.4e38 either way), which the model reads; expected a finite number within it");
        assertEquals(3.0e38f, EntityRow.fromValues(Entity.USER, "x", FEATURES, Map.of("user_activity", 3.0e38)).values("user_activity")[0]);

        // a scaled feature is checked on the value the model reads: a raw 1e300 under log(1 + x) is fine, one scaled past a float is not
        List<FeatureSpec> scaled = List.of(
                FeatureSpec.numeric("item_price", Entity.ITEM, new NumericScale(true, 0, 1)),
                FeatureSpec.numeric("item_year", Entity.ITEM, new NumericScale(false, 0, 0.5)));
        assertEquals((float) Math.log1p(1e300), EntityRow.fromValues(Entity.ITEM, "i", scaled, Map.of("item_price", 1e300)).values("item_price")[0]);
        InvalidFeatureException e = assertThrows(InvalidFeatureException.class,
                () -> EntityRow.fromValues(Entity.ITEM, "i", scaled, Map.of("item_year", 3e38)));
        assertEquals("item_year", e.feature());
        assertEquals("3.0E38 scales to 6.0E38 ((x - 0.0) / 0.5), beyond the range of a float (about 3.4e38 either way), which the"
                + " model reads; expected a finite number within it", e.reason());
        // the context of a request is encoded the same way
        e = assertThrows(InvalidFeatureException.class, () -> EntityRow.context(
                List.of(new FeatureSpec("user_hour", Entity.USER, dev.taskweave.api.data.FeatureKind.NUMERIC, 1, false, List.of(), false, null, true)),
                Map.of("user_hour", 1e300)));
        assertEquals("user_hour", e.feature());
    }

    @Test
    void featuresDerivedFromInteractionsCannotBeGiven() {
        List<FeatureSpec> features = List.of(
                FeatureSpec.identifier("user_id", Entity.USER, 3),
                FeatureSpec.categorical("user_segment", Entity.USER, 4),
                FeatureSpec.history("user_history", Entity.USER, 5),
                FeatureSpec.recent("user_recent", Entity.USER),
                FeatureSpec.pair("item_neighbours"));
        InvalidFeatureException e = assertThrows(InvalidFeatureException.class,
                () -> EntityRow.fromValues(Entity.USER, "x", features, Map.of("user_history", List.of(1, 0, 0, 0, 0))));
        assertEquals("user_history", e.feature());
        assertEquals("is derived from the user's interactions in training (a history) and cannot be given for a new user, which has none",
                e.reason());
        e = assertThrows(InvalidFeatureException.class, () -> EntityRow.fromValues(Entity.USER, "x", features, Map.of("user_recent", 3.5)));
        assertEquals("user_recent", e.feature());
        e = assertThrows(InvalidFeatureException.class, () -> EntityRow.fromValues(Entity.ITEM, "i", features, Map.of("item_neighbours", 1)));
        assertEquals("is computed by the model for each (user, item) pair and cannot be given", e.reason());
        // the features a new user may be given leave the id and the histories out
        e = assertThrows(InvalidFeatureException.class, () -> EntityRow.fromValues(Entity.USER, "x", features, Map.of("user_age", 3)));
        assertEquals("the model has no user feature of that name; it has [user_segment]", e.reason());
        assertEquals(2, EntityRow.fromValues(Entity.USER, "x", features, Map.of("user_segment", 2)).code("user_segment"));
    }

    private static void assertInvalid(Map<String, ?> values, String feature, String reason) {
        InvalidFeatureException e = assertThrows(InvalidFeatureException.class,
                () -> EntityRow.fromValues(Entity.USER, "x", FEATURES, values));
        assertEquals(feature, e.feature());
        assertEquals(reason, e.reason());
    }
}
