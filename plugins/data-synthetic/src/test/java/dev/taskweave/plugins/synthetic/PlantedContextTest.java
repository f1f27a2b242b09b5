package dev.taskweave.plugins.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityAttribute;
import dev.taskweave.api.data.FeatureKind;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.api.data.RankingCandidates;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The optional device context: a per-interaction {@code user_device} whose planted offset shifts the rating signal. */
class PlantedContextTest {
    private static final long SEED = 7;
    private static final double EFFECT = 0.8;
    private static final double[] OFFSETS = {-EFFECT, 0, EFFECT};
    private static Dataset plain;
    private static Dataset context;
    private static Dataset noEffect;

    @BeforeAll
    static void generate() {
        // every optional label and the histories, so that each of their streams is covered
        Map<String, Object> base = new HashMap<>(Map.of("users", 600, "items", 200, "meanInteractionsPerUser", 30,
                "history", true, "attributeValid", 0.1, "scores", Map.of("score", 0.5), "conflict", Map.of("strength", 2.0),
                "opposedScores", Map.of("name", "pair", "sigma", 1.0)));
        plain = new SyntheticGenerator(SyntheticConfigTest.config(base), SEED).generate().dataset();
        base.put("context", Map.of("devices", 3, "effect", EFFECT));
        context = new SyntheticGenerator(SyntheticConfigTest.config(base), SEED).generate().dataset();
        base.put("context", Map.of("devices", 3, "effect", 0.0));
        noEffect = new SyntheticGenerator(SyntheticConfigTest.config(base), SEED).generate().dataset();
    }

    @Test
    void withoutTheOptionNoRowRecordsAFeature() {
        assertTrue(plain.features().stream().noneMatch(FeatureSpec::perInteraction));
        assertFalse(plain.users().has(SyntheticGenerator.USER_DEVICE));
        for (Interactions split : plain.splits().values()) {
            assertTrue(split.features().isEmpty());
        }
        assertTrue(plain.description().keySet().stream().noneMatch(k -> k.startsWith("context.") || k.equals("planted.deviceOffsets")));
    }

    @Test
    void aZeroEffectAddsTheDeviceAndChangesNothingElse() {
        // the devices come from a stream of their own and an offset of 0 leaves every sum as it was
        assertSameInteractions(plain, noEffect, true);
        assertSameEntitiesAndRankings(plain, noEffect);
        Map<String, String> description = new LinkedHashMap<>(noEffect.description());
        assertEquals("3", description.remove("context.devices"));
        assertEquals("0.0", description.remove("context.effect"));
        assertEquals("0.0,0.0,0.0", description.remove("planted.deviceOffsets"));
        assertEquals(plain.description(), description);
        // the same devices as with an effect: the effect does not take part in the draw
        for (String split : context.splits().keySet()) {
            assertArrayEquals(context.splits().get(split).feature("user_device"),
                    noEffect.splits().get(split).feature("user_device"), split);
        }
    }

    @Test
    void theEffectMovesNoDrawAndShiftsEveryLabelOfTheSignal() {
        assertSameInteractions(plain, context, false);
        assertSameEntitiesAndRankings(plain, context);
        assertEquals("-0.8,0.0,0.8", context.description().get("planted.deviceOffsets"));
        assertEquals("0.8", context.description().get("context.effect"));
        for (String name : context.splits().keySet()) {
            Interactions before = plain.splits().get(name);
            Interactions after = context.splits().get(name);
            float[] device = after.feature("user_device");
            for (int r = 0; r < after.size(); r++) {
                double offset = OFFSETS[(int) device[r] - 1];
                // unrounded labels: the same noise draw, shifted by exactly the offset (float rounding only)
                assertEquals(before.label("score")[r] + offset, after.label("score")[r], 1e-5, name + " row " + r);
                assertEquals(before.label("pair_plus")[r] + offset, after.label("pair_plus")[r], 1e-5, name + " row " + r);
                assertEquals(before.label("pair_minus")[r] + offset, after.label("pair_minus")[r], 1e-5, name + " row " + r);
                // the rating: the same noise draw, so the rounded star moves at most one step, the offset's way
                float step = after.label("rating")[r] - before.label("rating")[r];
                assertTrue(offset == 0 ? step == 0 : step == 0 || step == Math.signum(offset), name + " row " + r + ": " + step);
                // dislike: the same uniform draw against a probability that falls as the signal rises
                float dislikeStep = after.label("dislike")[r] - before.label("dislike")[r];
                assertTrue(offset == 0 ? dislikeStep == 0 : dislikeStep == 0 || dislikeStep == -Math.signum(offset),
                        name + " row " + r + ": " + dislikeStep);
                assertEquals(after.label("rating")[r] >= 4 ? 1f : 0f, after.label("like")[r]);
            }
        }
    }

