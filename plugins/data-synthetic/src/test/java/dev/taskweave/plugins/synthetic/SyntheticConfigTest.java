package dev.taskweave.plugins.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.testkit.PluginConfigs;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyntheticConfigTest {
    static SyntheticConfig config(Map<String, Object> params) {
        return PluginConfigs.bind(params, SyntheticConfig.class);
    }

    @Test
    void defaults() {
        SyntheticConfig c = new SyntheticConfig();
        c.validate();
        assertEquals(2000, c.users());
        assertEquals(500, c.items());
        assertEquals(8, c.latentDim());
        assertEquals(6, c.segments());
        assertEquals(10, c.categories());
        assertEquals(12, c.tags());
        assertEquals(40, c.meanInteractionsPerUser());
        assertEquals(0.5, c.ratingNoise());
        assertEquals(0.1, c.validFraction());
        assertEquals(0.1, c.testFraction());
        assertEquals(0.05, c.coldUserFraction());
        assertEquals(100, c.coldUsers());
        assertEquals(0.1, c.attributeHoldout());
        assertEquals(200, c.attributeHoldoutUsers());
        assertEquals(50, c.attributeHoldoutItems());
        assertNull(c.seed());
    }

    @Test
    void fullMapping() {
        SyntheticConfig c = config(Map.ofEntries(
                Map.entry("users", 300), Map.entry("items", 120), Map.entry("latentDim", 4),
                Map.entry("segments", 3), Map.entry("categories", 5), Map.entry("tags", 7),
                Map.entry("meanInteractionsPerUser", 15.5), Map.entry("ratingNoise", 0.25),
                Map.entry("validFraction", 0.2), Map.entry("testFraction", 0.15),
                Map.entry("coldUserFraction", 0.1), Map.entry("attributeHoldout", 0.25), Map.entry("seed", 99)));
        c.validate();
        assertEquals(300, c.users());
        assertEquals(120, c.items());
        assertEquals(4, c.latentDim());
        assertEquals(3, c.segments());
        assertEquals(5, c.categories());
        assertEquals(7, c.tags());
        assertEquals(15.5, c.meanInteractionsPerUser());
        assertEquals(0.25, c.ratingNoise());
        assertEquals(0.2, c.validFraction());
        assertEquals(0.15, c.testFraction());
        assertEquals(0.1, c.coldUserFraction());
        assertEquals(30, c.coldUsers());
        assertEquals(0.25, c.attributeHoldout());
        assertEquals(75, c.attributeHoldoutUsers());
        assertEquals(30, c.attributeHoldoutItems());
        assertEquals(99L, c.seed());
    }

    @Test
    void unknownFieldIsRejected() {
        Exception e = assertThrows(IllegalArgumentException.class, () -> config(Map.of("user", 10)));
        assertTrue(e.getCause() instanceof UnrecognizedPropertyException, e.toString());
    }

    @Test
    void invalidValuesNameTheirField() {
        assertInvalid(Map.of("users", 1), "users");
        assertInvalid(Map.of("items", 0), "items");
        assertInvalid(Map.of("latentDim", 0), "latentDim");
        assertInvalid(Map.of("segments", 0), "segments");
        assertInvalid(Map.of("categories", -1), "categories");
        assertInvalid(Map.of("tags", 0), "tags");
        assertInvalid(Map.of("meanInteractionsPerUser", 0.5), "meanInteractionsPerUser");
        assertInvalid(Map.of("items", 50, "meanInteractionsPerUser", 40), "meanInteractionsPerUser");
        assertInvalid(Map.of("ratingNoise", -0.1), "ratingNoise");
        assertInvalid(Map.of("validFraction", 1.0), "validFraction");
        assertInvalid(Map.of("testFraction", -0.2), "testFraction");
        assertInvalid(Map.of("validFraction", 0.5, "testFraction", 0.5), "testFraction");
        assertInvalid(Map.of("coldUserFraction", 1.5), "coldUserFraction");
        assertInvalid(Map.of("users", 2, "coldUserFraction", 0.9), "coldUserFraction");
        assertInvalid(Map.of("attributeHoldout", -0.01), "attributeHoldout");
        assertInvalid(Map.of("attributeHoldout", 0.6), "attributeHoldout");
        assertInvalid(Map.of("attributeHoldout", Double.NaN), "attributeHoldout");
        assertInvalid(Map.of("attributeValid", -0.1), "attributeValid");
        assertInvalid(Map.of("attributeValid", Double.NaN), "attributeValid");
        assertInvalid(Map.of("attributeValid", 0.6), "attributeValid");
        config(Map.of("attributeHoldout", 0.5)).validate();
        config(Map.of("attributeHoldout", 0.0)).validate();
        // sizes past a Java array's length (they failed with NegativeArraySizeException while generating)
        assertInvalid(Map.of("items", 1_000_000, "tags", 2200), "tags");
        assertInvalid(Map.of("users", 300_000_000, "latentDim", 8, "meanInteractionsPerUser", 1), "latentDim");
        assertInvalid(Map.of("users", 30_000_000, "items", 100, "meanInteractionsPerUser", 40), "meanInteractionsPerUser");
        config(Map.of("items", 1_000_000, "tags", 2147)).validate();
        assertInvalid(Map.of("context", Map.of("devices", (1 << 24) + 1)), "context.devices");
    }

    @Test
    void theReservedNamesAreListedInOneOrder() {
        // a message that quotes them reads the same on every run (a Set.of iterates in an order drawn per JVM)
        assertEquals(java.util.List.of("dislike", "item_category", "item_tags", "like", "observed", "rating", "user_segment"),
                java.util.List.copyOf(SyntheticConfig.RESERVED_LABELS));
    }

    @Test
    void scoresAndConflictMapAndValidateWithTheirPaths() {
        SyntheticConfig c = config(Map.of("scores", Map.of("score_low", 0.5), "conflict", Map.of("strength", 3.0)));
        c.validate();
        assertEquals(Map.of("score_low", 0.5), c.scores());
        assertEquals(3.0, c.conflict().strength());
        assertEquals(2.0, config(Map.of("conflict", Map.of())).conflict().strength());
        assertTrue(new SyntheticConfig().scores().isEmpty());
        assertNull(new SyntheticConfig().conflict());
        assertInvalid(Map.of("scores", Map.of("rating", 1.0)), "scores.rating");
        assertInvalid(Map.of("scores", Map.of("dislike", 1.0)), "scores.dislike");
        assertInvalid(Map.of("scores", Map.of("bad-name", 1.0)), "scores.bad-name");
        assertInvalid(Map.of("scores", Map.of("noisy", -0.5)), "scores.noisy");
        assertInvalid(Map.of("scores", Map.of("noisy", Double.POSITIVE_INFINITY)), "scores.noisy");
        assertInvalid(Map.of("conflict", Map.of("strength", 0.0)), "conflict.strength");
        assertInvalid(Map.of("conflict", Map.of("strength", Double.NaN)), "conflict.strength");
        SyntheticConfig o = config(Map.of("opposedScores", Map.of("name", "pair", "sigma", 2.0)));
        o.validate();
        assertEquals("pair_plus", o.opposedScores().plusLabel());
        assertEquals("pair_minus", o.opposedScores().minusLabel());
        assertEquals(2.0, o.opposedScores().sigma());
        assertEquals("opposed", config(Map.of("opposedScores", Map.of())).opposedScores().name());
        assertEquals(1.0, config(Map.of("opposedScores", Map.of())).opposedScores().sigma());
        assertNull(new SyntheticConfig().opposedScores());
        assertInvalid(Map.of("opposedScores", Map.of("sigma", 0.0)), "opposedScores.sigma");
        assertInvalid(Map.of("opposedScores", Map.of("sigma", Double.NaN)), "opposedScores.sigma");
        assertInvalid(Map.of("opposedScores", Map.of("name", "bad-name")), "opposedScores.name");
        assertInvalid(Map.of("opposedScores", Map.of("name", "pair"), "scores", Map.of("pair_minus", 1.0)), "opposedScores.name");
        Exception e = assertThrows(IllegalArgumentException.class, () -> config(Map.of("conflict", Map.of("weight", 1))));
        assertTrue(e.getCause() instanceof UnrecognizedPropertyException, e.toString());
    }

    @Test
    void contextMapsAndValidatesWithItsPaths() {
        assertNull(new SyntheticConfig().context());
        ContextConfig defaults = config(Map.of("context", Map.of())).context();
        defaults.validate();
        assertEquals(3, defaults.devices());
        assertEquals(0.8, defaults.effect());
        assertArrayEquals(new double[] {-0.8, 0.0, 0.8}, defaults.offsets());
        SyntheticConfig c = config(Map.of("context", Map.of("devices", 4, "effect", 0.3)));
        c.validate();
        assertEquals(4, c.context().devices());
        assertEquals(0.3, c.context().effect());
        // evenly spaced, exactly symmetric about 0
        double[] offsets = c.context().offsets();
        assertEquals(-0.3, offsets[0], 1e-15);
        assertEquals(-0.1, offsets[1], 1e-15);
        assertEquals(-offsets[0], offsets[3]);
        assertEquals(-offsets[1], offsets[2]);
        assertArrayEquals(new double[] {0.0, 0.0}, config(Map.of("context", Map.of("devices", 2, "effect", 0.0))).context().offsets());
        assertInvalid(Map.of("context", Map.of("devices", 1)), "context.devices");
        assertInvalid(Map.of("context", Map.of("devices", -3)), "context.devices");
        assertInvalid(Map.of("context", Map.of("effect", -0.1)), "context.effect");
        assertInvalid(Map.of("context", Map.of("effect", Double.NaN)), "context.effect");
        assertInvalid(Map.of("context", Map.of("effect", Double.POSITIVE_INFINITY)), "context.effect");
        Exception e = assertThrows(IllegalArgumentException.class, () -> config(Map.of("context", Map.of("device", 3))));
        assertTrue(e.getCause() instanceof UnrecognizedPropertyException, e.toString());
    }

    @Test
    void aScoreMayNotBeNamedAfterAnAttribute() {
        // a task's label names an attribute before a label column: such a score would never be read
        for (String attribute : new String[] {"user_segment", "item_category", "item_tags"}) {
            assertInvalid(Map.of("scores", Map.of(attribute, 0.5)), "scores." + attribute);
        }
    }

    @Test
    void sharesThatRoundToNoEntityOrLeaveNoneToTrainOnAreWarnedAbout() {
        // warnings, not refusals: a model trained on such data keeps loading
        SyntheticConfig nine = config(Map.of("users", 9));
        nine.validate();
        assertEquals(java.util.List.of("coldUserFraction 0.05 of 9 users rounds to none: no cold-user slice (test_cold_user is"
                + " empty) (at least 0.0556 gives one)"), nine.sliceWarnings());
        assertEquals(java.util.List.of(), config(Map.of("users", 9, "coldUserFraction", 0.0, "attributeHoldout", 0.2)).sliceWarnings());
        // the default attributeHoldout 0.1 of 4 items holds out none
        java.util.List<String> items = config(Map.of("items", 4, "meanInteractionsPerUser", 2)).sliceWarnings();
        assertEquals(1, items.size(), items.toString());
        assertTrue(items.get(0).startsWith("attributeHoldout 0.1 of 4 items rounds to none"), items.toString());
        // 1000 held out + 1000 validating of 2000 users: none left to train user_segment on
        assertEquals(java.util.List.of("attributeHoldout + attributeValid leave no user to train user_segment on: 1000 held out"
                + " + 1000 validating of 2000 users", "attributeHoldout + attributeValid leave no item to train item_category and"
                + " item_tags on: 250 held out + 250 validating of 500 items"),
                config(Map.of("attributeHoldout", 0.5, "attributeValid", 0.5)).sliceWarnings());
        assertEquals(java.util.List.of(), new SyntheticConfig().sliceWarnings());
        // 2 of 3 users held out (1.5 rounds to 2): the validating ones are the 1 left, as the generator draws them
        assertEquals("attributeHoldout + attributeValid leave no user to train user_segment on: 2 held out + 1 validating of 3"
                + " users", config(Map.of("users", 3, "coldUserFraction", 0.0, "attributeHoldout", 0.5, "attributeValid", 0.5))
                .sliceWarnings().get(0));
    }

    private static void assertInvalid(Map<String, Object> params, String path) {
        InvalidConfigException e = PluginConfigs.assertInvalid(params, SyntheticConfig.class, path);
        assertTrue(e.getMessage().startsWith(path + ": "), e.getMessage());
    }
}
