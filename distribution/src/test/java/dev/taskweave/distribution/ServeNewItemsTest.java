package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskweave.core.store.ModelStore;
import dev.taskweave.serve.ServeConfig;
import dev.taskweave.serve.TaskweaveServer;
import dev.taskweave.serve.model.ServedModel;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * New items described by side features ({@code itemFeatures} in {@code /v1/predict}), on the
 * {@code files} data of {@link FilesEndToEndTest}, whose items file lists two items nobody rated:
 * the model holds them as cold items, so a new item with their features must score exactly as they do.
 */
class ServeNewItemsTest extends RuntimeTest {
    static final String CONFIG = FilesEndToEndTest.CONFIG.replace("epochs: 8", "epochs: 3")
            .replace("itemHistory: values", "userHistory: implicit\n    itemHistory: values");
    /** item-new-0's features as raw values: its category, and its tags by name (the vector [0, 1, 1, 0]) */
    static final String FEATURES = "{\"item_category\": \"cat0\", \"item_tags\": [\"t2\", \"t1\"]}";

    @Test
    void aNewItemScoresAsAColdItemWithTheSameFeatures() throws Exception {
        FilesEndToEndTest.writeData(tmp);
        Path model = tmp.resolve("model");
        taskweave.train(write("experiment.yaml", CONFIG), model, quiet());
        try (TaskweaveServer server = TaskweaveServer.start(taskweave.injector().getInstance(ModelStore.class), model,
                ServeConfig.parse("host: 127.0.0.1\nport: 0\n", "test serve.yaml"), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            ServedModel served = server.holder().current().model();
            assertTrue(served.model().features().stream().anyMatch(f -> f.name().equals("user_history")), "users read histories");
            int cold = served.loaded().items().indexOf("item-new-0");
            assertEquals(0, served.loaded().items().categorical("item_id")[cold], "item-new-0 is a cold item of the model");

            // a known user who trained on item 0 of the table (a new item's row 0 must not be read as
            // that item in the user's history), and a new user, each with the cold item and a new
            // item of the same features; and the known user with an item they trained on
            int userIndex = java.util.stream.IntStream.range(0, served.loaded().users().size())
                    .filter(u -> java.util.Arrays.binarySearch(served.loaded().seen().items(u), 0) >= 0).findFirst().orElseThrow();
            String user = served.loaded().users().rawIds().get(userIndex);
            String seenItem = served.loaded().items().rawIds().get(served.loaded().seen().items(userIndex)[1]);
            String newUser = "\"userFeatures\": {\"user_segment\": \"seg0\", \"user_age\": 0.5}";
            // user-299 is a cold user (test rows only); a new user given its segment and its age as
            // written in the file (the model standardised ages, and serving applies the same scaling)
            String age = Files.readAllLines(tmp.resolve("users.tsv")).stream().filter(l -> l.startsWith("user-299\t"))
                    .findFirst().orElseThrow().split("\t")[2];
            String coldUser = "\"userFeatures\": {\"user_segment\": \"seg2\", \"user_age\": " + age + "}";
            JsonNode r = post(server, "{\"pairs\": ["
                    + "{\"user\": \"" + user + "\", \"item\": \"item-new-0\"},"
                    + "{\"user\": \"" + user + "\", \"itemFeatures\": " + FEATURES + "},"
                    + "{" + newUser + ", \"item\": \"item-new-0\"},"
                    + "{" + newUser + ", \"item\": \"brand-new\", \"itemFeatures\": " + FEATURES + "},"
                    + "{\"user\": \"" + user + "\", \"item\": \"" + seenItem + "\"}, "
                    + "{\"user\": \"user-299\", \"item\": \"item-1\"}, "
                    + "{" + coldUser + ", \"item\": \"item-1\"}]}");
            for (String task : List.of("rating", "like", "watch", "category")) {
                assertClose(r.at("/scores/0/scores/" + task), r.at("/scores/1/scores/" + task), task + " of " + user);
                assertClose(r.at("/scores/2/scores/" + task), r.at("/scores/3/scores/" + task), task + " of the new user");
                assertClose(r.at("/scores/5/scores/" + task), r.at("/scores/6/scores/" + task), task + " of user-299 and its features");
            }
            assertEquals("brand-new", r.at("/scores/3/item").asText());
            assertTrue(r.at("/scores/1/item").isMissingNode(), "a new item without an id has none in the answer");
            // the known pair in a request with new items scores as it does alone
            JsonNode alone = post(server, "{\"pairs\": [{\"user\": \"" + user + "\", \"item\": \"" + seenItem + "\"}]}");
            for (String task : List.of("rating", "like", "watch")) {
                assertClose(alone.at("/scores/0/scores/" + task), r.at("/scores/4/scores/" + task), task + " of a known pair");
            }

            // the planted structure reaches new items through their category: segment 0 rates cat0 items 2 stars higher
            JsonNode byCategory = post(server, "{\"pairs\": [{\"user\": \"user-3\", \"itemFeatures\": {\"item_category\": \"cat0\"}},"
                    + "{\"user\": \"user-3\", \"itemFeatures\": {\"item_category\": \"cat1\"}}]}");
            double matching = byCategory.at("/scores/0/scores/rating").asDouble();
            double other = byCategory.at("/scores/1/scores/rating").asDouble();
            assertTrue(matching > other + 0.5, "cat0 " + matching + ", cat1 " + other);

            // recommend ranks new candidates beside the model's items, with the scores predict gives them
            ServeEndToEndTest.Response rec = ServeEndToEndTest.call(server, "POST", "/v1/recommend", "{\"user\": \"" + user
                    + "\", \"k\": 3, \"formula\": \"0.5 * like + 0.5 * watch\", \"candidates\": [\"item-1\", "
                    + "{\"item\": \"brand-new\", \"itemFeatures\": " + FEATURES + "}, {\"item\": \"item-new-0\"}, \"item-1\"]}");
            assertEquals(200, rec.status(), rec.text());
            assertEquals(3, rec.body().get("candidates").asInt(), "repeats count once");
            JsonNode pairs = post(server, "{\"pairs\": [{\"user\": \"" + user + "\", \"item\": \"item-1\"}, {\"user\": \"" + user
                    + "\", \"item\": \"brand-new\", \"itemFeatures\": " + FEATURES + "}, {\"user\": \"" + user
                    + "\", \"item\": \"item-new-0\"}]}");
            java.util.Map<String, Double> expected = new java.util.HashMap<>();
            for (JsonNode p : pairs.get("scores")) {
                expected.put(p.get("item").asText(), 0.5 * p.at("/scores/like").asDouble() + 0.5 * p.at("/scores/watch").asDouble());
            }
            double previous = Double.POSITIVE_INFINITY;
            for (JsonNode item : rec.body().get("items")) {
                String id = item.get("item").asText();
                assertEquals(expected.get(id), item.get("score").asDouble(), 1e-5, id + ": " + rec.text());
                assertTrue(item.get("score").asDouble() <= previous, "ranked best first: " + rec.text());
                previous = item.get("score").asDouble();
                assertEquals(id.equals("brand-new"), item.has("newItem"), rec.text());
                assertEquals(4, item.get("scores").size(), "every task is reported: " + rec.text());
            }
            ServeEndToEndTest.assertError(ServeEndToEndTest.call(server, "POST", "/v1/recommend", "{\"user\": \"" + user
                    + "\", \"formula\": \"like\", \"candidates\": [{\"itemFeatures\": " + FEATURES + "}]}"), 400, "candidates[0].item", "a new item needs an id");
            ServeEndToEndTest.assertError(ServeEndToEndTest.call(server, "POST", "/v1/recommend", "{\"user\": \"" + user
                    + "\", \"formula\": \"like\", \"candidates\": [{\"item\": \"x\", \"features\": {}}]}"), 400, "candidates[0].features",
                    "unknown field; expected one of [item, itemFeatures]");

            // errors name the pair and the feature
            assertError(server, "{\"pairs\": [{\"user\": \"user-3\", \"itemFeatures\": {\"item_category\": \"cat9\"}}]}", 400,
                    "pairs[0].itemFeatures.item_category", "unknown value 'cat9'");
            assertError(server, "{\"pairs\": [{\"user\": \"user-3\", \"itemFeatures\": {\"item_id\": 1}}]}", 400,
                    "pairs[0].itemFeatures.item_id", "identifier");
            assertError(server, "{\"pairs\": [{\"user\": \"user-3\", \"item\": \"nope\"}]}", 404, "pairs[0].item",
                    "give itemFeatures to score a new item");
            assertError(server, "{\"pairs\": [{\"user\": \"user-3\"}]}", 400, "pairs[0].item", "give item (a known id) or itemFeatures");

            // what a client may send for new users and items: no identifier, no history; values and scaling
            ServeEndToEndTest.Response schema = ServeEndToEndTest.call(server, "GET", "/v1/schema", null);
            assertEquals(200, schema.status(), schema.text());
            JsonNode s = schema.body();
            assertEquals("[\"rating\",\"like\",\"watch\",\"category\"]", s.get("tasks").toString());
            assertEquals("[{\"name\":\"user_segment\",\"kind\":\"categorical\",\"values\":[\"seg0\",\"seg1\",\"seg2\"]},"
                    + "{\"name\":\"user_age\",\"kind\":\"numeric\",\"scale\":{\"log1p\":false,\"center\":"
                    + served.model().features().stream().filter(f -> f.name().equals("user_age")).findFirst().orElseThrow().scale().center()
                    + ",\"divisor\":" + served.model().features().stream().filter(f -> f.name().equals("user_age")).findFirst().orElseThrow()
                    .scale().divisor() + "}}]", s.get("userFeatures").toString());
            assertEquals("[{\"name\":\"item_category\",\"kind\":\"categorical\",\"values\":[\"cat0\",\"cat1\",\"cat2\"]},"
                    + "{\"name\":\"item_tags\",\"kind\":\"multi_hot\",\"size\":4,\"values\":[\"t0\",\"t1\",\"t2\",\"t3\"]}]",
                    s.get("itemFeatures").toString());
            // the ages of the file: 18 + a draw in [0, 50), standardised over the 300 users
            double center = s.at("/userFeatures/1/scale/center").asDouble();
            assertTrue(center > 30 && center < 55 && s.at("/userFeatures/1/scale/divisor").asDouble() > 5, s.toString());
        }
    }

    static void assertClose(JsonNode expected, JsonNode actual, String what) {
        if (expected.isArray()) {
            assertEquals(expected.size(), actual.size(), what);
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i).asDouble(), actual.get(i).asDouble(), 1e-5, what + "[" + i + "]");
            }
        } else {
            assertTrue(expected.isNumber(), what + ": " + expected);
            assertEquals(expected.asDouble(), actual.asDouble(), 1e-5, what);
        }
    }

    static JsonNode post(TaskweaveServer server, String body) throws Exception {
        ServeEndToEndTest.Response r = ServeEndToEndTest.call(server, "POST", "/v1/predict", body);
        assertEquals(200, r.status(), r.text());
        return r.body();
    }

    static void assertError(TaskweaveServer server, String body, int status, String field, String message) throws Exception {
        ServeEndToEndTest.Response r = ServeEndToEndTest.call(server, "POST", "/v1/predict", body);
        ServeEndToEndTest.assertError(r, status, field, message);
    }
}