    @Test
    void theDeviceIsAPerInteractionFeatureOfEverySplit() {
        FeatureSpec spec = context.features().stream().filter(f -> f.name().equals("user_device")).findFirst().orElseThrow();
        assertEquals(Entity.USER, spec.entity());
        assertEquals(FeatureKind.CATEGORICAL, spec.kind());
        assertEquals(4, spec.size());
        assertEquals(List.of("device0", "device1", "device2"), spec.labels());
        assertTrue(spec.perInteraction());
        assertFalse(spec.id());
        assertFalse(spec.fromInteractions());
        assertEquals(List.of("train", "valid", "test", "test_cold_user"), List.copyOf(context.splits().keySet()));
        int[] perDevice = new int[3];
        int rows = 0;
        for (Map.Entry<String, Interactions> split : context.splits().entrySet()) {
            float[] codes = split.getValue().feature("user_device");
            assertNotNull(codes, split.getKey());
            assertEquals(split.getValue().size(), codes.length, split.getKey());
            assertEquals(List.of("user_device"), List.copyOf(split.getValue().features().keySet()));
            for (float code : codes) {
                // every row has a device: codes 1..3, never unknown
                assertTrue(code >= 1 && code <= 3 && code == Math.rint(code), split.getKey() + ": " + code);
                perDevice[(int) code - 1]++;
            }
            rows += codes.length;
        }
        assertTrue(context.splits().get("test_cold_user").size() > 0);
        // drawn uniformly: with n ~ 18,000 rows a share has sd sqrt(1/3 * 2/3 / n) ~ 0.0035; 0.02 is over 5 sd
        for (int d = 0; d < 3; d++) {
            assertEquals(1 / 3.0, perDevice[d] / (double) rows, 0.02, "device " + d);
        }
    }

    @Test
    void theUsersTableHoldsTheLatestTrainingDevice() {
        Interactions train = context.train();
        float[] codes = train.feature("user_device");
        int[] table = context.users().categorical("user_device");
        assertEquals(600, table.length);
        // rows have no time: a user's rows are generated in item order, so the latest is the one with the highest item
        int[] lastItem = new int[600];
        int[] expected = new int[600];
        Arrays.fill(lastItem, -1);
        for (int r = 0; r < train.size(); r++) {
            int u = train.users()[r];
            if (train.items()[r] > lastItem[u]) {
                lastItem[u] = train.items()[r];
                expected[u] = (int) codes[r];
            }
        }
        int unknown = 0;
        for (int u = 0; u < 600; u++) {
            assertEquals(expected[u], table[u], "user " + u);
            unknown += table[u] == 0 ? 1 : 0;
        }
        // users without a training row (the 30 cold users) read unknown
        assertEquals(30, unknown);
        for (int u : context.splits().get("test_cold_user").users()) {
            assertEquals(0, table[u], "cold user " + u);
        }
    }

    @Test
    void theMeanScorePerDeviceIsShiftedByItsOffset() {
        // score = 3 + signal + offset + 0.5 * eps, neither rounded nor clipped, and the device is drawn
        // independently of the user, the item and the noise: the difference between two devices' mean
        // scores estimates the difference of their offsets without bias. Its standard error (from the
        // data: about sqrt(2 * 0.8^2 / 5,800) ~ 0.016) allows 4 of them.
        double[][] score = perDevice(context, "score");
        for (int d : new int[] {0, 2}) {
            double gap = score[d][1] - score[1][1];
            double error = Math.sqrt(score[d][2] / score[d][0] + score[1][2] / score[1][0]);
            assertEquals(OFFSETS[d] - OFFSETS[1], gap, 4 * error, "device " + d);
        }
        // with an effect of 0 the devices are just a random column
        double[][] flat = perDevice(noEffect, "score");
        for (int d : new int[] {0, 2}) {
            double error = Math.sqrt(flat[d][2] / flat[d][0] + flat[1][2] / flat[1][0]);
            assertEquals(0, flat[d][1] - flat[1][1], 4 * error, "device " + d);
        }
    }

    @Test
    void theMeanRatingPerDeviceFollowsThePlantedOffsets() {
        double[][] rating = perDevice(context, "rating");
        double[][] like = perDevice(context, "like");
        System.out.printf("mean rating by device %.3f / %.3f / %.3f, like rate %.3f / %.3f / %.3f (all devices: %s, %s without)%n",
                rating[0][1], rating[1][1], rating[2][1], like[0][1], like[1][1], like[2][1],
                context.description().get("meanRating"), plain.description().get("meanRating"));
        assertTrue(rating[0][1] < rating[1][1] && rating[1][1] < rating[2][1], "ratings rise with the offset");
        assertTrue(like[0][1] < like[1][1] && like[1][1] < like[2][1], "likes rise with the offset");
        // The rating is clip(round(3 + signal + offset + 0.5 * eps)): rounding moves a mean by the offset
        // (the raw values' fractions are spread evenly), the 1 and 5 stars absorb part of it. The score's
        // noise has the rating's standard deviation (0.5), so clip(round(score)) has the rating's
        // distribution on every row: per device the two means agree up to the noise of the paired
        // differences (standard error from the data, about 0.01; 4 allowed). That is the offset
        // reaching the rating, with exactly the attenuation the clipping causes.
        for (int d = 0; d < 3; d++) {
            double[] paired = pairedDifference(context, d);
            assertEquals(0, paired[0], 4 * paired[1], "device " + d);
        }
        // below the middle device the stars are rarely clipped (means about 3 and 3.8), so the gap is
        // nearly the whole -0.8: -0.79 here, -0.73 to -0.81 over seeds 1 to 12; the 5-star ceiling
        // absorbs more of the top device's +0.8 (+0.63 here)
        assertEquals(OFFSETS[0] - OFFSETS[1], rating[0][1] - rating[1][1], 0.1);
    }

