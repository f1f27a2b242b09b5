package dev.taskweave.plugins.movielens;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.data.DataContext;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityAttribute;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.api.data.RankingCandidates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Checks the real MovieLens-100K files and the ml100k-mtl benchmark when the shared folder exists. */
class MovieLensRealDataTest {
    private static Path projectRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("framework-api"))) {
            dir = dir.getParent();
        }
        Assumptions.assumeTrue(dir != null, "project root (with framework-api) not found: skipping");
        return dir;
    }

    private static Path shared(String relative) {
        Path p = projectRoot().resolve(relative).normalize();
        Assumptions.assumeTrue(Files.isDirectory(p), "MovieLens not found at " + p + ": skipping");
        return p;
    }

    private static Dataset read(Map<String, Object> params) {
        MovieLensConfig config = MovieLensConfigTest.config(params);
        config.validate();
        return new MovieLensSource(config, new DataContext(Path.of("/"), 42)).load();
    }

    @Test
    void benchmarkSplitsMatchTheProtocol() throws IOException {
        Path ml = shared("../shared/data/ml-100k");
        Path benchmark = shared("../shared/benchmarks/ml100k-mtl");
        Dataset d = read(Map.of("directory", ml.toString(), "benchmark", benchmark.toString()));

        assertEquals(943, d.users().size());
        assertEquals(1682, d.items().size());
        assertEquals(64_255, d.train().size());
        assertEquals(8_011, d.splits().get("valid").size());
        assertEquals(8_019, d.splits().get("test").size());
        assertEquals(9_423, d.splits().get("test_cold_user").size());
        assertEquals(9_198, d.splits().get("test_cold_item").size());

        int[] userCodes = d.users().categorical("user_id");
        int[] itemCodes = d.items().categorical("item_id");
        List<String> coldUsers = lines(benchmark.resolve("cold_users.txt"));
        assertEquals(94, coldUsers.size());
        for (String id : coldUsers) {
            assertEquals(0, userCodes[d.users().indexOf(id)], "cold user " + id);
        }
        for (String id : lines(benchmark.resolve("cold_items.txt"))) {
            assertEquals(0, itemCodes[d.items().indexOf(id)], "cold item " + id);
        }
        assertEquals(943 - 94 + 1, d.features().stream().filter(f -> f.name().equals("user_id")).findFirst().orElseThrow().size());
        for (int u : d.splits().get("test_cold_user").users()) {
            assertEquals(0, userCodes[u]);
        }
        Interactions test = d.splits().get("test");
        for (int r = 0; r < test.size(); r++) {
            assertTrue(userCodes[test.users()[r]] > 0 && itemCodes[test.items()[r]] > 0, "test rows are warm");
        }

        List<String> hidden = lines(benchmark.resolve("genre_hidden_items.txt"));
        assertEquals(149, hidden.size());
        float[] genres = d.items().dense("item_genres");
        assertEquals(1682 * 19, genres.length);
        EntityAttribute itemGenres = d.attributes().get("item_genres");
        Map<String, float[]> fileFlags = genreFlagsOfUItem(ml);
        int[] evaluated = d.attributeEvaluation().get("genre_hidden").get("item_genres");
        assertEquals(149, evaluated.length);
        Set<Integer> hiddenIndices = new HashSet<>();
        for (int k = 0; k < hidden.size(); k++) {
            String id = hidden.get(k);
            int item = d.items().indexOf(id);
            assertEquals(item, evaluated[k], "genre_hidden lists the items in file order");
            hiddenIndices.add(item);
            float sum = 0;
            for (int g = 0; g < 19; g++) {
                assertEquals(0f, genres[item * 19 + g], "hidden item " + id + ": its feature row is zero");
                assertEquals(fileFlags.get(id)[g], itemGenres.values()[item * 19 + g], "hidden item " + id + ": true flags");
                sum += itemGenres.values()[item * 19 + g];
            }
            assertTrue(sum >= 1, "item " + id + " keeps its withheld genres for evaluation");
        }
        for (int item = 0; item < 1682; item++) {
            assertTrue(itemGenres.known()[item], "every item's genres are known");
            if (!hiddenIndices.contains(item)) {
                float sum = 0;
                for (int g = 0; g < 19; g++) {
                    sum += genres[item * 19 + g];
                    assertEquals(genres[item * 19 + g], itemGenres.values()[item * 19 + g], "visible item " + item);
                }
                assertTrue(sum >= 1, "visible item " + item + " has a genre");
            }
        }
        for (String id : lines(benchmark.resolve("cold_items.txt"))) {
            int item = d.items().indexOf(id);
            assertArrayEquals(fileFlags.get(id), java.util.Arrays.copyOfRange(genres, item * 19, item * 19 + 19),
                    "cold item " + id + " keeps its genres as a feature");
        }
        assertEquals(Set.of("genre_hidden"), d.attributeEvaluation().keySet(), "no user is held out by default");
        assertEquals(hidden.size(), d.description().get(MovieLensSource.GENRE_HIDDEN_ITEMS).split(",").length);

        RankingCandidates ranking = d.rankings().get("test");
        assertEquals(826, ranking.size());
        Set<Long> rated = new HashSet<>();
        for (Interactions s : d.splits().values()) {
            for (int r = 0; r < s.size(); r++) {
                rated.add((long) s.users()[r] * 10_000 + s.items()[r]);
            }
        }
        for (int l = 0; l < ranking.size(); l++) {
            assertEquals(99, ranking.negatives()[l].length);
            assertTrue(rated.contains((long) ranking.users()[l] * 10_000 + ranking.positives()[l]));
            for (int negative : ranking.negatives()[l]) {
                assertTrue(!rated.contains((long) ranking.users()[l] * 10_000 + negative));
            }
        }
        assertEquals("99", d.description().get("rankings.test.negatives"));
        assertEquals("1", d.description().get("itemsWithoutReleaseDate"));
    }

    @Test
    void canonicalFoldSizes() {
        Path ml = shared("../shared/data/ml-100k");
        Dataset d = read(Map.of("directory", ml.toString(), "fold", "u1"));
        assertEquals(80_000, d.train().size() + d.splits().get("valid").size());
        assertEquals(8_000, d.splits().get("valid").size());
        assertEquals(72_000, d.train().size());
        assertEquals(20_000, d.splits().get("test").size());
        assertEquals(943, d.users().size());
        assertEquals(1682, d.items().size());
    }

    @Test
    void randomSplitOfAllRatings() {
        Path ml = shared("../shared/data/ml-100k");
        Dataset d = read(Map.of("directory", ml.toString()));
        assertEquals(80_000, d.train().size());
        assertEquals(10_000, d.splits().get("valid").size());
        assertEquals(10_000, d.splits().get("test").size());
        double mean = 0;
        for (float r : d.train().label("rating")) {
            mean += r;
        }
        mean /= d.train().size();
        assertTrue(mean > 3.4 && mean < 3.65, "mean rating " + mean);
        // Toy Story: released 1995, Animation, Children's, Comedy
        int toyStory = d.items().indexOf("1");
        assertEquals(0.5f, d.items().dense("item_year")[toyStory], 1e-6f);
    }

    @Test
    void attributesOfTheRealFiles() {
        Path ml = shared("../shared/data/ml-100k");
        Dataset d = read(Map.of("directory", ml.toString()));
        assertEquals(List.of("user_gender", "user_age", "user_occupation", "item_genres"), List.copyOf(d.attributes().keySet()));
        Map<String, Integer> widths = Map.of("user_gender", 2, "user_age", 7, "user_occupation", 21, "item_genres", 19);
        for (EntityAttribute a : d.attributes().values()) {
            assertEquals(widths.get(a.name()), a.width(), a.name());
            int entities = a.entity() == Entity.USER ? 943 : 1682;
            assertEquals(entities, a.known().length, a.name());
            for (boolean known : a.known()) {
                assertTrue(known, a.name());
            }
            if (a.kind() == EntityAttribute.Kind.CLASS) {
                int[] codes = d.users().categorical(a.name());
                for (int u = 0; u < 943; u++) {
                    assertTrue(a.values()[u] >= 0 && a.values()[u] < a.width(), a.name() + " class of user " + u);
                    assertEquals(codes[u] - 1, a.values()[u], a.name() + " class = feature code - 1");
                }
            }
        }
        assertTrue(d.attributeEvaluation().isEmpty(), "the random split holds out no attribute by default");
        // user 1: 24, M, technician
        int user1 = d.users().indexOf("1");
        assertEquals(1f, d.attributes().get("user_age").values()[user1]);
        assertEquals(0f, d.attributes().get("user_gender").values()[user1]);

        Dataset held = read(Map.of("directory", ml.toString(), "attributeHoldout", 0.2, "seed", 3));
        Map<String, int[]> test = held.attributeEvaluation().get("attribute_test");
        assertEquals(Math.round(0.2 * 943), test.get("user_age").length);
        assertEquals(Math.round(0.2 * 1682), test.get("item_genres").length);
        for (int u : test.get("user_occupation")) {
            assertEquals(0, held.users().categorical("user_occupation")[u]);
        }
    }

    private static Map<String, float[]> genreFlagsOfUItem(Path ml) throws IOException {
        Map<String, float[]> flags = new java.util.HashMap<>();
        for (String line : Files.readAllLines(ml.resolve("u.item"), java.nio.charset.StandardCharsets.ISO_8859_1)) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\\|", -1);
            float[] row = new float[19];
            for (int g = 0; g < 19; g++) {
                row[g] = Float.parseFloat(f[5 + g]);
            }
            flags.put(f[0], row);
        }
        return flags;
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
