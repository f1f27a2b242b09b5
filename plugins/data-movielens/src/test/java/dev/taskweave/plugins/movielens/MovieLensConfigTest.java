package dev.taskweave.plugins.movielens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.testkit.PluginConfigs;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MovieLensConfigTest {
    static MovieLensConfig config(Map<String, Object> params) {
        return PluginConfigs.bind(params, MovieLensConfig.class);
    }

    @Test
    void defaults() {
        MovieLensConfig c = new MovieLensConfig();
        assertNull(c.directory());
        assertNull(c.benchmark());
        assertNull(c.fold());
        assertEquals(0.1, c.validFraction());
        assertEquals(0.1, c.testFraction());
        assertNull(c.seed());
        assertEquals(0.0, c.attributeHoldout());
        assertEquals(MovieLensConfig.SplitMode.RANDOM, c.splitMode());
        assertEquals(MovieLensConfig.History.NONE, c.history());
        assertInvalid(Map.of(), "directory");
    }

    @Test
    void fullMapping() {
        MovieLensConfig random = config(Map.of("directory", "ml-100k", "validFraction", 0.2, "testFraction", 0.05, "seed", 3));
        random.validate();
        assertEquals("ml-100k", random.directory());
        assertEquals(0.2, random.validFraction());
        assertEquals(0.05, random.testFraction());
        assertEquals(3L, random.seed());
        assertEquals(MovieLensConfig.SplitMode.RANDOM, random.splitMode());

        MovieLensConfig benchmark = config(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl"));
        benchmark.validate();
        assertEquals("ml100k-mtl", benchmark.benchmark());
        assertEquals(MovieLensConfig.SplitMode.BENCHMARK, benchmark.splitMode());

        MovieLensConfig fold = config(Map.of("directory", "ml-100k", "fold", "u3", "validFraction", 0.15,
                "attributeHoldout", 0.25));
        fold.validate();
        assertEquals(0.25, fold.attributeHoldout());
        assertEquals("u3", fold.fold());
        assertEquals(0.15, fold.validFraction());
        assertEquals(MovieLensConfig.SplitMode.FOLD, fold.splitMode());

        assertEquals(MovieLensConfig.History.RATINGS, config(Map.of("directory", "d", "history", "ratings")).history());
        assertEquals(MovieLensConfig.History.IMPLICIT, config(Map.of("directory", "d", "history", "implicit")).history());
        assertThrows(IllegalArgumentException.class, () -> config(Map.of("directory", "d", "history", "all")));
        MovieLensConfig mixed = config(Map.of("directory", "d", "history", "implicit", "userHistory", "ratings"));
        assertEquals(MovieLensConfig.History.RATINGS, mixed.userHistory());
        assertEquals(MovieLensConfig.History.IMPLICIT, mixed.itemHistory());
        MovieLensConfig userOnly = config(Map.of("directory", "d", "history", "implicit", "itemHistory", "none"));
        assertEquals(MovieLensConfig.History.IMPLICIT, userOnly.userHistory());
        assertEquals(MovieLensConfig.History.NONE, userOnly.itemHistory());
        assertThrows(IllegalArgumentException.class, () -> config(Map.of("directory", "d", "itemHistory", "every")));
    }

    @Test
    void unknownFieldIsRejected() {
        Exception e = assertThrows(IllegalArgumentException.class, () -> config(Map.of("directory", "d", "folds", "u1")));
        assertTrue(e.getCause() instanceof UnrecognizedPropertyException, e.toString());
    }

    @Test
    void twoSplitModesAtOnceAreAnError() {
        InvalidConfigException e = assertInvalid(Map.of("directory", "d", "benchmark", "b", "fold", "u1"), "fold");
        assertTrue(e.reason().contains("benchmark and fold are both set"), e.getMessage());
    }

    @Test
    void invalidValuesNameTheirField() {
        assertInvalid(Map.of("directory", " "), "directory");
        assertInvalid(Map.of("directory", "d", "benchmark", ""), "benchmark");
        assertInvalid(Map.of("directory", "d", "fold", "u6"), "fold");
        assertInvalid(Map.of("directory", "d", "fold", "ua"), "fold");
        assertInvalid(Map.of("directory", "d", "validFraction", 1.0), "validFraction");
        assertInvalid(Map.of("directory", "d", "testFraction", -0.1), "testFraction");
        assertInvalid(Map.of("directory", "d", "validFraction", 0.6, "testFraction", 0.4), "testFraction");
        assertInvalid(Map.of("directory", "d", "benchmark", "b", "validFraction", 0.2), "validFraction");
        assertInvalid(Map.of("directory", "d", "benchmark", "b", "testFraction", 0.2), "testFraction");
        assertInvalid(Map.of("directory", "d", "fold", "u1", "testFraction", 0.2), "testFraction");
        assertInvalid(Map.of("directory", "d", "benchmark", "b", "seed", 1), "seed");
        assertInvalid(Map.of("directory", "d", "attributeHoldout", -0.1), "attributeHoldout");
        assertInvalid(Map.of("directory", "d", "attributeHoldout", 0.6), "attributeHoldout");
        assertInvalid(Map.of("directory", "d", "benchmark", "b", "attributeHoldout", 0.51), "attributeHoldout");
        config(Map.of("directory", "d", "attributeHoldout", 0.5)).validate();
        // with an attribute holdout, a seed has a use in benchmark mode: it chooses the held-out users
        config(Map.of("directory", "d", "benchmark", "b", "attributeHoldout", 0.1, "seed", 1)).validate();
        assertInvalid(Map.of("directory", "d", "genreValidFraction", -0.1), "genreValidFraction");
        assertInvalid(Map.of("directory", "d", "genreValidFraction", 0.6), "genreValidFraction");
        // and with genre validation items, which it chooses
        config(Map.of("directory", "d", "benchmark", "b", "genreValidFraction", 0.1, "seed", 1)).validate();
        assertEquals("expected how many of a user's latest ratings to average, from 1 to 10000 (0: no such feature), got -1",
                assertInvalid(Map.of("directory", "d", "recentRatings", -1), "recentRatings").getMessage().replaceFirst("^.*?: ", ""));
        assertInvalid(Map.of("directory", "d", "recentRatings", 10_001), "recentRatings");
        assertEquals(5, config(Map.of("directory", "d", "recentRatings", 5)).recentRatings());
        assertInvalid(Map.of("directory", "d", "benchmark", "b", "validRankings", -1), "validRankings");
        assertInvalid(Map.of("directory", "d", "benchmark", "b", "validRankings", 1_001), "validRankings");
        assertInvalid(Map.of("directory", "d", "fold", "u1", "validRankings", 99), "validRankings");
        // its draws take a seed in benchmark mode
        MovieLensConfig ranked = config(Map.of("directory", "d", "benchmark", "b", "validRankings", 99, "seed", 7));
        ranked.validate();
        assertEquals(99, ranked.validRankings());
    }

    private static InvalidConfigException assertInvalid(Map<String, Object> params, String path) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> config(params).validate());
        assertEquals(path, e.path(), e.getMessage());
        return e;
    }
}
