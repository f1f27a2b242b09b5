package dev.taskweave.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a /v1/predict answer repeats of its pair, so that answers can be told apart without counting positions. */
class PredictAnswerTest {
    private final ObjectMapper json = JsonFields.strictMapper();

    private ObjectNode answer(String pair, String user, String item) throws Exception {
        return ScoringService.pairAnswer(json.createObjectNode(), user, item, JsonFields.parse(json, pair));
    }

    @Test
    void aPairsContextIsEchoedAsTheRequestGaveIt() throws Exception {
        // a value by name, a code, a raw number and a null (the user's current value) stay as written, in order
        ObjectNode row = answer("""
                {"user": "u1", "item": "i5", "context": {"user_device": "tv", "user_hour": 21, "user_recent_rating": 3.5,
                 "user_network": null, "user_os": 2}}""", "u1", "i5");
        assertEquals(List.of("user", "item", "context"), fieldNames(row));
        assertEquals(JsonFields.parse(json, "{\"user_device\": \"tv\", \"user_hour\": 21, \"user_recent_rating\": 3.5, \"user_network\": null,"
                + " \"user_os\": 2}"), row.get("context"));
        assertEquals("{\"user\":\"u1\",\"item\":\"i5\",\"context\":{\"user_device\":\"tv\",\"user_hour\":21,\"user_recent_rating\":3.5,"
                + "\"user_network\":null,\"user_os\":2}}", json.writeValueAsString(row));
        // an empty context is one the request gave
        assertEquals("{\"user\":\"u1\",\"item\":\"i5\",\"context\":{}}",
                json.writeValueAsString(answer("{\"user\": \"u1\", \"item\": \"i5\", \"context\": {}}", "u1", "i5")));
        // a new user, given by features only, has no id to repeat; its context is repeated all the same
        assertEquals("{\"item\":\"i7\",\"context\":{\"user_device\":\"phone\"}}", json.writeValueAsString(answer(
                "{\"userFeatures\": {\"user_segment\": 2}, \"item\": \"i7\", \"context\": {\"user_device\": \"phone\"}}", null, "i7")));
    }

    @Test
    void aPairWithoutContextIsAnsweredAsBefore() throws Exception {
        assertEquals("{\"user\":\"u1\",\"item\":\"i5\"}", json.writeValueAsString(answer("{\"user\": \"u1\", \"item\": \"i5\"}", "u1", "i5")));
        ObjectNode nullContext = answer("{\"user\": \"u1\", \"item\": \"i5\", \"context\": null}", "u1", "i5");
        assertFalse(nullContext.has("context"), nullContext.toString());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
