package dev.taskweave.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads request fields, failing with a 400 that names the field. */
final class JsonFields {
    private JsonFields() {}

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

    static Integer integer(JsonNode parent, String name, String path) {
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw ApiException.badRequest(join(path, name), "expected an integer, got " + describe(n));
        }
        return n.intValue();
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

    /** Converts a {@code userFeatures} object to Java values (numbers, lists of numbers, strings). */
    static Map<String, Object> features(JsonNode parent, String name, String path) {
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        object(n, join(path, name));
        Map<String, Object> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), value(e.getValue())));
        return out;
    }

    private static Object value(JsonNode n) {
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? (Object) n.longValue() : n.doubleValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isArray()) {
            List<Object> list = new ArrayList<>();
            n.forEach(e -> list.add(value(e)));
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
