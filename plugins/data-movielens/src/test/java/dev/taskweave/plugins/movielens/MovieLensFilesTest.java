package dev.taskweave.plugins.movielens;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.DataException;
import dev.taskweave.api.data.DataContext;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityAttribute;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.api.data.RankingCandidates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads tiny hand-written MovieLens files. */
class MovieLensFilesTest {
    @TempDir
    Path root;
    private Path ml;

    @BeforeEach
    void writeFiles() throws IOException {
        ml = Files.createDirectory(root.resolve("ml-100k"));
        write("u.genre", "unknown|0\nAction|1\nDrama|2\n\n");
        write("u.occupation", "artist\nstudent\nwriter\n");
        write("u.user", String.join("\n",
                "1|17|M|student|85711",
                "2|18|F|artist|T8H1N",
                "3|45|M|writer|",
                "4|60|F|student|02139",
                "5|30|M|artist|55105") + "\n");
        // item 2's title has an e-acute as the single ISO-8859-1 byte 0xE9; item 3 has no release date;
        // item 5 has a one-digit day, as some u.item dates do
        Files.write(ml.resolve("u.item"), String.join("\n",
                "1|Toy Story (1995)|01-Jan-1995||http://x|0|1|0",
                "2|Café (1962)|12-Mar-1962||http://y|0|0|1",
                "3|unknown||||1|0|0",
                "4|Heat (1995)|15-Dec-1995||http://z|0|1|1",
                "5|Cold (1978)|4-Feb-1978||http://w|0|0|1").concat("\n").getBytes(StandardCharsets.ISO_8859_1));
        write("u.data", String.join("\n",
                "1\t1\t5\t881250949", "1\t2\t3\t881250950", "2\t1\t4\t881250951", "2\t4\t1\t881250952",
                "3\t2\t2\t881250953", "3\t4\t4\t881250954", "4\t1\t5\t881250955", "4\t3\t3\t881250956",
                "5\t2\t4\t881250957", "5\t4\t2\t881250958") + "\n");
        write("u1.base", "1\t1\t5\t881250949\n1\t2\t3\t881250950\n2\t1\t4\t881250951\n2\t4\t1\t881250952\n"
                + "3\t2\t2\t881250953\n3\t4\t4\t881250954\n4\t1\t5\t881250955\n4\t3\t3\t881250956\n");
        write("u1.test", "5\t2\t4\t881250957\n5\t4\t2\t881250958\n");
    }

    private static boolean contains(byte[] bytes, byte b) {
        for (byte x : bytes) {
            if (x == b) {
                return true;
            }
        }
        return false;
    }

    private void write(String file, String text) throws IOException {
        Files.writeString(ml.resolve(file), text, StandardCharsets.ISO_8859_1);
    }

    private Path writeBenchmark() throws IOException {
        Path b = Files.createDirectory(root.resolve("ml100k-mtl"));
        String header = "user\titem\trating\ttimestamp\n";
        Files.writeString(b.resolve("train.tsv"), header + "1\t1\t5\t1\n1\t2\t3\t2\n2\t1\t4\t3\n3\t2\t2\t4\n4\t1\t5\t5\n");
        Files.writeString(b.resolve("valid.tsv"), header + "2\t4\t1\t6\n");
        Files.writeString(b.resolve("test.tsv"), header + "3\t4\t4\t7\n");
        Files.writeString(b.resolve("test_cold_user.tsv"), header + "5\t2\t4\t8\n5\t4\t2\t9\n");
        Files.writeString(b.resolve("test_cold_item.tsv"), header + "4\t3\t3\t10\n");
        Files.writeString(b.resolve("cold_users.txt"), "5\n");
        Files.writeString(b.resolve("cold_items.txt"), "3\n5\n");
        Files.writeString(b.resolve("genre_hidden_items.txt"), "2\n");
        Files.writeString(b.resolve("rank_candidates.tsv"), "user\tpositive\tnegatives\n3\t4\t1,3\n");
        return b;
    }

    private Dataset read(Map<String, Object> params) {
        MovieLensConfig config = MovieLensConfigTest.config(params);
        config.validate();
        return new MovieLensSource(config, new DataContext(root, 17)).load();
    }

