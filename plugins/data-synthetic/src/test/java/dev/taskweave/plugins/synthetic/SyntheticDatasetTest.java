package dev.taskweave.plugins.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.data.DataContext;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureKind;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.api.data.RankingCandidates;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SyntheticDatasetTest {
    private static SyntheticGenerator.Generated generated;
    private static Dataset data;

    @BeforeAll
    static void generateDefault() {
        generated = new SyntheticGenerator(new SyntheticConfig(), 7).generate();
        data = generated.dataset();
    }

    @Test
    void factoryUsesTheContextSeedUnlessTheConfigHasOne() {
        SyntheticDatasetFactory factory = new SyntheticDatasetFactory();
        assertEquals("synthetic", factory.type());
        assertEquals(SyntheticConfig.class, factory.configClass());
        SyntheticConfig small = SyntheticConfigTest.config(Map.of("users", 100, "items", 60, "meanInteractionsPerUser", 10));
        Dataset fromContext = factory.create(small, new DataContext(Path.of("."), 5)).load();
        assertEquals("5", fromContext.description().get("seed"));
        SyntheticConfig seeded = SyntheticConfigTest.config(
                Map.of("users", 100, "items", 60, "meanInteractionsPerUser", 10, "seed", 11));
        Dataset fromConfig = factory.create(seeded, new DataContext(Path.of("."), 5)).load();
        assertEquals("11", fromConfig.description().get("seed"));
    }

    @Test
    void sameSeedGivesIdenticalDataAndAnotherSeedDoesNot() {
        Dataset again = new SyntheticGenerator(new SyntheticConfig(), 7).generate().dataset();
        assertEquals(data.splits().keySet(), again.splits().keySet());
        for (String split : data.splits().keySet()) {
            Interactions a = data.splits().get(split);
            Interactions b = again.splits().get(split);
            assertArrayEquals(a.users(), b.users(), split);
            assertArrayEquals(a.items(), b.items(), split);
            assertArrayEquals(a.label("rating"), b.label("rating"), split);
        }
        assertArrayEquals(data.users().categorical("user_id"), again.users().categorical("user_id"));
        assertArrayEquals(data.users().dense("user_activity"), again.users().dense("user_activity"));
        assertArrayEquals(data.items().dense("item_tags"), again.items().dense("item_tags"));
        RankingCandidates r1 = data.rankings().get("test");
        RankingCandidates r2 = again.rankings().get("test");
        assertArrayEquals(r1.positives(), r2.positives());
        assertArrayEquals(r1.negatives(), r2.negatives());
        assertEquals(data.description(), again.description());

        Dataset other = new SyntheticGenerator(new SyntheticConfig(), 8).generate().dataset();
        assertFalse(Arrays.equals(data.train().items(), other.train().items()));
        assertFalse(Arrays.equals(data.items().dense("item_tags"), other.items().dense("item_tags")));
    }

    @Test
    void defaultSizeIsFast() {
        long start = System.nanoTime();
        new SyntheticGenerator(new SyntheticConfig(), 123).generate();
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 3000, "generation took " + millis + " ms");
    }

    @Test
    void schemaAndSizes() {
        assertEquals(List.of("user_id", "user_segment", "user_activity", "item_id", "item_category", "item_tags"),
                data.features().stream().map(FeatureSpec::name).toList());
        assertEquals(List.of("train", "valid", "test", "test_cold_user"), List.copyOf(data.splits().keySet()));
        assertEquals(2000, data.users().size());
        assertEquals(500, data.items().size());
        FeatureSpec segment = feature("user_segment");
        assertEquals(FeatureKind.CATEGORICAL, segment.kind());
        assertEquals(7, segment.size());
        assertEquals(FeatureKind.NUMERIC, feature("user_activity").kind());
        assertEquals(11, feature("item_category").size());
        assertEquals(FeatureKind.MULTI_HOT, feature("item_tags").kind());
        assertEquals(12, feature("item_tags").size());
        assertEquals(500 * 12, data.items().dense("item_tags").length);
        assertTrue(feature("user_id").id());
        assertTrue(feature("item_id").id());

        int total = data.splits().values().stream().mapToInt(Interactions::size).sum();
        double perUser = total / 2000.0;
        assertTrue(perUser > 30 && perUser < 50, "mean interactions per user " + perUser);
        double warm = total - data.splits().get("test_cold_user").size();
        double validShare = data.splits().get("valid").size() / warm;
        double testShare = data.splits().get("test").size() / warm;
        assertTrue(validShare > 0.08 && validShare < 0.105, "valid share " + validShare);
        assertTrue(testShare > 0.08 && testShare < 0.105, "test share " + testShare);
        assertEquals(Integer.toString(data.train().size()), data.description().get("rows.train"));
        for (String split : data.splits().keySet()) {
            assertEquals(Set.of("rating", "like"), data.splits().get(split).labelColumns(), split);
        }
    }

    @Test
    void codesFollowTheConventions() {
        EntityTable users = data.users();
        EntityTable items = data.items();
        Set<Integer> trainUsers = new HashSet<>();
        Set<Integer> trainItems = new HashSet<>();
        for (int r = 0; r < data.train().size(); r++) {
            trainUsers.add(data.train().users()[r]);
            trainItems.add(data.train().items()[r]);
        }
        assertIdCodes(users.categorical("user_id"), trainUsers, feature("user_id").size());
        assertIdCodes(items.categorical("item_id"), trainItems, feature("item_id").size());

        Interactions cold = data.splits().get("test_cold_user");
        assertEquals(100, Arrays.stream(cold.users()).distinct().count());
        for (int u : cold.users()) {
            assertTrue(generated.coldUsers()[u]);
            assertEquals(0, users.categorical("user_id")[u], "cold user " + u);
        }
        for (String split : List.of("valid", "test")) {
            Interactions s = data.splits().get(split);
            for (int r = 0; r < s.size(); r++) {
                assertFalse(generated.coldUsers()[s.users()[r]]);
                assertTrue(trainUsers.contains(s.users()[r]), split + " user without training rows");
                assertTrue(trainItems.contains(s.items()[r]), split + " item without training rows");
            }
        }
        for (int code : users.categorical("user_segment")) {
            assertTrue(code >= 1 && code <= 6);
        }
        for (int code : items.categorical("item_category")) {
            assertTrue(code >= 1 && code <= 10);
        }
        for (float flag : items.dense("item_tags")) {
            assertTrue(flag == 0f || flag == 1f);
        }
    }

    private static void assertIdCodes(int[] codes, Set<Integer> inTrain, int vocabulary) {
        assertEquals(inTrain.size() + 1, vocabulary);
        int expected = 1;
        for (int e = 0; e < codes.length; e++) {
            if (inTrain.contains(e)) {
                assertEquals(expected++, codes[e], "code of entity " + e);
            } else {
                assertEquals(0, codes[e], "entity " + e + " is not in train");
            }
        }
    }

    @Test
    void labelsAreConsistent() {
        for (Map.Entry<String, Interactions> e : data.splits().entrySet()) {
            float[] rating = e.getValue().label("rating");
            float[] like = e.getValue().label("like");
            for (int r = 0; r < rating.length; r++) {
                assertTrue(rating[r] >= 1 && rating[r] <= 5 && rating[r] == Math.rint(rating[r]), "rating " + rating[r]);
                assertEquals(rating[r] >= 4 ? 1f : 0f, like[r], e.getKey() + " row " + r);
            }
        }
        double likeRate = Double.parseDouble(data.description().get("likeRate"));
        assertTrue(likeRate > 0.3 && likeRate < 0.75, "like rate " + likeRate);
    }

    @Test
    void noUserHasTheSameItemTwice() {
        Set<Long> pairs = new HashSet<>();
        for (Interactions s : data.splits().values()) {
            for (int r = 0; r < s.size(); r++) {
                assertTrue(pairs.add((long) s.users()[r] * 1_000_000 + s.items()[r]));
            }
        }
    }

    @Test
    void rankingListsHaveOneTestPositiveAndUnseenNegatives() {
        RankingCandidates ranking = data.rankings().get("test");
        Interactions test = data.splits().get("test");
        Set<Long> testPairs = new HashSet<>();
        Set<Integer> testUsers = new HashSet<>();
        for (int r = 0; r < test.size(); r++) {
            testPairs.add((long) test.users()[r] * 1_000_000 + test.items()[r]);
            testUsers.add(test.users()[r]);
        }
        Set<Long> allPairs = new HashSet<>();
        for (Interactions s : data.splits().values()) {
            for (int r = 0; r < s.size(); r++) {
                allPairs.add((long) s.users()[r] * 1_000_000 + s.items()[r]);
            }
        }
        assertEquals(testUsers.size(), ranking.size());
        for (int l = 0; l < ranking.size(); l++) {
            int u = ranking.users()[l];
            assertTrue(testPairs.contains((long) u * 1_000_000 + ranking.positives()[l]));
            int[] negatives = ranking.negatives()[l];
            assertEquals(99, negatives.length);
            assertEquals(99, Arrays.stream(negatives).distinct().count());
            for (int i : negatives) {
                assertFalse(allPairs.contains((long) u * 1_000_000 + i), "negative " + i + " was observed by " + u);
            }
        }
    }

    @Test
    void higherAffinityRowsHaveHigherRatings() {
        Interactions train = data.train();
        int n = train.size();
        double[][] rows = new double[n][];
        for (int r = 0; r < n; r++) {
            rows[r] = new double[] {generated.model().affinity(train.users()[r], train.items()[r]), train.label("rating")[r]};
        }
        Arrays.sort(rows, (a, b) -> Double.compare(a[0], b[0]));
        int decile = n / 10;
        double low = 0;
        double high = 0;
        for (int r = 0; r < decile; r++) {
            low += rows[r][1];
            high += rows[n - 1 - r][1];
        }
        low /= decile;
        high /= decile;
        assertTrue(high - low > 1.0, "top-affinity decile " + high + " vs bottom " + low);
    }

    @Test
    void popularItemsAreObservedMoreOften() {
        int[] count = new int[500];
        for (Interactions s : data.splits().values()) {
            for (int i : s.items()) {
                count[i]++;
            }
        }
        Integer[] byPopularity = new Integer[500];
        for (int i = 0; i < 500; i++) {
            byPopularity[i] = i;
        }
        Arrays.sort(byPopularity, (a, b) -> Double.compare(generated.model().itemPopularity(a), generated.model().itemPopularity(b)));
        double low = 0;
        double high = 0;
        for (int k = 0; k < 100; k++) {
            low += count[byPopularity[k]];
            high += count[byPopularity[499 - k]];
        }
        assertTrue(high > 3 * low, "top-popularity items observed " + high + " times, bottom " + low);
    }

    @Test
    void tagsAreInformativeAboutTheCategory() {
        // within a category, items share tags far more often than across categories
        int[] category = data.items().categorical("item_category");
        float[] tags = data.items().dense("item_tags");
        double sameCategory = 0;
        double otherCategory = 0;
        long samePairs = 0;
        long otherPairs = 0;
        for (int a = 0; a < 500; a++) {
            for (int b = a + 1; b < 500; b++) {
                int shared = 0;
                for (int t = 0; t < 12; t++) {
                    shared += tags[a * 12 + t] == 1f && tags[b * 12 + t] == 1f ? 1 : 0;
                }
                if (category[a] == category[b]) {
                    sameCategory += shared;
                    samePairs++;
                } else {
                    otherCategory += shared;
                    otherPairs++;
                }
            }
        }
        double same = sameCategory / samePairs;
        double other = otherCategory / otherPairs;
        assertTrue(same > 2 * other, "shared tags within a category " + same + ", across " + other);
    }

    @Test
    void usersOfTheSameSegmentAgree() {
        // a segment's mean rating per category differs between segments: the segment is informative
        int[] segment = data.users().categorical("user_segment");
        int[] category = data.items().categorical("item_category");
        double[][] sum = new double[7][11];
        int[][] count = new int[7][11];
        Interactions train = data.train();
        for (int r = 0; r < train.size(); r++) {
            int s = segment[train.users()[r]];
            int c = category[train.items()[r]];
            sum[s][c] += train.label("rating")[r];
            count[s][c]++;
        }
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (int s = 1; s <= 6; s++) {
            for (int c = 1; c <= 10; c++) {
                if (count[s][c] >= 50) {
                    min = Math.min(min, sum[s][c] / count[s][c]);
                    max = Math.max(max, sum[s][c] / count[s][c]);
                }
            }
        }
        assertTrue(max - min > 1.0, "segment x category mean ratings span " + min + " .. " + max);
    }

    @Test
    void smallConfigsWork() {
        SyntheticConfig tiny = SyntheticConfigTest.config(Map.of(
                "users", 20, "items", 10, "latentDim", 2, "segments", 1, "categories", 1, "tags", 1,
                "meanInteractionsPerUser", 5, "coldUserFraction", 0.0));
        Dataset d = new SyntheticGenerator(tiny, 1).generate().dataset();
        assertEquals(0, d.splits().get("test_cold_user").size());
        RankingCandidates ranking = d.rankings().get("test");
        for (int[] negatives : ranking.negatives()) {
            assertEquals(5, negatives.length);
        }
        assertNotEquals(0, d.train().size());
    }

    private static FeatureSpec feature(String name) {
        return data.features().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void featuresBelongToTheirEntity() {
        for (FeatureSpec f : data.features()) {
            assertEquals(f.name().startsWith("user_") ? Entity.USER : Entity.ITEM, f.entity(), f.name());
        }
    }
}
