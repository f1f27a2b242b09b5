package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskweave.api.data.Entity;
import dev.taskweave.core.data.FeatureGatherer;
import dev.taskweave.core.run.AssembledModel;
import dev.taskweave.core.run.ModelAssembler;
import dev.taskweave.core.run.TaskScorer;
import dev.taskweave.core.store.ModelStore;
import dev.taskweave.serve.ServeConfig;
import dev.taskweave.serve.TaskweaveServer;
import dev.taskweave.serve.model.ServedModel;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Entity-attribute tasks in {@code taskweave serve}: scored as they were trained and evaluated, on
 * rows that carry only their entity, whatever the other side of the requested pair.
 */
class ServeAttributeTest extends RuntimeTest {
    static final String CONFIG = """
            name: serve-attributes
            seed: 3
            data:
              type: synthetic
              params: {users: 120, items: 60, meanInteractionsPerUser: 20, attributeHoldout: 0.2}
            features: {embeddingDim: 8}
            tasks:
              - {name: rating, head: regression, label: rating, params: {tower: [8]}}
              - {name: category, head: multiclass, label: item_category, hideFeatures: [item_id], params: {tower: [8]}}
              - {name: segment, head: multiclass, label: user_segment, params: {tower: [8]}}
            sharing: {type: shared-bottom, params: {layers: [16]}}
            weighting: {type: fixed}
            optimizer: {learningRate: 0.01}
            training: {batchSize: 128, epochs: 2, progressBar: false}
            """;

    @Test
    void attributeScoresDependOnlyOnTheirEntityAndMatchTheAttributeRows() throws Exception {
        Path model = tmp.resolve("model");
        taskweave.train(write("experiment.yaml", CONFIG), model, quiet());
        ServeConfig config = ServeConfig.parse("host: 127.0.0.1\nport: 0\n", "test serve.yaml");
        try (TaskweaveServer server = TaskweaveServer.start(taskweave.injector().getInstance(ModelStore.class), model, config,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            ServedModel served = server.holder().current().model();
            List<String> users = served.loaded().users().rawIds();
            List<String> items = served.loaded().items().rawIds();
            String body = "{\"tasks\": [\"rating\", \"category\", \"segment\"], \"pairs\": ["
                    + pair(users.get(0), items.get(0)) + ", " + pair(users.get(1), items.get(0)) + ", "
                    + pair(users.get(0), items.get(1)) + "]}";
            ServeEndToEndTest.Response r = ServeEndToEndTest.call(server, "POST", "/v1/predict", body);
            assertEquals(200, r.status(), r.text());
            JsonNode scores = r.body().get("scores");
            // an item's category does not depend on the user asking, a user's segment not on the item
            assertEquals(scores.get(0).at("/scores/category"), scores.get(1).at("/scores/category"));
            assertEquals(scores.get(0).at("/scores/segment"), scores.get(2).at("/scores/segment"));
            assertTrue(!scores.get(0).at("/scores/rating").equals(scores.get(1).at("/scores/rating")), r.text());

            // and they are the model's output on the attribute rows training and evaluation use
            AssembledModel m = served.model();
            FeatureGatherer attributeRows = new FeatureGatherer(m.features(), served.loaded().users(), served.loaded().items(),
                    ModelAssembler.attributeLabelFeatures(m.plan().config(), m.features()));
            float[] category = TaskScorer.score(m, attributeRows, new int[] {-1}, new int[] {0},
                    new int[] {m.task("category").index()}, served.manager())[0];
            float[] segment = TaskScorer.score(m, attributeRows, new int[] {0}, new int[] {-1},
                    new int[] {m.task("segment").index()}, served.manager())[0];
            assertArrayEquals(category, floats(scores.get(0).at("/scores/category")), 1e-6f);
            assertArrayEquals(segment, floats(scores.get(0).at("/scores/segment")), 1e-6f);
            assertEquals(Entity.ITEM, m.task("category").labelInfo().entity());

            // recommend reports the same attribute scores for the items it returns
            ServeEndToEndTest.Response rec = ServeEndToEndTest.call(server, "POST", "/v1/recommend",
                    "{\"user\": \"" + users.get(1) + "\", \"formula\": \"rating\", \"k\": 60, \"tasks\": [\"category\"]}");
            assertEquals(200, rec.status(), rec.text());
            boolean found = false;
            for (JsonNode row : rec.body().get("items")) {
                if (row.get("item").asText().equals(items.get(0))) {
                    assertArrayEquals(category, floats(row.at("/scores/category")), 1e-6f);
                    // and the rating its formula ranks by is the pair's, as predict scores it: the user's
                    // segment, hidden on the segment task's own rows, is read (the fast path hid it)
                    assertEquals(scores.get(1).at("/scores/rating").asDouble(), row.at("/scores/rating").asDouble(), 1e-4, rec.text());
                    found = true;
                }
            }
            assertTrue(found, rec.text());
        }
    }

    private static String pair(String user, String item) {
        return "{\"user\": \"" + user + "\", \"item\": \"" + item + "\"}";
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }
}