    @Test
    void catalogParsesSideFeatures() throws IOException {
        byte[] raw = Files.readAllBytes(ml.resolve("u.item"));
        assertTrue(new String(raw, StandardCharsets.ISO_8859_1).contains("Caf\u00e9") && contains(raw, (byte) 0xE9),
                "the fixture holds the single byte 0xE9");
        MovieLensCatalog catalog = MovieLensCatalog.read(ml);
        assertEquals(List.of("unknown", "Action", "Drama"), catalog.genres());
        assertEquals(List.of("1", "2", "3", "4", "5"), catalog.userIds());
        assertArrayEquals(new int[] {1, 2, 1, 2, 1}, catalog.gender());
        assertArrayEquals(new int[] {1, 2, 5, 7, 3}, catalog.ageBucket());
        assertArrayEquals(new int[] {2, 1, 3, 2, 1}, catalog.occupation());
        assertArrayEquals(new int[] {9, 11, 0, 1, 6}, catalog.zipRegion());
        assertEquals("Café (1962)", catalog.title(1));
        assertEquals("unknown", catalog.title(2));
        assertArrayEquals(new int[] {1995, 1962, 0, 1995, 1978}, catalog.releaseYear());
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1}, catalog.genreFlags());
    }

    @Test
    void ageBucketsAndZipRegions() {
        int[][] expected = {{0, 1}, {17, 1}, {18, 2}, {24, 2}, {25, 3}, {34, 3}, {35, 4}, {44, 4}, {45, 5},
            {49, 5}, {50, 6}, {55, 6}, {56, 7}, {73, 7}};
        for (int[] e : expected) {
            assertEquals(e[1], MovieLensCatalog.ageBucket(e[0]), "age " + e[0]);
        }
        assertEquals(1, MovieLensCatalog.zipRegion("01234"));
        assertEquals(10, MovieLensCatalog.zipRegion("98101"));
        assertEquals(11, MovieLensCatalog.zipRegion("V3N4P"));
        assertEquals(0, MovieLensCatalog.zipRegion(""));
    }

    @Test
    void randomSplitKeepsEveryRowAndFollowsTheConventions() {
        Dataset d = read(Map.of("directory", "ml-100k", "validFraction", 0.2, "testFraction", 0.2));
        assertEquals(List.of("train", "valid", "test"), List.copyOf(d.splits().keySet()));
        assertEquals(6, d.train().size());
        assertEquals(2, d.splits().get("valid").size());
        assertEquals(2, d.splits().get("test").size());
        assertEquals("random", d.description().get("splitMode"));
        assertEquals("17", d.description().get("seed"));
        assertEquals(root.resolve("ml-100k").toString(), d.description().get("directory"));
        for (Interactions split : d.splits().values()) {
            float[] rating = split.label("rating");
            for (int r = 0; r < split.size(); r++) {
                assertEquals(rating[r] >= 4 ? 1f : 0f, split.label("like")[r]);
            }
        }
        assertIdCodes(d);
        assertEquals(List.of("user_id", "user_gender", "user_age", "user_occupation", "user_zip_region",
                "item_id", "item_genres", "item_decade", "item_year"), d.features().stream().map(FeatureSpec::name).toList());
        assertEquals(3, feature(d, "user_gender").size());
        assertEquals(8, feature(d, "user_age").size());
        assertEquals(4, feature(d, "user_occupation").size());
        assertEquals(12, feature(d, "user_zip_region").size());
        assertEquals(3, feature(d, "item_genres").size());
        // decades 1960, 1970, 1990 -> codes 1, 2, 3; the missing date -> 0
        assertEquals(4, feature(d, "item_decade").size());
        assertArrayEquals(new int[] {3, 1, 0, 3, 2}, d.items().categorical("item_decade"));
        assertArrayEquals(new float[] {0.5f, -2.8f, 0f, 0.5f, -1.2f}, d.items().dense("item_year"), 1e-6f);
        assertEquals("1960,1970,1990", d.description().get("itemDecades"));
        assertEquals("1", d.description().get("itemsWithoutReleaseDate"));

        Dataset again = read(Map.of("directory", "ml-100k", "validFraction", 0.2, "testFraction", 0.2));
        assertArrayEquals(d.train().users(), again.train().users());
        assertArrayEquals(d.train().items(), again.train().items());
    }

    @Test
    void foldModeCarvesValidFromTheBase() {
        Dataset d = read(Map.of("directory", "ml-100k", "fold", "u1", "validFraction", 0.25));
        assertEquals(6, d.train().size());
        assertEquals(2, d.splits().get("valid").size());
        assertEquals(2, d.splits().get("test").size());
        assertArrayEquals(new int[] {4, 4}, d.splits().get("test").users());
        assertEquals(0, d.users().categorical("user_id")[4], "user 5 only appears in u1.test");
        assertEquals("u1", d.description().get("fold"));
        assertIdCodes(d);
    }

    @Test
    void benchmarkModeHidesGenresAndReadsRankings() throws IOException {
        writeBenchmark();
        Dataset d = read(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl"));
        assertEquals(List.of("train", "valid", "test", "test_cold_user", "test_cold_item"), List.copyOf(d.splits().keySet()));
        assertEquals(5, d.train().size());
        assertArrayEquals(new float[] {5, 3, 4, 2, 5}, d.train().label("rating"));
        assertArrayEquals(new float[] {1, 0, 1, 0, 1}, d.train().label("like"));
        assertEquals(5, d.users().size(), "the table holds every user of u.user");
        assertEquals(5, d.items().size(), "the table holds every item of u.item");
        assertArrayEquals(new int[] {1, 2, 3, 4, 0}, d.users().categorical("user_id"));
        assertArrayEquals(new int[] {1, 2, 0, 0, 0}, d.items().categorical("item_id"));
        assertEquals(5, feature(d, "user_id").size());
        assertEquals(3, feature(d, "item_id").size());
        float[] genres = d.items().dense("item_genres");
        assertArrayEquals(new float[] {0, 0, 0}, java.util.Arrays.copyOfRange(genres, 3, 6), "item 2's genres are hidden");
        assertArrayEquals(new float[] {0, 1, 1}, java.util.Arrays.copyOfRange(genres, 9, 12));
        assertEquals(List.of(MovieLensSource.GENRE_HIDDEN_SPLIT), List.copyOf(d.attributeEvaluation().keySet()));
        assertArrayEquals(new int[] {1}, d.attributeEvaluation().get("genre_hidden").get("item_genres"));
        assertArrayEquals(new float[] {0, 0, 1},
                java.util.Arrays.copyOfRange(d.attributes().get("item_genres").values(), 3, 6), "item 2's true genres");
        assertEquals("1", d.description().get(MovieLensSource.GENRE_HIDDEN_ITEMS));
        RankingCandidates ranking = d.rankings().get("test");
        assertArrayEquals(new int[] {2}, ranking.users());
        assertArrayEquals(new int[] {3}, ranking.positives());
        assertArrayEquals(new int[][] {{0, 2}}, ranking.negatives());
        assertEquals("benchmark", d.description().get("splitMode"));
        assertEquals("1", d.description().get("coldUsers"));
        assertEquals("2", d.description().get("coldItems"));
        MovieLensDatasetFactory factory = new MovieLensDatasetFactory();
        assertEquals("movielens", factory.type());
        Dataset viaFactory = factory.create(MovieLensConfigTest.config(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl")),
                new DataContext(root, 1)).load();
        assertEquals(d.description(), viaFactory.description());
    }

    @Test
    void validRankingListsAreDrawnFromTrainAndValidOnly() throws IOException {
        writeBenchmark();
        // more rows: user 1 (index 0) rates items 1, 2 in train and 4 in valid; user 2 (index 1) rates 1 in train, 4 in valid
        Path b = root.resolve("ml100k-mtl");
        String header = "user\titem\trating\ttimestamp\n";
        Files.writeString(b.resolve("valid.tsv"), header + "2\t4\t1\t6\n1\t4\t2\t7\n");
        Dataset none = read(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl"));
        assertEquals(List.of("test"), List.copyOf(none.rankings().keySet()), "none unless asked for");
        Dataset d = read(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl", "validRankings", 99));
        RankingCandidates valid = d.rankings().get("valid");
        // users in the order they first appear in valid.tsv; their one validation item is the positive
        // negatives: items with training ratings (1 and 2: indices 0, 1) the user rated in neither split;
        // user 1 rated both, so it gets no list; test.tsv (user 3 rated item 4) is never read for them
        assertArrayEquals(new int[] {1}, valid.users());
        assertArrayEquals(new int[] {3}, valid.positives());
        assertArrayEquals(new int[][] {{1}}, valid.negatives());
        assertEquals(d.rankings().get("test").users().length, 1, "the test lists are rank_candidates.tsv's");
        assertEquals("17", d.description().get("validRankings.seed"), "the experiment's seed draws them");
        // (the draw's seeding and uniformity: validRankingDrawsAreSeededUniformAndNeverRepeat)
    }

    /** Ratings of the given (user, item) pairs, rating 3 at time 0. */
    private static Ratings ratings(int[][] pairs) {
        int n = pairs.length;
        int[] users = new int[n];
        int[] items = new int[n];
        for (int r = 0; r < n; r++) {
            users[r] = pairs[r][0];
            items[r] = pairs[r][1];
        }
        float[] rating = new float[n];
        Arrays.fill(rating, 3f);
        return new Ratings(users, items, rating, new long[n], new int[n]);
    }

    @Test
    void validRankingDrawsAreSeededUniformAndNeverRepeat() {
        // 40 items; items 0-29 have training ratings (every user rated item 0 and one item of their own),
        // items 30-39 have none (they are never candidates); 60 users, each with one validation item
        int users = 60;
        int[][] trainPairs = new int[2 * users + 30][];
        int r = 0;
        for (int u = 0; u < users; u++) {
            trainPairs[r++] = new int[] {u, 0};
            trainPairs[r++] = new int[] {u, 1 + u % 29};
        }
        for (int i = 0; i < 30; i++) {
            trainPairs[r++] = new int[] {users + i, i}; // users 60-89 make every item 0-29 warm
        }
        int[][] validPairs = new int[users][];
        for (int u = 0; u < users; u++) {
            validPairs[u] = new int[] {u, 1 + (u + 7) % 29};
        }
        Ratings train = ratings(trainPairs);
        Ratings valid = ratings(validPairs);
        RankingCandidates a = MovieLensSource.validRankings(train, valid, 40, 10, new java.util.SplittableRandom(5));
        RankingCandidates b = MovieLensSource.validRankings(train, valid, 40, 10, new java.util.SplittableRandom(5));
        RankingCandidates c = MovieLensSource.validRankings(train, valid, 40, 10, new java.util.SplittableRandom(6));
        assertArrayEquals(a.negatives(), b.negatives(), "the same seed draws the same lists");
        int differ = 0;
        for (int u = 0; u < users; u++) {
            differ += Arrays.equals(a.negatives()[u], c.negatives()[u]) ? 0 : 1;
        }
        // each list is 10 of 27 candidates: two seeds agree on a whole list with probability ~1e-7
        assertEquals(users, differ, "another seed draws other lists");
        int[] drawn = new int[40];
        for (int u = 0; u < users; u++) {
            int[] list = a.negatives()[u];
            assertEquals(10, list.length);
            assertEquals(10, Arrays.stream(list).distinct().count(), "without replacement");
            for (int item : list) {
                assertTrue(item < 30, "an item without training ratings is no candidate: " + item);
                assertTrue(item != 0 && item != 1 + u % 29 && item != 1 + (u + 7) % 29,
                        "user " + u + " rated item " + item);
                drawn[item]++;
            }
        }
        // 600 draws over the 29 items 1-29 (item 0 everyone rated): ~20.7 each if uniform; a draw that
        // always took the pool's first items would give items 1-10 most of them
        for (int i = 1; i < 30; i++) {
            assertTrue(drawn[i] >= 5 && drawn[i] <= 40, "item " + i + " drawn " + drawn[i] + " times of 600");
        }
        assertEquals(0, drawn[0]);
    }

    @Test
    void historyFeaturesReadTheTrainingSplitOnly() throws IOException {
        writeBenchmark();
        Dataset none = read(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl"));
        assertFalse(none.users().has("user_history"));
        Dataset d = read(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl", "history", "implicit"));
        assertEquals(5, feature(d, "user_history").size());
        assertEquals(5, feature(d, "item_history").size());
        float[] users = d.users().sparse("user_history").toDense();
        // train: user 1 rated items 1 and 2; user 2's item 4 is in valid and does not count
        float h = 0.5f;
        assertArrayEquals(new float[] {h, h, 0, 0, 0}, Arrays.copyOfRange(users, 0, 5), 1e-6f);
        assertArrayEquals(new float[] {1, 0, 0, 0, 0}, Arrays.copyOfRange(users, 5, 10), 1e-6f);
        // user 5 is cold: no training row, a zero history
        assertArrayEquals(new float[5], Arrays.copyOfRange(users, 20, 25));
        // item 1 was rated in train by users 1, 2 and 4
        float t = 1f / 3;
        assertArrayEquals(new float[] {t, t, 0, t, 0}, Arrays.copyOfRange(d.items().sparse("item_history").toDense(), 0, 5), 1e-6f);

        // ratings: the training mean is (5 + 3 + 4 + 2 + 5) / 5 = 3.8
        Dataset rated = read(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl", "history", "ratings"));
        // (scaled by 1/sqrt(n), SVD++'s normalisation: a mean of signed values would cancel out)
        float r = (float) (1 / Math.sqrt(2));
        assertArrayEquals(new float[] {1.2f * r, -0.8f * r, 0, 0, 0}, Arrays.copyOfRange(rated.users().sparse("user_history").toDense(), 0, 5), 1e-5f);
        assertEquals("ratings", rated.description().get("userHistory"));
        assertEquals("ratings", rated.description().get("itemHistory"));
        // declared: a training row's history without its own rating is rescaled to the other n - 1
        assertEquals(dev.taskweave.api.data.Histories.Scale.ROOT, feature(rated, "user_history").historyScale());
        assertEquals(dev.taskweave.api.data.Histories.Scale.MEAN, feature(d, "item_history").historyScale());

        // one side overridden: the user's ratings, the item's raters
        Dataset mixed = read(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl", "history", "implicit", "userHistory", "ratings"));
        assertArrayEquals(new float[] {1.2f * r, -0.8f * r, 0, 0, 0}, Arrays.copyOfRange(mixed.users().sparse("user_history").toDense(), 0, 5), 1e-5f);
        assertArrayEquals(new float[] {t, t, 0, t, 0}, Arrays.copyOfRange(mixed.items().sparse("item_history").toDense(), 0, 5), 1e-6f);
        // or one side only
        Dataset itemsOnly = read(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl", "itemHistory", "implicit"));
        assertFalse(itemsOnly.users().has("user_history"));
        assertEquals(5, feature(itemsOnly, "item_history").size());
    }

    @Test
    void recentRatingsAreReadAtEachRatingsMoment() throws IOException {
        Path b = writeBenchmark();
        String header = "user\titem\trating\ttimestamp\n";
        // user 1 rated 5 at time 1, 3 at time 2 and 1 at time 3 (mean 3)
        Files.writeString(b.resolve("train.tsv"), header + "1\t1\t5\t1\n1\t2\t3\t2\n1\t4\t1\t3\n2\t1\t4\t4\n3\t2\t2\t5\n4\t1\t5\t6\n");
        Files.writeString(b.resolve("valid.tsv"), header + "2\t4\t1\t7\n1\t4\t2\t2\n");
        Dataset d = read(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl", "recentRatings", 2));
        FeatureSpec recent = feature(d, MovieLensSource.USER_RECENT_RATING);
        assertTrue(recent.perInteraction() && recent.fromInteractions());
        // now: user 1's two latest, (3 + 1) / 2, against 3; every other user rated once or never
        assertArrayEquals(new float[] {-1, 0, 0, 0, 0}, d.users().dense(MovieLensSource.USER_RECENT_RATING), 1e-6f);
        // training rows read earlier ratings, against the user's others: user 1 at time 1 has
        // nothing before; at 2, the 5 against (5 + 1) / 2; at 3, (5 + 3) / 2 against (5 + 3) / 2
        assertArrayEquals(new float[] {0, 5 - 3, 0, 0, 0, 0}, d.train().feature(MovieLensSource.USER_RECENT_RATING), 1e-6f);
        // user 1 at time 2 in valid: the 5 of time 1 alone (the 3 of time 2 is of the same moment), against 3
        assertArrayEquals(new float[] {0, 2}, d.splits().get("valid").feature(MovieLensSource.USER_RECENT_RATING), 1e-6f);
        assertArrayEquals(new float[] {0, 0}, d.splits().get("test_cold_user").feature(MovieLensSource.USER_RECENT_RATING));
        assertEquals("2", d.description().get("recentRatings"));
        assertFalse(read(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl")).users().has(MovieLensSource.USER_RECENT_RATING));
    }

    @Test
    void attributesMirrorTheCatalog() {
        Dataset d = read(Map.of("directory", "ml-100k"));
        assertEquals(List.of("user_gender", "user_age", "user_occupation", "item_genres"), List.copyOf(d.attributes().keySet()));
        assertTrue(d.attributeEvaluation().isEmpty(), "nothing is held out by default outside benchmark mode");

        EntityAttribute gender = d.attributes().get("user_gender");
        assertEquals(Entity.USER, gender.entity());
        assertEquals(EntityAttribute.Kind.CLASS, gender.kind());
        assertEquals(2, gender.width());
        assertArrayEquals(new float[] {0, 1, 0, 1, 0}, gender.values());
        EntityAttribute age = d.attributes().get("user_age");
        assertEquals(7, age.width());
        assertArrayEquals(new float[] {0, 1, 4, 6, 2}, age.values(), "age bucket code - 1");
        EntityAttribute occupation = d.attributes().get("user_occupation");
        assertEquals(3, occupation.width());
        assertArrayEquals(new float[] {1, 0, 2, 1, 0}, occupation.values());
        for (EntityAttribute a : List.of(gender, age, occupation)) {
            assertArrayEquals(new boolean[] {true, true, true, true, true}, a.known(), a.name());
            int[] codes = d.users().categorical(a.name());
            for (int u = 0; u < 5; u++) {
                assertTrue(a.values()[u] >= 0 && a.values()[u] < a.width(), a.name() + " user " + u);
                assertEquals(codes[u] - 1, a.values()[u], a.name() + ": the class is the feature code - 1");
            }
        }

        EntityAttribute genres = d.attributes().get("item_genres");
        assertEquals(Entity.ITEM, genres.entity());
        assertEquals(EntityAttribute.Kind.MULTI_LABEL, genres.kind());
        assertEquals(3, genres.width());
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1}, genres.values());
        assertArrayEquals(d.items().dense("item_genres"), genres.values(), "no genre is hidden outside benchmark mode");
        assertArrayEquals(new boolean[] {true, true, true, true, true}, genres.known());
        assertEquals("user_gender,user_age,user_occupation,item_genres", d.description().get("attributes"));
        assertEquals("0.0", d.description().get("attributeHoldout"));
    }

    @Test
    void benchmarkKeepsColdItemsGenresKnownAndHoldsOutNoUserByDefault() throws IOException {
        writeBenchmark();
        Dataset d = read(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl"));
        EntityAttribute genres = d.attributes().get("item_genres");
        assertArrayEquals(new boolean[] {true, true, true, true, true}, genres.known(), "hidden and cold items included");
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1}, genres.values());
        float[] feature = d.items().dense("item_genres");
        assertArrayEquals(new float[] {1, 0, 0}, java.util.Arrays.copyOfRange(feature, 6, 9), "cold item 3 keeps its genres");
        assertEquals(Map.of("item_genres", 1), Map.of("item_genres",
                d.attributeEvaluation().get("genre_hidden").get("item_genres").length));
        assertArrayEquals(new int[] {1, 2, 1, 2, 1}, d.users().categorical("user_gender"));
    }

    @Test
    void attributeHoldoutListsUsersAndItemsAndZeroesTheirFeatures() {
        for (Map<String, Object> params : List.<Map<String, Object>>of(
                Map.of("directory", "ml-100k", "attributeHoldout", 0.4, "seed", 5),
                Map.of("directory", "ml-100k", "fold", "u1", "attributeHoldout", 0.4, "seed", 5))) {
            Dataset d = read(params);
            Map<String, Object> withoutHoldout = new java.util.HashMap<>(params);
            withoutHoldout.remove("attributeHoldout");
            Dataset plain = read(withoutHoldout);
            assertEquals(List.of("attribute_test"), List.copyOf(d.attributeEvaluation().keySet()), params.toString());
            Map<String, int[]> held = d.attributeEvaluation().get("attribute_test");
            assertEquals(List.of("user_gender", "user_age", "user_occupation", "item_genres"), List.copyOf(held.keySet()));
            int[] users = held.get("user_age");
            int[] items = held.get("item_genres");
            assertEquals(2, users.length, "round(0.4 * 5) users");
            assertEquals(2, items.length, "round(0.4 * 5) items");
            assertArrayEquals(users, held.get("user_gender"));
            assertArrayEquals(users, held.get("user_occupation"));
            assertEquals(2, java.util.Arrays.stream(users).distinct().count());
            boolean[] heldUser = new boolean[5];
            for (int u : users) {
                heldUser[u] = true;
            }
            for (String attribute : List.of("user_gender", "user_age", "user_occupation")) {
                int[] codes = d.users().categorical(attribute);
                for (int u = 0; u < 5; u++) {
                    float label = d.attributes().get(attribute).values()[u];
                    assertEquals(plain.attributes().get(attribute).values()[u], label, "labels stay true: " + attribute);
                    assertEquals(heldUser[u] ? 0 : (int) label + 1, codes[u], attribute + " feature of user " + u);
                }
            }
            float[] feature = d.items().dense("item_genres");
            float[] labels = d.attributes().get("item_genres").values();
            boolean[] heldItem = new boolean[5];
            for (int i : items) {
                heldItem[i] = true;
            }
            for (int i = 0; i < 5; i++) {
                for (int g = 0; g < 3; g++) {
                    assertEquals(heldItem[i] ? 0f : labels[i * 3 + g], feature[i * 3 + g], "item_genres feature of item " + i);
                }
            }
            assertArrayEquals(plain.attributes().get("item_genres").values(), labels);
            assertArrayEquals(plain.train().users(), d.train().users(), "the holdout does not move the row split");
            assertArrayEquals(d.users().categorical("user_zip_region"), plain.users().categorical("user_zip_region"));
            assertEquals("2", d.description().get("attributeHoldout.users"));
            assertEquals("2", d.description().get("attributeHoldout.items"));

            Dataset again = read(params);
            assertArrayEquals(users, again.attributeEvaluation().get("attribute_test").get("user_age"));
            assertArrayEquals(items, again.attributeEvaluation().get("attribute_test").get("item_genres"));
        }
    }

    @Test
    void attributeHoldoutDependsOnTheSeed() {
        java.util.Set<String> draws = new java.util.HashSet<>();
        for (int seed = 0; seed < 12; seed++) {
            Dataset d = read(Map.of("directory", "ml-100k", "attributeHoldout", 0.4, "seed", seed));
            draws.add(java.util.Arrays.toString(d.attributeEvaluation().get("attribute_test").get("user_age")));
        }
        assertTrue(draws.size() > 3, "user draws over 12 seeds: " + draws);
    }

    @Test
    void anAttributeHoldoutThatRoundsToNoUserIsRefused() {
        // round(0.05 * 5) = 0: no attribute_test split, the attribute tasks never evaluated
        DataException e = assertThrows(DataException.class, () -> read(Map.of("directory", "ml-100k", "attributeHoldout", 0.05)));
        assertEquals(ml.resolve("u.user").toString(), e.source());
        assertTrue(e.getMessage().endsWith("data.params.attributeHoldout: a share of 0.05 of the 5 users is none; set a larger "
                + "share, or 0 for none"), e.getMessage());
        assertEquals(1, read(Map.of("directory", "ml-100k", "attributeHoldout", 0.1)).attributeEvaluation().get("attribute_test")
                .get("user_age").length, "round(0.1 * 5) = 1");
    }

    @Test
    void anyShareThatRoundsToNothingIsRefused() throws IOException {
        // 10 ratings in u.data: round(0.04 * 10) = 0, an empty split as if the share were 0
        DataException valid = assertThrows(DataException.class, () -> read(Map.of("directory", "ml-100k", "validFraction", 0.04)));
        assertEquals(ml.resolve("u.data").toString(), valid.source());
        assertTrue(valid.getMessage().endsWith("data.params.validFraction: a share of 0.04 of the 10 ratings is none; set a larger"
                + " share, or 0 for none"), valid.getMessage());
        DataException test = assertThrows(DataException.class, () -> read(Map.of("directory", "ml-100k", "testFraction", 0.04)));
        assertTrue(test.getMessage().endsWith("data.params.testFraction: a share of 0.04 of the 10 ratings is none; set a larger"
                + " share, or 0 for none"), test.getMessage());
        assertEquals(0, read(Map.of("directory", "ml-100k", "validFraction", 0.0)).splits().get("valid").size(), "0 is none, as asked");
        // 8 ratings in u1.base
        DataException fold = assertThrows(DataException.class,
                () -> read(Map.of("directory", "ml-100k", "fold", "u1", "validFraction", 0.05)));
        assertEquals(ml.resolve("u1.base").toString(), fold.source());
        assertTrue(fold.getMessage().endsWith("data.params.validFraction: a share of 0.05 of the 8 ratings is none; set a larger share,"
                + " or 0 for none"), fold.getMessage());
        // one item is eligible to validate genres on (see the test below): round(0.4 * 1) = 0
        writeBenchmark();
        DataException genre = assertThrows(DataException.class,
                () -> read(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl", "genreValidFraction", 0.4)));
        assertEquals(ml.resolve("u.item").toString(), genre.source());
        assertTrue(genre.getMessage().endsWith("data.params.genreValidFraction: a share of 0.4 of the 1 items with training ratings and"
                + " visible genres is none; set a larger share, or 0 for none"), genre.getMessage());
    }

    @Test
    void attributeHoldoutInBenchmarkModeHoldsOutUsersOnly() throws IOException {
        writeBenchmark();
        Dataset d = read(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl", "attributeHoldout", 0.4));
        assertEquals(List.of("genre_hidden", "attribute_test"), List.copyOf(d.attributeEvaluation().keySet()));
        Map<String, int[]> held = d.attributeEvaluation().get("attribute_test");
        assertEquals(List.of("user_gender", "user_age", "user_occupation"), List.copyOf(held.keySet()),
                "item genres are evaluated on genre_hidden only");
        assertEquals(2, held.get("user_age").length);
        for (int u : held.get("user_age")) {
            assertEquals(0, d.users().categorical("user_age")[u]);
            assertEquals(0, d.users().categorical("user_gender")[u]);
            assertEquals(0, d.users().categorical("user_occupation")[u]);
        }
        assertEquals("17", d.description().get("attributeHoldout.seed"), "the experiment seed chooses them");
        assertEquals("0", d.description().get("attributeHoldout.items"));
        Dataset seeded = read(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl", "attributeHoldout", 0.4, "seed", 4));
        assertEquals("4", seeded.description().get("attributeHoldout.seed"));
    }

    @Test
    void genreValidFractionHoldsOutWarmItemsWithVisibleGenresAsTheValidSplitsGenreRows() throws IOException {
        writeBenchmark();
        // item 1 (index 0) is the only item with training ratings whose genres are not hidden: item 2
        // is genre-hidden, items 3 and 5 are cold (their genres are all they have), item 4 has no train row
        Dataset d = read(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl", "genreValidFraction", 0.5));
        assertEquals(List.of("genre_hidden", "valid"), List.copyOf(d.attributeEvaluation().keySet()));
        assertArrayEquals(new int[] {0}, d.attributeEvaluation().get("valid").get("item_genres"));
        float[] genres = d.items().dense("item_genres");
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 1}, genres,
                "item 1's genres and item 2's (hidden) are zero; the others keep theirs");
        assertEquals("1", d.description().get("genreValidItems"));
        assertEquals("17", d.description().get("genreValid.seed"));
        assertArrayEquals(new int[] {1}, d.attributeEvaluation().get("genre_hidden").get("item_genres"));
        Dataset visible = read(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl", "genreValidFraction", 0.5,
                "genreValidFeatures", "visible"));
        assertArrayEquals(new int[] {0}, visible.attributeEvaluation().get("valid").get("item_genres"));
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 1}, visible.items().dense("item_genres"),
                "visible: only the hidden item's genres are zero");
        assertEquals("visible", visible.description().get("genreValidFeatures"));

        assertArrayEquals(new int[] {0, 3}, MovieLensSource.genreValidItems(new int[] {1, 2, 0, 3, 4}, List.of(1), new int[] {4}, 1.0,
                new java.util.SplittableRandom(1)), "every eligible item: warm, not hidden, not held out");
        assertEquals(1, MovieLensSource.genreValidItems(new int[] {1, 2, 0, 3, 4}, List.of(1), new int[] {4}, 0.5,
                new java.util.SplittableRandom(1)).length);
    }

    @Test
    void benchmarkRejectsAColdUserInTrain() throws IOException {
        Path b = writeBenchmark();
        Files.writeString(b.resolve("cold_users.txt"), "5\n3\n");
        DataException e = assertThrows(DataException.class,
                () -> read(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl")));
        assertEquals(b.resolve("train.tsv").toString(), e.source());
        assertEquals(5, e.line());
    }

    @Test
    void eachBenchmarkFileHoldsWhatTheProtocolSays() throws IOException {
        String header = "user\titem\trating\ttimestamp\n";
        // the two cold files swapped: test_cold_user.tsv's first row is a warm user's
        assertBenchmarkError("test_cold_user.tsv", header + "4\t3\t3\t10\n", "test_cold_user.tsv:2: test_cold_user.tsv holds"
                + " ratings of cold users on warm items (PROTOCOL.md), but user 4 is not listed in cold_users.txt");
        assertBenchmarkError("test_cold_item.tsv", header + "5\t2\t4\t8\n", "test_cold_item.tsv:2: test_cold_item.tsv holds"
                + " ratings of warm users on cold items (PROTOCOL.md), but user 5 is listed in cold_users.txt");
        assertBenchmarkError("test_cold_user.tsv", header + "5\t3\t4\t8\n", "test_cold_user.tsv:2: test_cold_user.tsv holds"
                + " ratings of cold users on warm items (PROTOCOL.md), but item 3 is listed in cold_items.txt");
        assertBenchmarkError("test.tsv", header + "3\t4\t4\t7\n1\t5\t2\t8\n", "test.tsv:3: test.tsv holds ratings of warm"
                + " users on warm items (PROTOCOL.md), but item 5 is listed in cold_items.txt");
        assertBenchmarkError("genre_hidden_items.txt", "2\n3\n", "genre_hidden_items.txt:2: item 3 is listed in cold_items.txt;"
                + " the items whose genres are hidden are warm items (PROTOCOL.md)");
        String ranking = "user\tpositive\tnegatives\n";
        assertBenchmarkError("rank_candidates.tsv", ranking + "5\t2\t1,3\n", "rank_candidates.tsv:2: user 5 is listed in"
                + " cold_users.txt; the ranking lists are of warm users (PROTOCOL.md)");
        assertBenchmarkError("rank_candidates.tsv", ranking + "3\t4\t1,3\n3\t4\t1\n", "rank_candidates.tsv:3: user 3 has a list"
                + " on line 2 too; one list per user");
        assertBenchmarkError("rank_candidates.tsv", ranking + "3\t1\t4,3\n", "rank_candidates.tsv:2: the positive, item 1, is not"
                + " one of user 3's test.tsv ratings");
        assertBenchmarkError("rank_candidates.tsv", ranking + "3\t4\t1,4\n", "rank_candidates.tsv:2: item 4 is the positive and a"
                + " negative");
        assertBenchmarkError("rank_candidates.tsv", ranking + "3\t4\t1,3,1\n", "rank_candidates.tsv:2: negative item 1 is listed"
                + " twice");
        // user 3 rated item 2 in train.tsv
        assertBenchmarkError("rank_candidates.tsv", ranking + "3\t4\t1,2\n", "rank_candidates.tsv:2: negative item 2 is rated by"
                + " user 3 in the benchmark's files; negatives are items the user never rated (PROTOCOL.md)");
    }

    @Test
    void everyWarmTestUserHasAListAndEveryListAsManyNegatives() throws IOException {
        // a second warm user with a test rating: a rank_candidates.tsv without a list for it, or with
        // its list cut short, would change HR@10 and NDCG@10 and still read as ml100k-mtl
        String test = "user\titem\trating\ttimestamp\n3\t4\t4\t7\n1\t4\t2\t8\n";
        String ranking = "user\tpositive\tnegatives\n";
        assertBenchmarkError(Map.of("test.tsv", test, "rank_candidates.tsv", ranking + "3\t4\t1,3\n"), "rank_candidates.tsv",
                "rank_candidates.tsv: 1 warm users with a test.tsv rating have no list (user 1 first); the protocol gives each one"
                        + " (PROTOCOL.md)");
        assertBenchmarkError(Map.of("test.tsv", test, "rank_candidates.tsv", ranking + "3\t4\t1,3\n1\t4\t3\n"), "rank_candidates.tsv",
                "rank_candidates.tsv:3: user 1's list has 1 negatives, the first list 2; every list has as many (99 in PROTOCOL.md)");
    }

    private void assertBenchmarkError(String file, String content, String message) throws IOException {
        assertBenchmarkError(Map.of(file, content), file, message);
    }

    private void assertBenchmarkError(Map<String, String> contents, String file, String message) throws IOException {
        Path b = root.resolve("ml100k-mtl");
        if (Files.exists(b)) {
            try (java.util.stream.Stream<Path> files = Files.list(b)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(b);
        }
        writeBenchmark();
        for (Map.Entry<String, String> c : contents.entrySet()) {
            Files.writeString(b.resolve(c.getKey()), c.getValue());
        }
        DataException e = assertThrows(DataException.class, () -> read(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl")));
        assertEquals(b.resolve(file) + ":" + message.substring(message.indexOf(':') + 1), e.getMessage());
    }

    @Test
    void benchmarkRequiresTheHeader() throws IOException {
        Path b = writeBenchmark();
        Files.writeString(b.resolve("valid.tsv"), "2\t4\t1\t6\n");
        DataException e = assertThrows(DataException.class,
                () -> read(Map.of("directory", "ml-100k", "benchmark", "ml100k-mtl")));
        assertTrue(e.getMessage().contains("valid.tsv:1: expected the header line"), e.getMessage());
    }

    @Test
    void malformedRatingLinesNameFileAndLine() throws IOException {
        assertBadData("1\t1\t5\n", "u.data:2: expected 4 tab-separated fields (user item rating timestamp), found 3");
        assertBadData("1\t1\tfive\t881250949\n", "u.data:2: expected a numeric rating, found 'five'");
        assertBadData("1\t1\t6\t881250949\n", "u.data:2: expected a rating from 1 to 5, found 6");
        assertBadData("1\t1\t0\t881250949\n", "u.data:2: expected a rating from 1 to 5, found 0");
        assertBadData("99\t1\t4\t881250949\n", "u.data:2: user id '99' is not in u.user");
        assertBadData("1\t42\t4\t881250949\n", "u.data:2: item id '42' is not in u.item");
        assertBadData("1\t1\t4\tyesterday\n", "u.data:2: expected a numeric timestamp, found 'yesterday'");
    }

    private void assertBadData(String badLine, String expected) throws IOException {
        write("u.data", "1\t2\t3\t881250950\n" + badLine + "2\t1\t4\t881250951\n");
        DataException e = assertThrows(DataException.class, () -> read(Map.of("directory", "ml-100k")));
        assertEquals(ml.resolve("u.data").toString(), e.source());
        assertEquals(2, e.line());
        assertTrue(e.getMessage().endsWith(expected), e.getMessage());
    }

    @Test
    void malformedCatalogLinesNameFileAndLine() throws IOException {
        write("u.user", "1|17|M|student|85711\n1|18|F|artist|T8H1N\n");
        assertBadCatalog("u.user:2: user id 1 appears twice");
        write("u.user", "1|17|M|student|85711\n2|18|X|artist|T8H1N\n");
        assertBadCatalog("u.user:2: expected gender M or F, found 'X'");
        write("u.user", "1|17|M|pilot|85711\n");
        assertBadCatalog("u.user:1: expected an occupation listed in u.occupation, found 'pilot'");
        write("u.user", "1|old|M|student|85711\n");
        assertBadCatalog("u.user:1: expected the age as a non-negative integer, found 'old'");
        writeFilesUser();
        write("u.item", "1|Toy Story (1995)|1995-01-01||http://x|0|1|0\n");
        assertBadCatalog("u.item:1: expected a release date like 01-Jan-1995 or nothing, found '1995-01-01'");
        write("u.item", "1|Toy Story (1995)|01-Jan-1995||http://x|0|1\n");
        assertBadCatalog("u.item:1: expected 8 '|'-separated fields");
        write("u.item", "1|Toy Story (1995)|01-Jan-1995||http://x|0|2|0\n");
        assertBadCatalog("u.item:1: expected genre flag 0 or 1 for Action (field 7), found '2'");
        write("u.item", "1|A|||x|0|0|0\n1|B|||x|0|0|0\n");
        assertBadCatalog("u.item:2: item id 1 appears twice");
        Files.delete(ml.resolve("u.genre"));
        DataException e = assertThrows(DataException.class, () -> MovieLensCatalog.read(ml));
        assertEquals(ml.resolve("u.genre") + ": file not found", e.getMessage());
    }

    private void writeFilesUser() throws IOException {
        write("u.user", "1|17|M|student|85711\n");
    }

    private void assertBadCatalog(String expected) {
        DataException e = assertThrows(DataException.class, () -> MovieLensCatalog.read(ml));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static void assertIdCodes(Dataset d) {
        for (String entity : List.of("user", "item")) {
            boolean user = entity.equals("user");
            int[] codes = (user ? d.users() : d.items()).categorical(entity + "_id");
            boolean[] inTrain = new boolean[codes.length];
            for (int e : user ? d.train().users() : d.train().items()) {
                inTrain[e] = true;
            }
            int next = 1;
            for (int e = 0; e < codes.length; e++) {
                assertEquals(inTrain[e] ? next++ : 0, codes[e], entity + " " + e);
            }
            assertEquals(next, feature(d, entity + "_id").size());
        }
    }

    private static FeatureSpec feature(Dataset d, String name) {
        return d.features().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }
}
