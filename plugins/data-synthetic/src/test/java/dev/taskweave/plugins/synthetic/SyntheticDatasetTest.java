package dev.taskweave.plugins.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.taskweave.api.data.DataContext;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityAttribute;
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
    @Test
    void rankingListsAreTheOnesThisReleaseHasAlwaysDrawn() {
        // hashes of the default data's lists for seed 7, as the users x items table of flags drew
        // them before the lists were built from each user's grouped items
        RankingCandidates r = new SyntheticGenerator(new SyntheticConfig(), 7).generate().dataset().rankings().get("test");
        assertEquals(997060983, Arrays.hashCode(r.users()));
        assertEquals(1939742444, Arrays.hashCode(r.positives()));
        assertEquals(1733966244, Arrays.deepHashCode(r.negatives()));
    }

    @Test
    void selectionFindsWhatSortingPutsAtTheIndex() {
        // sizes around the cut-over to sorting (17 values), ties (values drawn from few), sorted and
        // reversed runs, every index
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        for (int size : new int[] {1, 2, 3, 16, 17, 18, 40, 257, 1000}) {
            for (int kind = 0; kind < 4; kind++) {
                double[] values = new double[size];
                for (int i = 0; i < size; i++) {
                    values[i] = switch (kind) {
                        case 0 -> random.nextDouble() * 10 - 5;
                        case 1 -> random.nextInt(3);
                        case 2 -> i;
                        default -> size - i;
                    };
                }
                double[] sorted = values.clone();
                java.util.Arrays.sort(sorted);
                for (int k = 0; k < size; k++) {
                    assertEquals(sorted[k], SyntheticGenerator.select(values.clone(), k), "size " + size + ", kind " + kind + ", index " + k);
                }
            }
        }
        assertThrows(IndexOutOfBoundsException.class, () -> SyntheticGenerator.select(new double[3], 3));
    }

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
        // every parameter, those at their defaults too
        assertEquals("false", data.description().get("history"));
        assertEquals("0.0", data.description().get("attributeValid"));
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
        int[] segments = users.categorical("user_segment");
        for (int u = 0; u < segments.length; u++) {
            assertTrue(generated.heldUsers()[u] ? segments[u] == 0 : segments[u] >= 1 && segments[u] <= 6);
        }
        int[] categories = items.categorical("item_category");
        for (int i = 0; i < categories.length; i++) {
            assertTrue(generated.heldItems()[i] ? categories[i] == 0 : categories[i] >= 1 && categories[i] <= 10);
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
        // within a category, items share tags far more often than across categories (true labels,
        // held-out items included)
        float[] category = data.attributes().get("item_category").values();
        float[] tags = data.attributes().get("item_tags").values();
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
        float[] segment = data.attributes().get("user_segment").values();
        float[] category = data.attributes().get("item_category").values();
        double[][] sum = new double[7][11];
        int[][] count = new int[7][11];
        Interactions train = data.train();
        for (int r = 0; r < train.size(); r++) {
            int s = (int) segment[train.users()[r]] + 1;
            int c = (int) category[train.items()[r]] + 1;
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
    void tagsNoItemHasAreWarnedAbout() {
        // random cosines shrink as 1/sqrt(latentDim): at 64 few items clear the 0.3 threshold of a tag
        Dataset wide = new SyntheticGenerator(SyntheticConfigTest.config(Map.of("users", 50, "items", 100, "latentDim", 64,
                "meanInteractionsPerUser", 10)), 1).generate().dataset();
        String warning = wide.description().get(Dataset.WARNING + "tags");
        assertTrue(warning != null && warning.contains("item_tags flags are set on no item"), String.valueOf(warning));
        int[] perTag = new int[12];
        var tags = wide.attributes().get("item_tags");
        for (int k = 0; k < tags.values().length; k++) {
            perTag[k % 12] += tags.values()[k] > 0 ? 1 : 0;
        }
        long empty = java.util.Arrays.stream(perTag).filter(c -> c == 0).count();
        assertTrue(warning.startsWith(empty + " of 12 "), warning + " against " + java.util.Arrays.toString(perTag));
        // the default latentDim 8 splits the items on every tag
        Dataset d = new SyntheticGenerator(SyntheticConfigTest.config(Map.of("users", 50, "items", 100,
                "meanInteractionsPerUser", 10)), 1).generate().dataset();
        assertEquals(null, d.description().get(Dataset.WARNING + "tags"));
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

    @Test
    void historiesHoldExactlyTheTrainingInteractions() {
        SyntheticConfig small = SyntheticConfigTest.config(Map.of("users", 60, "items", 40, "meanInteractionsPerUser", 8, "history", true));
        Dataset d = new SyntheticGenerator(small, 3).generate().dataset();
        FeatureSpec users = d.features().stream().filter(f -> f.name().equals("user_history")).findFirst().orElseThrow();
        FeatureSpec items = d.features().stream().filter(f -> f.name().equals("item_history")).findFirst().orElseThrow();
        assertTrue(users.fromInteractions() && items.fromInteractions());
        // no training pair repeats: a training row's history is rescaled without its own entry
        assertEquals(dev.taskweave.api.data.Histories.Scale.MEAN, users.historyScale());
        assertEquals(dev.taskweave.api.data.Histories.Scale.MEAN, items.historyScale());
        assertEquals(40, users.size());
        assertEquals(60, items.size());
        float[] byUser = d.users().sparse("user_history").toDense();
        float[] byItem = d.items().sparse("item_history").toDense();
        int[] perUser = new int[60];
        for (int u : d.train().users()) {
            perUser[u]++;
        }
        Set<Long> train = new HashSet<>();
        for (int k = 0; k < d.train().size(); k++) {
            train.add((long) d.train().users()[k] * 40 + d.train().items()[k]);
        }
        for (int u = 0; u < 60; u++) {
            for (int i = 0; i < 40; i++) {
                boolean rated = train.contains((long) u * 40 + i);
                float expected = rated ? 1f / perUser[u] : 0f;
                assertEquals(expected, byUser[u * 40 + i], 1e-6f, "user " + u + " item " + i);
                assertEquals(rated, byItem[i * 60 + u] > 0, "item " + i + " user " + u);
            }
        }
        // without the option the dataset is as before
        assertTrue(data.features().stream().noneMatch(FeatureSpec::fromInteractions));
    }

    @Test
    void attributesHaveTheirShapesAndThePlantedValues() {
        assertEquals(List.of("user_segment", "item_category", "item_tags"), List.copyOf(data.attributes().keySet()));
        EntityAttribute segment = data.attributes().get("user_segment");
        assertEquals(Entity.USER, segment.entity());
        assertEquals(EntityAttribute.Kind.CLASS, segment.kind());
        assertEquals(6, segment.width());
        assertEquals(2000, segment.values().length);
        EntityAttribute category = data.attributes().get("item_category");
        assertEquals(Entity.ITEM, category.entity());
        assertEquals(EntityAttribute.Kind.CLASS, category.kind());
        assertEquals(10, category.width());
        assertEquals(500, category.values().length);
        EntityAttribute tags = data.attributes().get("item_tags");
        assertEquals(Entity.ITEM, tags.entity());
        assertEquals(EntityAttribute.Kind.MULTI_LABEL, tags.kind());
        assertEquals(12, tags.width());
        assertEquals(500 * 12, tags.values().length);
        for (EntityAttribute a : data.attributes().values()) {
            for (boolean known : a.known()) {
                assertTrue(known, a.name());
            }
            assertTrue(data.features().stream().anyMatch(f -> f.name().equals(a.name()) && f.entity() == a.entity()),
                    "attribute " + a.name() + " is named after its feature");
        }
        PlantedModel model = generated.model();
        for (int u = 0; u < 2000; u++) {
            assertEquals(model.userSegment(u), segment.values()[u]);
        }
        for (int i = 0; i < 500; i++) {
            assertEquals(model.itemCategory(i), category.values()[i]);
            for (int t = 0; t < 12; t++) {
                assertEquals(model.itemHasTag(i, t) ? 1f : 0f, tags.values()[i * 12 + t]);
            }
        }
    }

    @Test
    void attributeHoldoutListsASeededShareOfUsersAndItems() {
        assertEquals(Set.of("attribute_test"), data.attributeEvaluation().keySet());
        Map<String, int[]> held = data.attributeEvaluation().get("attribute_test");
        assertEquals(List.of("user_segment", "item_category", "item_tags"), List.copyOf(held.keySet()));
        assertEquals(200, held.get("user_segment").length);
        assertEquals(50, held.get("item_category").length);
        assertArrayEquals(held.get("item_category"), held.get("item_tags"), "one set of held-out items");
        assertEquals(200, Arrays.stream(held.get("user_segment")).distinct().count());
        for (int u : held.get("user_segment")) {
            assertTrue(generated.heldUsers()[u]);
        }
        for (int i : held.get("item_category")) {
            assertTrue(generated.heldItems()[i]);
        }
        assertEquals("200", data.description().get("attributeHoldout.users"));
        assertEquals("50", data.description().get("attributeHoldout.items"));

        Dataset again = new SyntheticGenerator(new SyntheticConfig(), 7).generate().dataset();
        assertArrayEquals(held.get("user_segment"), again.attributeEvaluation().get("attribute_test").get("user_segment"));
        assertArrayEquals(held.get("item_tags"), again.attributeEvaluation().get("attribute_test").get("item_tags"));
        Dataset other = new SyntheticGenerator(new SyntheticConfig(), 8).generate().dataset();
        Map<String, int[]> otherHeld = other.attributeEvaluation().get("attribute_test");
        assertFalse(Arrays.equals(held.get("user_segment"), otherHeld.get("user_segment")));
        assertFalse(Arrays.equals(held.get("item_category"), otherHeld.get("item_category")));

        SyntheticConfig quarter = SyntheticConfigTest.config(Map.of("users", 100, "items", 60, "meanInteractionsPerUser", 10,
                "attributeHoldout", 0.25));
        Map<String, int[]> q = new SyntheticGenerator(quarter, 3).generate().dataset()
                .attributeEvaluation().get("attribute_test");
        assertEquals(25, q.get("user_segment").length);
        assertEquals(15, q.get("item_tags").length);
    }

    @Test
    void attributeValidHoldsOtherEntitiesOutAsTheValidSplitsAttributeRows() {
        SyntheticConfig withValid = SyntheticConfigTest.config(Map.of("attributeValid", 0.1));
        SyntheticGenerator.Generated g = new SyntheticGenerator(withValid, 7).generate();
        Dataset d = g.dataset();
        // the holdout is drawn as without it
        assertArrayEquals(data.attributeEvaluation().get("attribute_test").get("item_tags"),
                d.attributeEvaluation().get("attribute_test").get("item_tags"));
        assertArrayEquals(data.attributeEvaluation().get("attribute_test").get("user_segment"),
                d.attributeEvaluation().get("attribute_test").get("user_segment"));
        Map<String, int[]> valid = d.attributeEvaluation().get(Dataset.VALID);
        assertEquals(List.of("user_segment", "item_category", "item_tags"), List.copyOf(valid.keySet()));
        assertEquals(200, valid.get("user_segment").length);
        assertEquals(50, valid.get("item_tags").length);
        assertArrayEquals(valid.get("item_category"), valid.get("item_tags"));
        int[] categoryCodes = d.items().categorical("item_category");
        float[] tagFeature = d.items().dense("item_tags");
        for (int i : valid.get("item_tags")) {
            assertFalse(g.heldItems()[i], "item " + i + " is both held out and validating");
            assertEquals(0, categoryCodes[i], "item " + i);
            for (int t = 0; t < 12; t++) {
                assertEquals(0f, tagFeature[i * 12 + t], "item " + i + " tag " + t);
            }
        }
        int[] segmentCodes = d.users().categorical("user_segment");
        for (int u : valid.get("user_segment")) {
            assertFalse(g.heldUsers()[u], "user " + u + " is both held out and validating");
            assertEquals(0, segmentCodes[u], "user " + u);
        }
        assertEquals("50", d.description().get("attributeValid.items"));
        // the other entities keep their features; the interactions do not move
        assertEquals(500 - 50 - 50, java.util.stream.IntStream.of(categoryCodes).filter(c -> c > 0).count());
        assertArrayEquals(data.splits().get(Dataset.VALID).users(), d.splits().get(Dataset.VALID).users());
    }

    @Test
    void heldOutEntitiesHaveZeroFeaturesOfTheSameName() {
        int[] segmentCodes = data.users().categorical("user_segment");
        int[] categoryCodes = data.items().categorical("item_category");
        float[] tagFeature = data.items().dense("item_tags");
        float[] segment = data.attributes().get("user_segment").values();
        float[] category = data.attributes().get("item_category").values();
        float[] tags = data.attributes().get("item_tags").values();
        for (int u = 0; u < 2000; u++) {
            assertEquals(generated.heldUsers()[u] ? 0 : (int) segment[u] + 1, segmentCodes[u], "user " + u);
        }
        for (int i = 0; i < 500; i++) {
            boolean held = generated.heldItems()[i];
            assertEquals(held ? 0 : (int) category[i] + 1, categoryCodes[i], "item " + i);
            for (int t = 0; t < 12; t++) {
                assertEquals(held ? 0f : tags[i * 12 + t], tagFeature[i * 12 + t], "item " + i + " tag " + t);
            }
        }
        // the other features are untouched
        SyntheticConfig noHoldout = SyntheticConfigTest.config(Map.of("attributeHoldout", 0.0));
        Dataset none = new SyntheticGenerator(noHoldout, 7).generate().dataset();
        assertTrue(none.attributeEvaluation().isEmpty());
        assertArrayEquals(none.users().dense("user_activity"), data.users().dense("user_activity"));
        assertArrayEquals(none.users().categorical("user_id"), data.users().categorical("user_id"));
        assertArrayEquals(none.items().categorical("item_id"), data.items().categorical("item_id"));
        assertArrayEquals(none.attributes().get("item_tags").values(), tags, "labels do not depend on the holdout");
        for (int i = 0; i < 500; i++) {
            assertEquals(category[i] + 1, none.items().categorical("item_category")[i]);
        }
        // and the holdout does not move the interactions
        for (String split : data.splits().keySet()) {
            assertArrayEquals(none.splits().get(split).users(), data.splits().get(split).users(), split);
            assertArrayEquals(none.splits().get(split).items(), data.splits().get(split).items(), split);
            assertArrayEquals(none.splits().get(split).label("rating"), data.splits().get(split).label("rating"), split);
        }
    }

    @Test
    void heldOutAttributesAreLearnableFromTheRemainingData() {
        // held-out items keep their item_id and interactions: a nearest-neighbour vote over the
        // training users of the other items recovers their category and tags far above chance
        // (seed 7 measures category accuracy 0.58, tag micro-F1 0.70, segment accuracy 0.93)
        float[] category = data.attributes().get("item_category").values();
        float[] tags = data.attributes().get("item_tags").values();
        Interactions train = data.train();
        double[][] itemUsers = new double[500][2000];
        double[][] userItems = new double[2000][500];
        for (int r = 0; r < train.size(); r++) {
            itemUsers[train.items()[r]][train.users()[r]] = 1;
            userItems[train.users()[r]][train.items()[r]] = 1;
        }
        int[] heldItems = data.attributeEvaluation().get("attribute_test").get("item_category");
        int categoryHits = 0;
        double tagF1Numerator = 0;
        double tagF1Denominator = 0;
        for (int i : heldItems) {
            int[] neighbours = nearest(itemUsers, i, generated.heldItems(), 10);
            categoryHits += vote(category, neighbours, 10) == (int) category[i] ? 1 : 0;
            for (int t = 0; t < 12; t++) {
                int votes = 0;
                for (int n : neighbours) {
                    votes += tags[n * 12 + t] == 1f ? 1 : 0;
                }
                boolean predicted = votes * 2 > neighbours.length;
                boolean actual = tags[i * 12 + t] == 1f;
                tagF1Numerator += predicted && actual ? 2 : 0;
                tagF1Denominator += (predicted ? 1 : 0) + (actual ? 1 : 0);
            }
        }
        double categoryAccuracy = (double) categoryHits / heldItems.length;
        double tagF1 = tagF1Numerator / tagF1Denominator;
        assertTrue(categoryAccuracy > 0.35, "held-out item category accuracy " + categoryAccuracy + " (chance 0.1)");
        assertTrue(tagF1 > 0.5, "held-out item tag micro-F1 " + tagF1);

        // a held-out user's segment from the users with the most similar training items
        float[] segment = data.attributes().get("user_segment").values();
        int userHits = 0;
        int counted = 0;
        for (int u : data.attributeEvaluation().get("attribute_test").get("user_segment")) {
            if (generated.coldUsers()[u]) {
                continue;
            }
            counted++;
            userHits += vote(segment, nearest(userItems, u, generated.heldUsers(), 15), 6) == (int) segment[u] ? 1 : 0;
        }
        double segmentAccuracy = (double) userHits / counted;
        assertTrue(segmentAccuracy > 0.6, "held-out user segment accuracy " + segmentAccuracy + " (chance 1/6)");
    }

    /** The k rows most cosine-similar to row {@code of}, skipping excluded rows. */
    private static int[] nearest(double[][] rows, int of, boolean[] excluded, int k) {
        double[] similarity = new double[rows.length];
        Integer[] order = new Integer[rows.length];
        double normOf = Math.sqrt(Arrays.stream(rows[of]).sum());
        for (int e = 0; e < rows.length; e++) {
            order[e] = e;
            double dot = 0;
            for (int c = 0; c < rows[of].length; c++) {
                dot += rows[of][c] * rows[e][c];
            }
            double norm = Math.sqrt(Arrays.stream(rows[e]).sum());
            similarity[e] = excluded[e] || e == of || norm == 0 || normOf == 0 ? -1 : dot / (norm * normOf);
        }
        Arrays.sort(order, (a, b) -> Double.compare(similarity[b], similarity[a]));
        int[] result = new int[k];
        for (int j = 0; j < k; j++) {
            result[j] = order[j];
        }
        return result;
    }

    private static int vote(float[] classes, int[] neighbours, int width) {
        int[] votes = new int[width];
        for (int n : neighbours) {
            votes[(int) classes[n]]++;
        }
        int best = 0;
        for (int c = 1; c < width; c++) {
            best = votes[c] > votes[best] ? c : best;
        }
        return best;
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
