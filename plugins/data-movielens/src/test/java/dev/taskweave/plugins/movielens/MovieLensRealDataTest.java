package dev.taskweave.plugins.movielens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.data.DataContext;
import dev.taskweave.api.data.Dataset;
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

    private static MovieLensData read(Map<String, Object> params) {
        MovieLensConfig config = MovieLensConfigTest.config(params);
        config.validate();
        return new MovieLensSource(config, new DataContext(Path.of("/"), 42)).read();
    }

    @Test
    void benchmarkSplitsMatchTheProtocol() throws IOException {
        Path ml = shared("../shared/data/ml-100k");
        Path benchmark = shared("../shared/benchmarks/ml100k-mtl");
        MovieLensData data = read(Map.of("directory", ml.toString(), "benchmark", benchmark.toString()));
        Dataset d = data.dataset();

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
        assertEquals(149, data.hiddenGenres().size());
        float[] genres = d.items().dense("item_genres");
        assertEquals(1682 * 19, genres.length);
        Set<Integer> hiddenIndices = new HashSet<>();
        for (String id : hidden) {
            int item = d.items().indexOf(id);
            hiddenIndices.add(item);
            for (int g = 0; g < 19; g++) {
                assertEquals(0f, genres[item * 19 + g], "hidden item " + id);
            }
            float sum = 0;
            for (float f : data.hiddenGenres().get(item)) {
                sum += f;
            }
            assertTrue(sum >= 1, "item " + id + " keeps its withheld genres for evaluation");
        }
        for (int item = 0; item < 1682; item++) {
            if (!hiddenIndices.contains(item)) {
                float sum = 0;
                for (int g = 0; g < 19; g++) {
                    sum += genres[item * 19 + g];
                }
                assertTrue(sum >= 1, "visible item " + item + " has a genre");
            }
        }
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
        Dataset d = read(Map.of("directory", ml.toString(), "fold", "u1")).dataset();
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
        Dataset d = read(Map.of("directory", ml.toString())).dataset();
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

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
