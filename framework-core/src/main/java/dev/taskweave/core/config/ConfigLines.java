package dev.taskweave.core.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Finds where a configuration path ({@code tasks[1].calibrate}, {@code features.dropout.item_id})
 * is written in a YAML file, so that an error found after the file was read (a value out of range,
 * two settings that contradict each other) can name the line as a parse error does.
 */
public final class ConfigLines {
    private ConfigLines() {}

    /** A {@code ${...}} on one line, as {@link ConfigLoader} replaces them. */
    private static final java.util.regex.Pattern VARIABLE = java.util.regex.Pattern.compile("\\$\\{[^}\n]*}");

    /**
     * @return the 1-based line of the path's key (of the item, for a list index) in {@code file};
     *     when only its last part is missing (a required field left out), the line of the entry
     *     that lacks it; 0 when the file cannot be read as YAML or lacks more of the path (a value
     *     that came from elsewhere, such as a suite's overrides)
     */
    public static int lineOf(Path file, String path) {
        if (path == null || path.isBlank()) {
            return 0;
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return lineOf(text, path);
    }

    /** As {@link #lineOf(Path, String)}, in a file's text as written (its {@code ${...}} not replaced). */
    public static int lineOf(String text, String path) {
        if (path == null || path.isBlank()) {
            return 0;
        }
        Node root;
        try {
            // a ${NAME:-default} in a flow mapping ({delta: ${D:-0.5}}) is no YAML until it is replaced: each becomes a
            // plain word of its own length, so that every line of the file stays where it is
            String plain = VARIABLE.matcher(text).replaceAll(m -> "_".repeat(m.group().length()));
            root = new Yaml(new LoaderOptions()).compose(new java.io.StringReader(plain));
        } catch (RuntimeException e) {
            return 0;
        }
        int line = 0;
        Node node = root;
        List<String> parts = parts(path);
        for (int p = 0; p < parts.size(); p++) {
            String part = parts.get(p);
            Node next = null;
            int at = 0;
            if (part.startsWith("[") && node instanceof SequenceNode seq) {
                int index;
                try {
                    index = Integer.parseInt(part.substring(1, part.length() - 1));
                } catch (NumberFormatException e) {
                    break;
                }
                if (index >= 0 && index < seq.getValue().size()) {
                    next = seq.getValue().get(index);
                    at = next.getStartMark().getLine() + 1;
                }
            } else if (node instanceof MappingNode map) {
                // a key may hold dots itself (a tuning file's parameters.optimizer.learningRate):
                // the longest run of the remaining parts written as one key wins, then the part alone
                for (int k = parts.size(); k > p && next == null; k--) {
                    String key = String.join(".", parts.subList(p, k));
                    for (NodeTuple t : map.getValue()) {
                        if (t.getKeyNode() instanceof ScalarNode scalar && scalar.getValue().equals(key)) {
                            next = t.getValueNode();
                            at = scalar.getStartMark().getLine() + 1;
                            p = k - 1;
                            break;
                        }
                    }
                }
            }
            if (next == null) {
                return p == parts.size() - 1 ? line : 0;
            }
            node = next;
            line = at;
        }
        return line;
    }

    /** @return {@code a.b[2].c} as {@code a}, {@code b}, {@code [2]}, {@code c} */
    static List<String> parts(String path) {
        List<String> parts = new ArrayList<>();
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '.' || c == '[') {
                if (name.length() > 0) {
                    parts.add(name.toString());
                    name.setLength(0);
                }
                if (c == '[') {
                    int end = path.indexOf(']', i);
                    if (end < 0) {
                        break;
                    }
                    parts.add(path.substring(i, end + 1));
                    i = end;
                }
            } else {
                name.append(c);
            }
        }
        if (name.length() > 0) {
            parts.add(name.toString());
        }
        return parts;
    }
}
