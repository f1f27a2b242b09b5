package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.taskweave.api.data.Entity;
import dev.taskweave.core.Taskweave;
import dev.taskweave.core.data.EntityRow;
import dev.taskweave.core.data.FeatureGatherer;
import dev.taskweave.core.run.AssembledModel;
import dev.taskweave.core.run.FactoredScorer;
import dev.taskweave.core.run.TaskScorer;
import dev.taskweave.core.store.ModelStore;
import dev.taskweave.serve.ServeConfig;
import dev.taskweave.serve.TaskweaveServer;
import dev.taskweave.serve.model.ServedModel;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Serving's factored scorer (item side of the sharing strategy's first layer cached, user side and
 * id product per request) gives the scores of the plain forward pass, for every sharing strategy
 * that declares an affine input, on models trained through the real plugin jars.
 */
class FactoredScoringTest {
    static Taskweave taskweave;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        taskweave = Taskweave.start(List.of(Dist.plugins()));
    }

    @AfterAll
    static void stop() {
        taskweave.close();
    }

    private static String config(String sharing, String features) {
        return EndToEndTest.CONFIG.replace("epochs: 6", "epochs: 1")
                .replace("sharing: {type: mmoe, params: {experts: 3, expertLayers: [32, 16]}}", "sharing: " + sharing)
                .replace("features: {embeddingDim: 8, idDropout: 0.05}", "features: " + features);
    }

    private static Path train(String name, String yaml) throws Exception {
        Path config = tmp.resolve(name + ".yaml");
        Files.writeString(config, yaml);
        Path model = tmp.resolve(name);
        taskweave.train(config, model, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        return model;
    }

    static void assertClose(float[][] expected, float[][] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t].length, actual[t].length, what);
            for (int i = 0; i < expected[t].length; i++) {
                assertEquals(expected[t][i], actual[t][i], 1e-4f, what + ": task " + t + " row " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{type: mmoe, params: {experts: 3, expertLayers: [32, 16], dropout: 0.1}}",
        "{type: shared-bottom, params: {layers: [32, 16]}}",
        "{type: omoe, params: {experts: 3, expertLayers: [16]}}",
        "{type: cgc, params: {sharedExperts: 2, taskExperts: 1, expertLayers: [16, 8]}}",
        "{type: ple, params: {levels: 2, sharedExperts: 2, taskExperts: 1, expertLayers: [16]}}"})
    void scoresEqualThePlainForwardPass(String sharing) throws Exception {
        Path dir = train("m" + Math.abs(sharing.hashCode()), config(sharing, "{embeddingDim: 8, idDropout: 0.05}"));
        ModelStore store = taskweave.injector().getInstance(ModelStore.class);
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelStore.LoadedModel loaded = store.load(dir, manager);
            AssembledModel model = loaded.model();
            FeatureGatherer gatherer = new FeatureGatherer(model.features(), loaded.users(), loaded.items());
            try (FactoredScorer factored = FactoredScorer.create(model, gatherer, manager)) {
                assertNotNull(factored, sharing + " should be factorable");
                int items = loaded.items().size();
                assertEquals(items, factored.itemCount());
                int[] all = new int[items];
                Arrays.setAll(all, i -> i);
                int[] tasks = {0, 1, 2};
                for (int user : new int[] {0, 7, loaded.users().size() - 1}) {
                    int[] users = new int[items];
                    Arrays.fill(users, user);
                    float[][] plain = TaskScorer.score(model, gatherer, users, all, tasks, manager);
                    assertClose(plain, factored.score(gatherer, user, null, tasks, manager), sharing + " user " + user);
                }
                // a subset of candidates, out of order, and one task only
                int[] subset = {5, 2, items - 1, 0};
                float[][] plain = TaskScorer.score(model, gatherer, new int[] {3, 3, 3, 3}, subset, new int[] {2}, manager);
                assertClose(plain, factored.score(gatherer, 3, subset, new int[] {2}, manager), sharing + " subset");
                // a new user, from side features only
                EntityRow row = EntityRow.fromValues(Entity.USER, "new", model.features(),
                        Map.of("user_segment", 2, "user_activity", 0.5));
                FeatureGatherer cold = new FeatureGatherer(model.features(),
                        EntityRow.table(Entity.USER, model.features(), List.of(row)), loaded.items());
                int[] zeros = new int[items];
                assertClose(TaskScorer.score(model, cold, zeros, all, tasks, manager),
                        factored.score(cold, 0, null, tasks, manager), sharing + " cold user");
            }
        }
    }

    @Test
    void anUnfactorableStrategyFallsBack() throws Exception {
        Path dir = train("identity", config("{type: shared-bottom, params: {layers: []}}", "{embeddingDim: 8}"));
        ModelStore store = taskweave.injector().getInstance(ModelStore.class);
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelStore.LoadedModel loaded = store.load(dir, manager);
            FeatureGatherer gatherer = new FeatureGatherer(loaded.model().features(), loaded.users(), loaded.items());
            assertNull(FactoredScorer.create(loaded.model(), gatherer, manager));
        }
    }

    /** Scores every item for some users, and a subset of items, both ways, and compares them. */
    private static void assertFactored(AssembledModel model, FeatureGatherer gatherer, FactoredScorer factored, int[] users,
            int[] tasks, NDManager manager, String what) {
        int items = factored.itemCount();
        int[] all = new int[items];
        Arrays.setAll(all, i -> i);
        for (int user : users) {
            int[] rows = new int[items];
            Arrays.fill(rows, user);
            assertClose(TaskScorer.score(model, gatherer, rows, all, tasks, manager), factored.score(gatherer, user, null, tasks, manager),
                    what + ", user " + user);
        }
        int[] subset = {5, 2, items - 1, 0};
        int user = users[0];
        assertClose(TaskScorer.score(model, gatherer, new int[] {user, user, user, user}, subset, tasks, manager),
                factored.score(gatherer, user, subset, tasks, manager), what + ", a subset of items");
    }

    /** {@code features.wide}: every task's wide part is a map of the encoded input, which splits as the sharing map does. */
    @Test
    void aWideModelIsFactored() throws Exception {
        Path dir = train("wide", config("{type: mmoe, params: {experts: 2, expertLayers: [16]}}", "{embeddingDim: 8, wide: true}"));
        ModelStore store = taskweave.injector().getInstance(ModelStore.class);
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelStore.LoadedModel loaded = store.load(dir, manager);
            AssembledModel model = loaded.model();
            assertTrue(model.block().hasWidePart(0) && model.block().hasWidePart(1) && model.block().hasWidePart(2));
            FeatureGatherer gatherer = new FeatureGatherer(model.features(), loaded.users(), loaded.items());
            assertNull(FactoredScorer.unavailable(model));
            try (FactoredScorer factored = FactoredScorer.create(model, gatherer, manager)) {
                assertNotNull(factored, "every task has a wide part, and each splits");
                assertTrue(factored.covers(0) && factored.covers(1) && factored.covers(2));
                assertFactored(model, gatherer, factored, new int[] {3, 0, loaded.users().size() - 1}, new int[] {0, 1, 2}, manager,
                        "features.wide");
            }
        }
    }

    @Test
    void aTaskWithItsOwnWidePartIsFactoredWithTheOthers() throws Exception {
        String yaml = config("{type: mmoe, params: {experts: 2, expertLayers: [16]}}", "{embeddingDim: 8}")
                .replace("metrics: [auc], params: {tower: [16], threshold: 4.0}}", "metrics: [auc], wide: true, params: {tower: [16], threshold: 4.0}}");
        assertTrue(yaml.contains("wide: true"), "the like task should have a wide part");
        Path dir = train("likewide", yaml);
        ModelStore store = taskweave.injector().getInstance(ModelStore.class);
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelStore.LoadedModel loaded = store.load(dir, manager);
            AssembledModel model = loaded.model();
            assertTrue(model.block().hasWidePart(1));
            assertTrue(!model.block().hasWidePart(0) && !model.block().hasWidePart(2));
            FeatureGatherer gatherer = new FeatureGatherer(model.features(), loaded.users(), loaded.items());
            try (FactoredScorer factored = FactoredScorer.create(model, gatherer, manager)) {
                assertNotNull(factored);
                assertTrue(factored.covers(0) && factored.covers(1) && factored.covers(2));
                assertFactored(model, gatherer, factored, new int[] {5}, new int[] {0, 1, 2}, manager, "tasks[1].wide");
                assertFactored(model, gatherer, factored, new int[] {5}, new int[] {1}, manager, "like alone");
            }
        }
        // serving ranks by either task through the factored scorer; both give the scores /v1/predict
        // gives the same pairs
        try (TaskweaveServer server = TaskweaveServer.start(store, dir, ServeConfig.parse("host: 127.0.0.1\nport: 0\n", "serve.yaml"),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            assertNotNull(server.holder().current().model().factored());
            String user = server.holder().current().model().loaded().users().rawIds().get(5);
            for (String task : List.of("like", "rating")) {
                assertRankedAsPredicted(server, user, task, 5);
            }
        }
    }

    /** Asks {@code /v1/recommend} for the top {@code k} by {@code formula} and {@code /v1/predict} for the same pairs. */
    private static void assertRankedAsPredicted(TaskweaveServer server, String user, String task, int k) throws Exception {
        ServeEndToEndTest.Response ranked = ServeEndToEndTest.call(server, "POST", "/v1/recommend",
                "{\"user\": \"" + user + "\", \"k\": " + k + ", \"formula\": \"" + task + "\"}");
        assertEquals(200, ranked.status(), ranked.text());
        JsonNode items = ranked.body().get("items");
        assertEquals(k, items.size());
        StringBuilder pairs = new StringBuilder("{\"tasks\": [\"" + task + "\"], \"pairs\": [");
        for (int i = 0; i < items.size(); i++) {
            pairs.append(i == 0 ? "" : ",").append("{\"user\": \"").append(user).append("\", \"item\": \"")
                    .append(items.get(i).get("item").asText()).append("\"}");
        }
        JsonNode scored = ServeNewItemsTest.post(server, pairs.append("]}").toString());
        for (int i = 0; i < items.size(); i++) {
            assertEquals(scored.at("/scores/" + i + "/scores/" + task).asDouble(), items.get(i).at("/scores/" + task).asDouble(),
                    1e-4, task + ", ranked item " + i);
        }
    }

    @Test
    void aTaskThatDependsOnATaskWithAWidePartIsFactoredToo() throws Exception {
        // watch's forward pass runs like's (ESMM), whose wide part's output is added before watch reads it
        // (before, /v1/recommend by watch was a 500; then both were left to pairs)
        String yaml = config("{type: mmoe, params: {experts: 2, expertLayers: [16]}}", "{embeddingDim: 8}")
                .replace("metrics: [auc], params: {tower: [16], threshold: 4.0}}", "metrics: [auc], wide: true, params: {tower: [16], threshold: 4.0}}")
                .replace("{name: watch, head: binary,", "{name: watch, dependsOn: like, head: binary,");
        assertTrue(yaml.contains("wide: true") && yaml.contains("dependsOn: like"), yaml);
        Path dir = train("dependentwide", yaml);
        ModelStore store = taskweave.injector().getInstance(ModelStore.class);
        try (TaskweaveServer server = TaskweaveServer.start(store, dir, ServeConfig.parse("host: 127.0.0.1\nport: 0\n", "serve.yaml"),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            ServedModel served = server.holder().current().model();
            FactoredScorer factored = served.factored();
            assertNotNull(factored);
            assertTrue(factored.covers(0) && factored.covers(1) && factored.covers(2));
            assertFactored(served.model(), served.gatherer(), factored, new int[] {5}, new int[] {2}, served.manager(), "watch alone");
            String user = served.loaded().users().rawIds().get(5);
            assertRankedAsPredicted(server, user, "watch", 3);
        }
    }

    /**
     * Wide parts of every kind are factored (before, a task with one was left to the plain pass):
     * like's reads the encoded input and, through tables of its own, both ids, a categorical and
     * a numeric user feature, the item's category and tags, both histories, the per-interaction
     * device and the pair's neighbourhood score (left to the wide parts by {@code wideOnly});
     * rating's the score and the tags alone; watch depends on like (ESMM); like is calibrated,
     * for users the model does not know too. Every score is the plain forward pass's: known users
     * (their rated items scored as pairs), a cold one, a new one, at a request's moment, over every
     * item and a subset, by one task alone.
     */
    @Test
    void widePartsOfEveryKindAreFactored() throws Exception {
        String yaml = config("{type: mmoe, params: {experts: 2, expertLayers: [16]}}",
                "{embeddingDim: 8, idDropout: 0.05, dropout: {item_id: 0.1}, neighbours: {label: rating, k: 10}, wideOnly: [neighbours_rating]}")
                .replace("meanInteractionsPerUser: 30}", "meanInteractionsPerUser: 30, history: true, context: {devices: 3, effect: 0.5}}")
                .replace("metrics: [rmse, mae], params:", "metrics: [rmse, mae], wideFeatures: [neighbours_rating, item_tags], params:")
                .replace("metrics: [auc], params: {tower: [16], threshold: 4.0}}", "metrics: [auc], wide: true, wideFeatures: [user_id, item_id,"
                        + " user_segment, user_activity, item_category, item_tags, user_history, item_history, user_device, neighbours_rating],"
                        + " calibrate: platt, calibrateColdUsers: true, params: {tower: [16], threshold: 4.0}}")
                .replace("{name: watch, head: binary,", "{name: watch, dependsOn: like, head: binary,");
        assertTrue(yaml.contains("history: true") && yaml.contains("neighbours_rating, item_tags") && yaml.contains("user_device,")
                && yaml.contains("dependsOn: like"), yaml);
        Path dir = train("widekinds", yaml);
        ModelStore store = taskweave.injector().getInstance(ModelStore.class);
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelStore.LoadedModel loaded = store.load(dir, manager);
            AssembledModel model = loaded.model();
            assertTrue(model.block().hasWidePart(0) && model.block().hasWidePart(1) && !model.block().hasWidePart(2));
            assertNotNull(model.block().coldCalibration(1), "like is calibrated for users the model does not know");
            FeatureGatherer gatherer = new FeatureGatherer(model.features(), loaded.users(), loaded.items()).withNeighbours(loaded.neighbours());
            try (FactoredScorer factored = FactoredScorer.create(model, gatherer, manager)) {
                assertNotNull(factored);
                assertTrue(factored.covers(0) && factored.covers(1) && factored.covers(2));
                int[] codes = loaded.users().categorical("user_id");
                int cold = IntStream.range(0, codes.length).filter(u -> codes[u] == 0).findFirst().orElseThrow();
                int[] tasks = {0, 1, 2};
                for (int user : new int[] {0, 7, 42}) {
                    assertTrue(gatherer.pairDependentRows(user, null).length > 5, "user " + user + " has rated items");
                }
                assertFactored(model, gatherer, factored, new int[] {0, 7, 42, cold}, tasks, manager, "wide parts");
                assertFactored(model, gatherer, factored, new int[] {7}, new int[] {2}, manager, "watch alone");
                // the neighbourhood score counts: it is read on the candidates and weighs in like's wide part
                int items = loaded.items().size();
                int[] all = new int[items];
                Arrays.setAll(all, i -> i);
                int[] sevens = new int[items];
                Arrays.fill(sevens, 7);
                int score = model.features().stream().map(f -> f.name()).toList().indexOf("neighbours_rating");
                float[] scores = gatherer.gatherOnly(manager, sevens, all, 0, items, new int[] {score}).get(0).toFloatArray();
                assertTrue(IntStream.range(0, items).filter(i -> scores[i] != 0f).count() > items / 2, "user 7's scores");
                var like = model.block().wideMap(new ai.djl.training.ParameterStore(manager, false), manager.getDevice(), 1);
                float[] weights = like.ownWeight().toFloatArray();
                assertTrue(weights[weights.length - 1] != 0f, "the score's weight, its wide part's last column");
                // at a request's moment: the device on every pair
                FeatureGatherer tv = gatherer.atMoment(Map.of("user_device", 2f));
                assertFactored(model, tv, factored, new int[] {7}, tasks, manager, "at a moment");
                // a new user, from side features only: no history, no neighbourhood score
                EntityRow row = EntityRow.fromValues(Entity.USER, "new", model.features(), Map.of("user_segment", 2, "user_activity", 0.5));
                FeatureGatherer fresh = new FeatureGatherer(model.features(), EntityRow.table(Entity.USER, model.features(), List.of(row)),
                        loaded.items(), java.util.Set.of(), false).withNeighbours(loaded.neighbours());
                assertFactored(model, fresh, factored, new int[] {0}, tasks, manager, "a new user");
            }
        }
        try (TaskweaveServer server = TaskweaveServer.start(store, dir, ServeConfig.parse("host: 127.0.0.1\nport: 0\n", "serve.yaml"),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            assertEquals("on", ServeEndToEndTest.call(server, "GET", "/admin/status", null).body().at("/model/factoredScoring").asText());
            String user = server.holder().current().model().loaded().users().rawIds().get(7);
            for (String task : List.of("like", "rating", "watch")) {
                assertRankedAsPredicted(server, user, task, 5);
            }
        }
    }

    @Test
    void withoutTheIdProductTheUserAndItemPartsSuffice() throws Exception {
        Path dir = train("noproduct", config("{type: mmoe, params: {experts: 2, expertLayers: [16, 8]}}",
                "{embeddingDim: 8, idInteraction: false}"));
        ModelStore store = taskweave.injector().getInstance(ModelStore.class);
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelStore.LoadedModel loaded = store.load(dir, manager);
            FeatureGatherer gatherer = new FeatureGatherer(loaded.model().features(), loaded.users(), loaded.items());
            try (FactoredScorer factored = FactoredScorer.create(loaded.model(), gatherer, manager)) {
                int items = loaded.items().size();
                int[] all = new int[items];
                Arrays.setAll(all, i -> i);
                int[] users = new int[items];
                Arrays.fill(users, 4);
                float[][] plain = TaskScorer.score(loaded.model(), gatherer, users, all, new int[] {0, 1}, manager);
                float[][] fast = factored.score(gatherer, 4, null, new int[] {0, 1}, manager);
                assertClose(plain, fast, "no product");
                assertTrue(plain[0].length == items);
            }
        }
    }

    @Test
    void historiesThatLeaveTheRowsOwnInteractionOutAreScoredAsPairsWhereTheyDo() throws Exception {
        Path dir = train("history", config("{type: mmoe, params: {experts: 2, expertLayers: [16, 8]}}", "{embeddingDim: 8, idDropout: 0.05}")
                .replace("meanInteractionsPerUser: 30}", "meanInteractionsPerUser: 30, history: true}"));
        ModelStore store = taskweave.injector().getInstance(ModelStore.class);
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelStore.LoadedModel loaded = store.load(dir, manager);
            AssembledModel model = loaded.model();
            assertTrue(model.features().stream().anyMatch(f -> f.fromInteractions()), "the model reads histories");
            FeatureGatherer gatherer = new FeatureGatherer(model.features(), loaded.users(), loaded.items());
            try (FactoredScorer factored = FactoredScorer.create(model, gatherer, manager)) {
                assertNotNull(factored);
                int items = loaded.items().size();
                int[] all = new int[items];
                Arrays.setAll(all, i -> i);
                int[] tasks = {0, 1, 2};
                for (int user : new int[] {0, 7, 42}) {
                    // the user's own training items are among all items; their rows are pair-dependent
                    int[] own = gatherer.pairDependentRows(user, null);
                    assertTrue(own.length > 5, "user " + user + " has training items: " + own.length);
                    int[] users = new int[items];
                    Arrays.fill(users, user);
                    float[][] plain = TaskScorer.score(model, gatherer, users, all, tasks, manager);
                    assertClose(plain, factored.score(gatherer, user, null, tasks, manager), "history, user " + user);
                    // a subset of candidates that holds one of them gives the pair's score too
                    int[] one = {own[0]};
                    float[][] pair = TaskScorer.score(model, gatherer, new int[] {user}, one, tasks, manager);
                    float[][] subset = factored.score(gatherer, user, new int[] {(own[0] + 1) % items, own[0]}, tasks, manager);
                    assertEquals(pair[0][0], subset[0][1], 1e-4f, "a subset of candidates");
                    // the items a recommendation discards (its seen items) are not scored as pairs;
                    // every other row is still exact
                    int[] discarded = own.clone();
                    float[][] partial = factored.score(gatherer, user, null, tasks, discarded, manager);
                    boolean anyApproximate = false;
                    for (int i = 0; i < tasks.length; i++) {
                        for (int item = 0; item < items; item++) {
                            if (Arrays.binarySearch(discarded, item) < 0) {
                                assertEquals(plain[i][item], partial[i][item], 1e-4f, "task " + i + ", item " + item);
                            } else {
                                anyApproximate |= Math.abs(plain[i][item] - partial[i][item]) > 1e-4f;
                            }
                        }
                    }
                    assertTrue(anyApproximate, "the discarded pairs keep the cached item side's scores, user " + user);
                }
                // a new user (a table of its own, with no history): nothing is pair-dependent
                EntityRow row = EntityRow.fromValues(Entity.USER, "new", model.features(), Map.of("user_segment", 2, "user_activity", 0.5));
                FeatureGatherer cold = new FeatureGatherer(model.features(), EntityRow.table(Entity.USER, model.features(), List.of(row)),
                        loaded.items(), java.util.Set.of(), false);
                assertEquals(0, cold.pairDependentRows(0, null).length);
                assertClose(TaskScorer.score(model, cold, new int[items], all, tasks, manager),
                        factored.score(cold, 0, null, tasks, manager), "history, new user");
            }
        }
    }
}