    /** @return {mean, standard error} of rating - clip(round(score)) over the rows of every split with device {@code d} */
    private static double[] pairedDifference(Dataset data, int device) {
        double sum = 0;
        double squares = 0;
        int n = 0;
        for (Interactions split : data.splits().values()) {
            float[] codes = split.feature("user_device");
            for (int r = 0; r < split.size(); r++) {
                if (codes[r] == device + 1) {
                    double rounded = Math.max(1, Math.min(5, Math.round(split.label("score")[r])));
                    double difference = split.label("rating")[r] - rounded;
                    sum += difference;
                    squares += difference * difference;
                    n++;
                }
            }
        }
        double mean = sum / n;
        return new double[] {mean, Math.sqrt((squares / n - mean * mean) / n)};
    }

    /** @return per device, {rows, mean, variance} of a label over the rows of every split */
    private static double[][] perDevice(Dataset d, String label) {
        double[][] stats = new double[3][3];
        for (Interactions split : d.splits().values()) {
            float[] codes = split.feature("user_device");
            float[] values = split.label(label);
            for (int r = 0; r < split.size(); r++) {
                double[] s = stats[(int) codes[r] - 1];
                s[0]++;
                s[1] += values[r];
                s[2] += values[r] * (double) values[r];
            }
        }
        for (double[] s : stats) {
            s[1] /= s[0];
            s[2] = s[2] / s[0] - s[1] * s[1];
        }
        return stats;
    }

    /** Same rows, ids and (when {@code labels}) label values in every split; {@code a} records no feature per row. */
    private static void assertSameInteractions(Dataset a, Dataset b, boolean labels) {
        assertEquals(a.splits().keySet(), b.splits().keySet());
        for (String name : a.splits().keySet()) {
            Interactions x = a.splits().get(name);
            Interactions y = b.splits().get(name);
            assertArrayEquals(x.users(), y.users(), name);
            assertArrayEquals(x.items(), y.items(), name);
            assertEquals(List.copyOf(x.labelColumns()), List.copyOf(y.labelColumns()), name);
            if (labels) {
                for (String label : x.labelColumns()) {
                    assertArrayEquals(x.label(label), y.label(label), name + " " + label);
                }
            }
        }
    }

    /** Every feature of {@code a} with the same table values in {@code b}, the same attributes and ranking lists. */
    private static void assertSameEntitiesAndRankings(Dataset a, Dataset b) {
        List<FeatureSpec> features = b.features().stream().filter(f -> !f.name().equals("user_device")).toList();
        assertEquals(a.features(), features);
        for (FeatureSpec f : a.features()) {
            if (f.kind() == FeatureKind.CATEGORICAL) {
                assertArrayEquals(a.table(f.entity()).categorical(f.name()), b.table(f.entity()).categorical(f.name()), f.name());
            } else if (a.table(f.entity()).isSparse(f.name())) {
                assertEquals(a.table(f.entity()).sparse(f.name()), b.table(f.entity()).sparse(f.name()), f.name());
            } else {
                assertArrayEquals(a.table(f.entity()).dense(f.name()), b.table(f.entity()).dense(f.name()), f.name());
            }
        }
        assertEquals(a.rankings().keySet(), b.rankings().keySet());
        for (String name : a.rankings().keySet()) {
            RankingCandidates x = a.rankings().get(name);
            RankingCandidates y = b.rankings().get(name);
            assertArrayEquals(x.users(), y.users(), name);
            assertArrayEquals(x.positives(), y.positives(), name);
            assertArrayEquals(x.negatives(), y.negatives(), name);
        }
        assertEquals(a.attributes().keySet(), b.attributes().keySet());
        for (EntityAttribute x : a.attributes().values()) {
            assertArrayEquals(x.values(), b.attributes().get(x.name()).values(), x.name());
        }
        assertEquals(a.attributeEvaluation().keySet(), b.attributeEvaluation().keySet());
        for (String split : a.attributeEvaluation().keySet()) {
            Map<String, int[]> x = a.attributeEvaluation().get(split);
            Map<String, int[]> y = b.attributeEvaluation().get(split);
            assertEquals(x.keySet(), y.keySet(), split);
            x.forEach((attribute, entities) -> assertArrayEquals(entities, y.get(attribute), split + " " + attribute));
        }
    }
}
