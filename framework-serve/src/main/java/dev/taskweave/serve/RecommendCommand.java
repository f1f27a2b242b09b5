package dev.taskweave.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskweave.api.DataException;
import dev.taskweave.core.Taskweave;
import dev.taskweave.core.cli.TaskweaveCli;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.store.AtomicDirectory;
import dev.taskweave.core.store.ModelStore;
import dev.taskweave.serve.model.ModelHolder;
import dev.taskweave.serve.model.ServedModel;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code taskweave recommend}: the top k items of every user (or of the users listed in a file, or
 * of new users described by their side features) written to one TSV file, ranked exactly as
 * {@code POST /v1/recommend} ranks them (the same scoring code, the item-side cache included), for
 * offline use: e-mails, caches, analysis.
 */
@Command(name = "recommend", mixinStandardHelpOptions = true,
        description = "Write the top k items per user to a TSV file (user, rank, item, score, task scores), ranked as /v1/recommend ranks them.")
public final class RecommendCommand implements Callable<Integer> {
    @ParentCommand
    TaskweaveCli root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model directory written by train.")
    Path model;

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "The TSV file to write (atomically).")
    Path output;

    @Option(names = "--users", paramLabel = "FILE", description = "User ids, one per line, each once (first tab-separated "
            + "field; blank lines and lines starting with # skipped; an optional header line 'user'). Default: every user of the model.")
    Path users;

    @Option(names = "--new-users", paramLabel = "FILE", description = "Users the model does not know, one JSON object per line: "
            + "{\"user\": \"id\", \"userFeatures\": {...}} (as /v1/recommend takes them; blank lines and lines starting with # "
            + "skipped). Without --users, only these users are written.")
    Path newUsers;

    @Option(names = "--k", paramLabel = "K", description = "Items per user (default ${DEFAULT-VALUE}).")
    int k = 10;

    @Option(names = "--formula", paramLabel = "TEXT", description = "Ranking formula over task scores, e.g. '0.6 * like + 0.4 * watch' "
            + "(default: the model's default, as serve uses).")
    String formula;

    @Option(names = "--exclude-seen", description = "Leave out the items each user interacted with in training.")
    boolean excludeSeen;

    @Option(names = "--threads", paramLabel = "N", description = "Users scored at once (default ${DEFAULT-VALUE}).")
    int threads = 2;

    @Option(names = "--context", paramLabel = "JSON", description = "The moment to recommend for, as /v1/recommend's context: values of "
            + "the model's per-interaction features, e.g. '{\"user_device\": \"tv\"}', for every user (default: each user's current values).")
    String context;

    /** {@link #context}, parsed. */
    private ObjectNode contextNode;

    @Option(names = "--tasks", split = ",", paramLabel = "TASK", description = "Tasks whose scores to write beside the formula's (default: every task).")
    List<String> tasks = new ArrayList<>();

    /**
     * One user to recommend for, and where it was named.
     *
     * @param features a new user's side features, or null for a user of the model
     */
    record Request(String user, long line, ObjectNode features) {}

    @Override
    public Integer call() throws Exception {
        if (k < 1) {
            throw new ConfigException("command line", "--k", 0, "expected an integer >= 1, got " + k);
        }
        if (threads < 1) {
            throw new ConfigException("command line", "--threads", 0, "expected an integer >= 1, got " + threads);
        }
        ObjectMapper json = JsonFields.strictMapper();
        if (context != null) {
            JsonNode parsed;
            try {
                parsed = JsonFields.parse(json, context);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new ConfigException("command line", "--context", 0, "expected a JSON object such as '{\"user_device\": \"tv\"}': "
                        + dev.taskweave.core.config.ParserMessages.describeInLine(e));
            }
            if (!parsed.isObject()) {
                throw new ConfigException("command line", "--context", 0, "expected a JSON object such as '{\"user_device\": \"tv\"}', got "
                        + context);
            }
            contextNode = (ObjectNode) parsed;
        }
        ModelStore.requireModelDirectory(model);
        // the files named on the command line before the model loads, which may take a while
        for (Path file : java.util.Arrays.asList(users, newUsers)) {
            if (file != null) {
                requireTextFile(file);
            }
        }
        // a link is written through; messages name the file as it was given
        Path given = output;
        output = AtomicDirectory.outputFile(output, "--output");
        ServeConfig settings = new ServeConfig();
        settings.maxK = Math.max(settings.maxK, k);
        settings.validate("command line");
        try (Taskweave tw = Taskweave.start(root.pluginDirectories());
                ModelHolder<ServedModel> holder = new ModelHolder<>(
                        () -> ServedModel.load(tw.injector().getInstance(ModelStore.class), model, settings.factoredScoring))) {
            List<Request> requests = new ArrayList<>();
            try (ModelHolder.Lease<ServedModel> lease = holder.acquire()) {
                List<String> known = lease.model().loaded().users().rawIds();
                java.util.Set<String> knownSet = new java.util.HashSet<>(known);
                if (users == null && newUsers == null) {
                    requests.addAll(everyUser(known));
                }
                if (users != null) {
                    requests.addAll(read(users, knownSet));
                }
                if (newUsers != null) {
                    requests.addAll(readNew(newUsers, json, knownSet));
                }
            }
            ScoringService scoring = new ScoringService(holder, settings, json);
            long started = System.nanoTime(); // the model is loaded: from here on, scoring and writing
            long[] written = {0};
            AtomicDirectory.writeFile(output, temp -> {
                // after the output's check, before any user is scored: in the command line's words (the
                // service's name a request and serve.yaml)
                try (ModelHolder.Lease<ServedModel> lease = holder.acquire()) {
                    if (formula == null && lease.model().defaultFormula() == null) {
                        throw new ConfigException("command line", "--formula", 0, "missing: the model's serving.formula sets no"
                                + " default, so give one (for example --formula 'like', or '0.6 * like + 0.4 * watch'); tasks: "
                                + lease.model().taskNames());
                    }
                }
                checkNewUsers(scoring, json, requests);
                try (BufferedWriter out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                    written[0] = write(scoring, json, requests, out);
                }
            });
            double seconds = (System.nanoTime() - started) / 1e9;
            spec.commandLine().getErr().printf(Locale.ROOT, "wrote %,d row%s for %,d user%s to %s; scored in %.1f s (%,.0f users/s)%n",
                    written[0], written[0] == 1 ? "" : "s", requests.size(), requests.size() == 1 ? "" : "s", given, seconds,
                    requests.size() / Math.max(seconds, 1e-9));
        }
        return 0;
    }

    /**
     * Checks every new user's features before the first list is scored (after the options that
     * hold for every user): a bad value on a long file's last line is named at once, not after
     * every user above it has been scored.
     */
    private void checkNewUsers(ScoringService scoring, ObjectMapper json, List<Request> requests) {
        for (Request request : requests) {
            if (request.features() != null) {
                try {
                    scoring.checkUser(userBody(json, request));
                } catch (ApiException e) {
                    throw error(e, request);
                }
            }
        }
    }

    /** One user's answer: its rows as TSV lines, and the score columns they hold (null when it has no item). */
    private record Answer(String rows, List<String> columns, int count) {}

    /**
     * Asks for every user's list on {@code threads} threads, a window of requests at a time, and
     * writes the answers in the users' order.
     */
    private long write(ScoringService scoring, ObjectMapper json, List<Request> requests, BufferedWriter out) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "taskweave-recommend");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<String> columns = null;
            long rows = 0;
            int window = Math.max(64, threads * 16);
            for (int from = 0; from < requests.size(); from += window) {
                List<Future<Answer>> answers = new ArrayList<>();
                for (Request request : requests.subList(from, Math.min(requests.size(), from + window))) {
                    answers.add(pool.submit(() -> answer(scoring, json, request)));
                }
                for (Future<Answer> future : answers) {
                    Answer answer = join(future);
                    if (answer.columns() != null && columns == null) {
                        columns = answer.columns();
                        out.write("user\trank\titem\tscore" + columns.stream().map(c -> "\t" + c).reduce("", String::concat) + "\n");
                    }
                    out.write(answer.rows());
                    rows += answer.count();
                }
            }
            if (columns == null) {
                out.write("user\trank\titem\tscore\n");
            }
            return rows;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Answer join(Future<Answer> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** @return a request body naming the user, with its {@code userFeatures} when it is a new user */
    private static ObjectNode userBody(ObjectMapper json, Request request) {
        ObjectNode body = json.createObjectNode();
        body.put("user", request.user());
        if (request.features() != null) {
            body.set("userFeatures", request.features());
        }
        return body;
    }

    /** Asks for one user's list and renders its rows; the score columns are those of the answer (the model's task order). */
    private Answer answer(ScoringService scoring, ObjectMapper json, Request request) {
        ObjectNode body = userBody(json, request);
        body.put("k", k);
        body.put("excludeSeen", excludeSeen);
        if (formula != null) {
            body.put("formula", formula);
        }
        if (!tasks.isEmpty()) {
            ArrayNode list = body.putArray("tasks");
            tasks.forEach(list::add);
        }
        if (contextNode != null) {
            body.set("context", contextNode);
        }
        ObjectNode answer;
        try {
            answer = scoring.recommend(body);
        } catch (ApiException e) {
            throw error(e, request);
        }
        StringBuilder rows = new StringBuilder();
        List<String> columns = null;
        int rank = 0;
        for (JsonNode item : answer.get("items")) {
            if (columns == null) {
                columns = new ArrayList<>();
                Iterator<Map.Entry<String, JsonNode>> fields = item.get("scores").fields();
                while (fields.hasNext()) {
                    columns.add(fields.next().getKey());
                }
            }
            rows.append(request.user()).append('\t').append(++rank).append('\t').append(item.get("item").asText()).append('\t')
                    .append(item.get("score").asDouble());
            for (String column : columns) {
                rows.append('\t').append(cell(item.get("scores").get(column)));
            }
            rows.append('\n');
        }
        return new Answer(rows.toString(), columns, rank);
    }

    private static String cell(JsonNode score) {
        if (score == null || score.isNull()) {
            return "";
        }
        if (!score.isArray()) {
            return score.asText();
        }
        StringBuilder b = new StringBuilder();
        for (JsonNode v : score) {
            b.append(b.length() == 0 ? "" : ",").append(v.asText());
        }
        return b.toString();
    }

    /**
     * An unknown user, or a new user's bad feature, is named where it came from (the file and
     * line); other errors are the command line's.
     */
    private RuntimeException error(ApiException e, Request request) {
        String field = e.field();
        if (request.features() != null && field.startsWith("userFeatures")) {
            return new DataException(newUsers.toString(), request.line(), "user '" + request.user() + "': " + field + ": " + e.getMessage());
        }
        if (field.equals("user")) {
            String source = users == null ? model.toString() : users.toString();
            return new DataException(source, request.line(), "user '" + request.user() + "': " + e.getMessage());
        }
        if (field.startsWith("context.")) {
            // the feature the value was given for: "context.user_device" is --context's user_device
            return new ConfigException("command line", "--context", 0, "'" + field.substring("context.".length()) + "': " + e.getMessage());
        }
        String option = switch (field) {
            case "context" -> "--context";
            case "formula" -> "--formula";
            case "k" -> "--k";
            case "excludeSeen" -> "--exclude-seen";
            default -> field.startsWith("tasks") ? "--tasks" : field;
        };
        return new ConfigException("command line", option, 0, e.getMessage());
    }

    private static List<Request> everyUser(List<String> ids) {
        List<Request> out = new ArrayList<>(ids.size());
        ids.forEach(id -> out.add(new Request(id, 0, null)));
        return out;
    }

    /**
     * Reads the new users file: one JSON object per line that is not blank or a comment, with a
     * {@code user} id the model does not know (each once) and {@code userFeatures}.
     */
    static List<Request> readNew(Path file, ObjectMapper json, java.util.Set<String> known) {
        List<String> lines = lines(file);
        List<Request> out = new ArrayList<>();
        Map<String, Integer> seen = new java.util.HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int number = i + 1;
            JsonNode node;
            try {
                node = JsonFields.parse(json, lines.get(i)); // as the file holds it: a column counts from the line's start
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new DataException(file.toString(), number, "expected a JSON object such as {\"user\": \"new-1\", "
                        + "\"userFeatures\": {...}}: " + dev.taskweave.core.config.ParserMessages.describeInLine(e));
            }
            if (!(node instanceof ObjectNode object)) {
                throw new DataException(file.toString(), number, "expected a JSON object with user and userFeatures, found " + node.getNodeType());
            }
            Iterator<String> names = object.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!name.equals("user") && !name.equals("userFeatures")) {
                    throw new DataException(file.toString(), number, "unknown field '" + name + "'; expected user and userFeatures");
                }
            }
            JsonNode id = object.get("user");
            if (id == null || !id.isTextual() || id.asText().isBlank()) {
                throw new DataException(file.toString(), number, "expected a user id (a non-empty string) in field user");
            }
            JsonNode features = object.get("userFeatures");
            if (!(features instanceof ObjectNode featureObject)) {
                throw new DataException(file.toString(), number, "expected userFeatures, an object of side features");
            }
            String user = id.asText();
            int control = user.codePoints().filter(Character::isISOControl).findFirst().orElse(-1);
            if (control >= 0) {
                // a tab or a line break in an id would split the output's TSV rows
                throw new DataException(file.toString(), number, "user id " + new ObjectMapper().valueToTree(user)
                        + " contains a control character (U+" + String.format(Locale.ROOT, "%04X", control)
                        + "); the TSV output cannot hold it");
            }
            int lone = loneSurrogate(user);
            if (lone >= 0) {
                // a JSON escape of one half of a pair makes no character, which UTF-8 cannot write
                throw new DataException(file.toString(), number, "the user id holds half a UTF-16 surrogate pair (\\u"
                        + String.format(Locale.ROOT, "%04X", lone) + " without its other half), not a character; the UTF-8 output"
                        + " cannot hold it");
            }
            if (known.contains(user)) {
                throw new DataException(file.toString(), number, "user '" + user + "' is a user of the model, scored from what "
                        + "it learnt about them; list it in --users, or give a new user another id");
            }
            Integer before = seen.putIfAbsent(user, number);
            if (before != null) {
                throw new DataException(file.toString(), number, "user '" + user + "' is also on line " + before);
            }
            out.add(new Request(user, number, featureObject));
        }
        if (out.isEmpty()) {
            throw new DataException(file.toString(), 0, "lists no new user (one JSON object per line)");
        }
        return out;
    }

    /** @throws DataException naming {@code file} when it is a directory or missing */
    private static void requireTextFile(Path file) {
        if (Files.isDirectory(file)) {
            throw new DataException(file.toString(), 0, "is a directory; expected a text file");
        }
        if (!Files.exists(file)) {
            throw new DataException(file.toString(), 0, "file not found");
        }
    }

    /** @return the file's lines, a byte order mark (spreadsheets write one) dropped from the first */
    private static List<String> lines(Path file) {
        requireTextFile(file);
        List<String> lines;
        try {
            lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new DataException(file.toString(), 0, "file not found");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new DataException(file.toString(), dev.taskweave.api.data.TextFiles.firstUndecodableLine(file, StandardCharsets.UTF_8),
                    "not UTF-8 text");
        } catch (IOException e) {
            throw new DataException(file.toString(), 0, "cannot be read: " + e.getMessage());
        }
        if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) {
            lines.set(0, lines.get(0).substring(1));
        }
        return lines;
    }

    /** @return the first char of {@code text} that is a surrogate without its other half, or -1 */
    static int loneSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return c;
            }
        }
        return -1;
    }

    /**
     * Reads the users file: the first tab-separated field of each line that is not blank or a
     * comment, each user once (as in the new users file: a user listed twice would be written twice),
     * each one the model knows (checked before any user is scored, so a typo on the last line of a
     * long file does not cost the scoring of every line before it).
     */
    static List<Request> read(Path file, java.util.Set<String> known) {
        List<String> lines = lines(file);
        List<Request> out = new ArrayList<>();
        Map<String, Integer> seen = new java.util.HashMap<>();
        boolean first = true;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            // a line of spaces is blank; one with a tab has fields, empty ones (an error below, not skipped)
            if (line.isBlank() && line.indexOf('\t') < 0 || line.strip().startsWith("#")) {
                continue;
            }
            // split before stripping: a line "\tx" has an empty id, not the id "x"
            String id = line.split("\t", -1)[0].strip();
            // a header names its column user, unless the model has a user of that id: then it is that user
            boolean header = first && id.equalsIgnoreCase("user") && !known.contains(id);
            first = false;
            if (header) {
                continue;
            }
            if (id.isEmpty()) {
                throw new DataException(file.toString(), i + 1, "expected a user id in the first field (before the first tab), found an empty one");
            }
            Integer before = seen.putIfAbsent(id, i + 1);
            if (before != null) {
                throw new DataException(file.toString(), i + 1, "user '" + id + "' is also on line " + before);
            }
            if (!known.contains(id)) {
                throw new DataException(file.toString(), i + 1, "user '" + id + "': unknown user; the model knows "
                        + known.size() + " users (a new user's recommendations come from side features: list it in"
                        + " --new-users with its userFeatures)");
            }
            out.add(new Request(id, i + 1, null));
        }
        if (out.isEmpty()) {
            throw new DataException(file.toString(), 0, "lists no user (one id per line)");
        }
        return out;
    }
}
