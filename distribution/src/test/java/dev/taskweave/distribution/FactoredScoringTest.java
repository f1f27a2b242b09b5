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
    void aWidePathOrAnUnfactorableStrategyFallsBack() throws Exception {
        ModelStore store = taskweave.injector().getInstance(ModelStore.class);
        for (String[] c : new String[][] {
            {"wide", config("{type: mmoe, params: {experts: 2, expertLayers: [16]}}", "{embeddingDim: 8, wide: true}")},
            {"identity", config("{type: shared-bottom, params: {layers: []}}", "{embeddingDim: 8}")}}) {
            Path dir = train(c[0], c[1]);
            try (NDManager manager = NDManager.newBaseManager()) {
                ModelStore.LoadedModel loaded = store.load(dir, manager);
                FeatureGatherer gatherer = new FeatureGatherer(loaded.model().features(), loaded.users(), loaded.items());
                assertNull(FactoredScorer.create(loaded.model(), gatherer, manager), c[0]);
            }
        }
    }

    @Test
    void aTaskWithItsOwnWidePartIsLeftToPairsAndTheOthersStayFactored() throws Exception {
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
                assertNotNull(factored, "the tasks without a wide part can still be factored");
                assertTrue(factored.covers(0) && factored.covers(2));
                assertTrue(!factored.covers(1));
                int items = loaded.items().size();
                int[] all = new int[items];
                Arrays.setAll(all, i -> i);
                int[] users = new int[items];
                Arrays.fill(users, 5);
                assertClose(TaskScorer.score(model, gatherer, users, all, new int[] {0, 2}, manager),
                        factored.score(gatherer, 5, null, new int[] {0, 2}, manager), "tasks without a wide part");
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> factored.score(gatherer, 5, null, new int[] {1}, manager));
                assertTrue(e.getMessage().contains("task like (or a task it depends on) has a wide part"), e.getMessage());
            }
        }
        // serving ranks by either task: like through pairs, rating through the factored scorer;
        // both give the scores /v1/predict gives the same pairs
        try (TaskweaveServer server = TaskweaveServer.start(store, dir, ServeConfig.parse("host: 127.0.0.1\nport: 0\n", "serve.yaml"),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            assertNotNull(server.holder().current().model().factored());
            String user = server.holder().current().model().loaded().users().rawIds().get(5);
            for (String task : List.of("like", "rating")) {
                ServeEndToEndTest.Response ranked = ServeEndToEndTest.call(server, "POST", "/v1/recommend",
                        "{\"user\": \"" + user + "\", \"k\": 5, \"formula\": \"" + task + "\"}");
                assertEquals(200, ranked.status(), ranked.text());
                JsonNode items = ranked.body().get("items");
                assertEquals(5, items.size());
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
        }
    }

    @Test
    void aTaskThatDependsOnATaskWithAWidePartIsLeftToPairsToo() throws Exception {
        // watch's forward pass runs like's (ESMM), which reads the inputs: it cannot run from the mapped
        // input either (before, /v1/recommend by watch was a 500)
        String yaml = config("{type: mmoe, params: {experts: 2, expertLayers: [16]}}", "{embeddingDim: 8}")
                .replace("metrics: [auc], params: {tower: [16], threshold: 4.0}}", "metrics: [auc], wide: true, params: {tower: [16], threshold: 4.0}}")
                .replace("{name: watch, head: binary,", "{name: watch, dependsOn: like, head: binary,");
        assertTrue(yaml.contains("wide: true") && yaml.contains("dependsOn: like"), yaml);
        Path dir = train("dependentwide", yaml);
        ModelStore store = taskweave.injector().getInstance(ModelStore.class);
        try (TaskweaveServer server = TaskweaveServer.start(store, dir, ServeConfig.parse("host: 127.0.0.1\nport: 0\n", "serve.yaml"),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            FactoredScorer factored = server.holder().current().model().factored();
            assertNotNull(factored);
            assertTrue(factored.covers(0) && !factored.covers(1) && !factored.covers(2));
            String user = server.holder().current().model().loaded().users().rawIds().get(5);
            ServeEndToEndTest.Response ranked = ServeEndToEndTest.call(server, "POST", "/v1/recommend",
                    "{\"user\": \"" + user + "\", \"k\": 3, \"formula\": \"watch\"}");
            assertEquals(200, ranked.status(), ranked.text());
            JsonNode items = ranked.body().get("items");
            JsonNode scored = ServeNewItemsTest.post(server, "{\"tasks\": [\"watch\"], \"pairs\": [{\"user\": \"" + user
                    + "\", \"item\": \"" + items.get(0).get("item").asText() + "\"}]}");
            assertEquals(scored.at("/scores/0/scores/watch").asDouble(), items.get(0).at("/scores/watch").asDouble(), 1e-4, ranked.text());
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
