package dev.taskweave.bench;

import dev.taskweave.core.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/**
 * The files {@code benchmark} and {@code tune} replace or remove in their {@code --output}, and how
 * each is told to be one they wrote. {@code train} refuses a directory of other files (its marker,
 * {@code model.json}); these two write beside models, so they check each file they would replace:
 * a {@code report.md} of the user's own in the directory given is refused before anything trains,
 * never overwritten hours later.
 */
final class OutputFiles {
    /**
     * One file a command replaces.
     *
     * @param name   its name in {@code --output}
     * @param ours   whether an existing file of that name is the command's
     * @param expect what the command's own file looks like, for the error
     */
    record Owned(String name, Predicate<Path> ours, String expect) {}

    private OutputFiles() {}

    /** A text file that begins with {@code prefix} (a report's title line, best.yaml's comment). */
    static Owned startingWith(String name, String prefix) {
        return new Owned(name, file -> head(file, prefix.length()).equals(prefix), "a file that begins with \"" + prefix.strip() + "\"");
    }

    /** A JSON object with every one of {@code fields} (results.json, tune.json). */
    static Owned jsonWith(String name, String... fields) {
        return new Owned(name, file -> {
            try {
                com.fasterxml.jackson.databind.JsonNode tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
                if (tree == null || !tree.isObject()) {
                    return false;
                }
                for (String field : fields) {
                    if (!tree.has(field)) {
                        return false;
                    }
                }
                return true;
            } catch (IOException e) {
                return false;
            }
        }, "a JSON object with " + String.join(" and ", List.of(fields).stream().map(f -> "\"" + f + "\"").toList()));
    }

    /**
     * Refuses {@code output} when it holds, under one of the names in {@code files}, something the
     * command did not write: a directory in that place, or a file that does not read as the command's.
     *
     * @param command the command, for the error ({@code taskweave benchmark})
     * @throws ConfigException naming the file, what the command expected and how to go on
     */
    static void requireOwn(Path output, String command, List<Owned> files) {
        if (!Files.isDirectory(output)) {
            return;
        }
        for (Owned owned : files) {
            Path file = output.resolve(owned.name());
            if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            String why = Files.isDirectory(file) ? "is a directory"
                    : !Files.isRegularFile(file) ? "is not a regular file"
                    : !Files.isReadable(file) ? "cannot be read"
                    : owned.ours().test(file) ? null
                    : "was not written by " + command + " (expected " + owned.expect() + ")";
            if (why != null) {
                throw new ConfigException(file.toString(), "--output", 0, why + ", and " + command + " writes "
                        + String.join(", ", files.stream().map(Owned::name).toList()) + " there, replacing what is there;"
                        + " name another directory, or move the file");
            }
        }
    }

    /** @return the first {@code chars} characters of {@code file} (fewer when it is shorter), or "" when unreadable */
    static String head(Path file, int chars) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(chars * 4);
            String text = new String(bytes, StandardCharsets.UTF_8);
            return text.length() <= chars ? text : text.substring(0, chars);
        } catch (IOException e) {
            return "";
        }
    }
}
