package dev.taskweave.serve;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads request fields, failing with a 400 that names the field. */
final class JsonFields {
    private JsonFields() {}

    /**
     * @return a mapper for what clients send (request bodies, {@code --new-users} lines,
     *     {@code --context}): a key given twice is an error ("Duplicate field"), not the last one
     *     silently winning. Read with {@link #parse}, which also refuses text after the value (with a
     *     clearer message than {@code DeserializationFeature.FAIL_ON_TRAILING_TOKENS} gives).
     */
    static ObjectMapper strictMapper() {
        return JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    }

    /**
     * Parses one JSON value that must be the whole text: anything after it but white space (a second
     * object, stray words) is an error, not silently ignored.
     *
     * @return the value, or a missing node when the text is empty
     * @throws JsonProcessingException for malformed JSON, a key given twice or text after the value
     */
    static JsonNode parse(ObjectMapper json, byte[] text) throws JsonProcessingException {
        try (JsonParser parser = json.createParser(text)) {
            return parse(json, parser);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (java.io.CharConversionException e) {
            // bytes Jackson took for UTF-32 (its detection reads the first four) that are not: malformed JSON too
            throw new com.fasterxml.jackson.core.JsonParseException(null, "invalid text encoding (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read bytes in memory", e);
        }
    }

    /** As {@link #parse(ObjectMapper, byte[])}, for a string. */
    static JsonNode parse(ObjectMapper json, String text) throws JsonProcessingException {
        return parse(json, text.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode parse(ObjectMapper json, JsonParser parser) throws IOException {
        JsonNode node = json.readTree(parser);
        if (node == null) {
            return MissingNode.getInstance();
        }
        JsonToken next = parser.nextToken(); // a malformed rest throws here
        if (next != null) {
            throw new JsonParseException(parser, "unexpected " + (next.isStructStart() ? "second JSON value" : "'" + parser.getText() + "'")
                    + " after the JSON value at line " + parser.currentTokenLocation().getLineNr() + ", column "
                    + parser.currentTokenLocation().getColumnNr() + "; one value is expected");
        }
        return node;
    }

    static void onlyKnown(JsonNode object, String path, Set<String> known) {
        Iterator<String> names = object.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                throw ApiException.badRequest(join(path, name), "unknown field; expected one of " + known.stream().sorted().toList());
            }
        }
    }

    static JsonNode object(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest(path, "expected a JSON object, got " + describe(node));
        }
        return node;
    }

    static String string(JsonNode parent, String name, String path) {
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual() || n.asText().isEmpty()) {
            throw ApiException.badRequest(join(path, name), "expected a non-empty string, got " + describe(n));
        }
        return n.asText();
    }

    /** @return the field as a long (a caller checks its range and names the value sent), or null when absent */
    static Long integer(JsonNode parent, String name, String path) {
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber()) {
            throw ApiException.badRequest(join(path, name), "expected an integer, got " + describe(n));
        }
        if (!n.canConvertToLong()) {
            throw ApiException.badRequest(join(path, name), "expected an integer of at most 19 digits, got " + describe(n));
        }
        return n.longValue();
    }

    static Boolean bool(JsonNode parent, String name, String path) {
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isBoolean()) {
            throw ApiException.badRequest(join(path, name), "expected true or false, got " + describe(n));
        }
        return n.booleanValue();
    }

    static JsonNode array(JsonNode parent, String name, String path) {
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw ApiException.badRequest(join(path, name), "expected a list, got " + describe(n));
        }
        return n;
    }

    static List<String> strings(JsonNode parent, String name, String path) {
        JsonNode n = array(parent, name, path);
        if (n == null) {
            return null;
        }
        List<String> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            JsonNode e = n.get(i);
            if (!e.isTextual()) {
                throw ApiException.badRequest(join(path, name) + "[" + i + "]", "expected a string, got " + describe(e));
            }
            out.add(e.asText());
        }
        return out;
    }

    /**
     * Converts a {@code userFeatures} object to Java values (numbers, lists of numbers, strings).
     * A feature given as null is left out: unknown, as clients that send every field of a form
     *     have always been served.
     */
    static Map<String, Object> features(JsonNode parent, String name, String path) {
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        object(n, join(path, name));
        Map<String, Object> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> {
            if (!e.getValue().isNull()) {
                out.put(e.getKey(), value(e.getValue(), join(join(path, name), e.getKey())));
            }
        });
        return out;
    }

    private static Object value(JsonNode n, String path) {
        if (n.isNull()) {
            throw ApiException.badRequest(path, "null is not a value of a list");
        }
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? (Object) n.longValue() : n.doubleValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < n.size(); i++) {
                list.add(value(n.get(i), path + "[" + i + "]"));
            }
            return list;
        }
        return n.isTextual() ? n.asText() : n.toString();
    }

    static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    static String describe(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        if (n.isNull()) {
            return "null";
        }
        String text = n.toString();
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }
}
