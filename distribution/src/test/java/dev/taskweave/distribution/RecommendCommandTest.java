package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskweave.core.Taskweave;
import dev.taskweave.core.store.ModelStore;
import dev.taskweave.serve.ServeConfig;
import dev.taskweave.serve.TaskweaveServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code taskweave recommend}: offline top-k lists, checked against scores computed by {@code predict}. */
class RecommendCommandTest {
    @TempDir
    static Path tmp;

    static Path model;

    @BeforeAll
    static void train() throws Exception {
        try (Taskweave taskweave = Taskweave.start(List.of(Dist.plugins()))) {
            Path config = tmp.resolve("recommend.yaml");
            Files.writeString(config, ServeEndToEndTest.CONFIG);
            model = tmp.resolve("model");
            taskweave.train(config, model, ServeEndToEndTest.quiet());
        }
    }

    @AfterAll
    static void done() {
        model = null;
    }

    private static CliTest.Run run(String... args) {
        return CliTest.run(args);
    }

    static List<String[]> rows(Path file) throws Exception {
        List<String[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(line.split("\t", -1));
        }
        return out;
    }

    @Test
    void everyUsersTopKMatchesTheFormulaOverPredictedScores() throws Exception {
        Path output = tmp.resolve("recs.tsv");
        CliTest.Run r = run("recommend", "--model", model.toString(), "--output", output.toString(), "--k", "4",
                "--formula", "0.7 * like + 0.3 * watch", "--tasks", "rating");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("rows for 300 users to " + output), r.err());
        List<String[]> rows = rows(output);
        assertEquals(List.of("user", "rank", "item", "score", "rating", "like", "watch"), List.of(rows.get(0)));
        assertEquals(1 + 300 * 4, rows.size());

        // the oracle: every (user, item) pair of three users scored by predict, ranked by the formula
        List<String> users = List.of("u0", "u17", "u299");
        StringBuilder pairs = new StringBuilder("user\titem\n");
        for (String u : users) {
            for (int i = 0; i < 120; i++) {
                pairs.append(u).append("\ti").append(i).append('\n');
            }
        }
        Path pairFile = tmp.resolve("pairs.tsv");
        Files.writeString(pairFile, pairs);
        StringWriter predicted = new StringWriter();
        try (Taskweave taskweave = Taskweave.start(List.of(Dist.plugins()))) {
            taskweave.predict(model, pairFile, predicted, List.of("like", "watch"));
        }
        Map<String, List<String[]>> byUser = new HashMap<>();
        predicted.toString().lines().skip(1).map(l -> l.split("\t")).forEach(f -> byUser.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f));
        for (String u : users) {
            List<String[]> expected = new ArrayList<>(byUser.get(u));
            expected.sort(Comparator.comparingDouble((String[] f) -> -(0.7 * Double.parseDouble(f[2]) + 0.3 * Double.parseDouble(f[3]))));
            List<String[]> got = rows.stream().skip(1).filter(f -> f[0].equals(u)).toList();
            assertEquals(4, got.size());
            for (int k = 0; k < 4; k++) {
                String[] e = expected.get(k);
                String[] g = got.get(k);
                assertEquals(Integer.toString(k + 1), g[1]);
                assertEquals(e[1], g[2], u + " rank " + (k + 1));
                double score = 0.7 * Double.parseDouble(e[2]) + 0.3 * Double.parseDouble(e[3]);
                assertEquals(score, Double.parseDouble(g[3]), 1e-5);
                assertEquals(Double.parseDouble(e[2]), Double.parseDouble(g[5]), 1e-5);
                assertFalse(g[4].isEmpty(), "the rating column of --tasks");
            }
        }
    }

    @Test
    void aUsersFileWithHeaderCommentsAndExcludedSeenItems() throws Exception {
        Path users = tmp.resolve("users.txt");
        Files.writeString(users, "user\n# two users\nu3\textra column\n\nu5\n");
        Path output = tmp.resolve("some.tsv");
        CliTest.Run r = run("recommend", "--model", model.toString(), "--output", output.toString(), "--users", users.toString(),
                "--k", "3", "--exclude-seen");
        assertEquals(0, r.code(), r.err());
        List<String[]> rows = rows(output);
        // without --tasks every task's score is written, as /v1/recommend reports them
        assertEquals(List.of("user", "rank", "item", "score", "rating", "like", "watch"), List.of(rows.get(0)));
        assertEquals(List.of("u3", "u3", "u3", "u5", "u5", "u5"), rows.stream().skip(1).map(f -> f[0]).toList());
        // the same lists as /v1/recommend with excludeSeen
        try (Taskweave taskweave = Taskweave.start(List.of(Dist.plugins()));
                TaskweaveServer server = TaskweaveServer.start(taskweave.injector().getInstance(ModelStore.class), model,
                        ServeConfig.parse("host: 127.0.0.1\nport: 0\n", "test serve.yaml"),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            JsonNode answer = ServeEndToEndTest.call(server, "POST", "/v1/recommend",
                    "{\"user\": \"u5\", \"k\": 3, \"excludeSeen\": true}").body();
            JsonNode all = ServeEndToEndTest.call(server, "POST", "/v1/recommend",
                    "{\"user\": \"u5\", \"k\": 3, \"excludeSeen\": false}").body();
            assertFalse(answer.get("items").toString().equals(all.get("items").toString()),
                    "u5's top items include seen ones, so excluding them changes the list");
            for (int k = 0; k < 3; k++) {
                assertEquals(answer.get("items").get(k).get("item").asText(), rows.get(4 + k)[2]);
                assertEquals(answer.get("items").get(k).get("score").asDouble(), Double.parseDouble(rows.get(4 + k)[3]), 1e-9);
            }
        }
    }

    @Test
    void newUsersAreRankedFromTheirFeaturesAsTheServerRanksThem() throws Exception {
        Path newUsers = tmp.resolve("signups.jsonl");
        Files.writeString(newUsers, """
                # this week's signups
                {"user": "new-1", "userFeatures": {"user_segment": "segment-2", "user_activity": 0.3}}

                {"user": "new-2", "userFeatures": {}}
                """);
        Path users = tmp.resolve("one-user.txt");
        Files.writeString(users, "u4\n");
        Path output = tmp.resolve("signups.tsv");
        CliTest.Run r = run("recommend", "--model", model.toString(), "--output", output.toString(), "--users", users.toString(),
                "--new-users", newUsers.toString(), "--k", "4", "--exclude-seen");
        assertEquals(0, r.code(), r.err());
        List<String[]> rows = rows(output);
        // the known user first, then the new users in the file's order
        assertEquals(List.of("u4", "u4", "u4", "u4", "new-1", "new-1", "new-1", "new-1", "new-2", "new-2", "new-2", "new-2"),
                rows.stream().skip(1).map(f -> f[0]).toList());
        try (Taskweave taskweave = Taskweave.start(List.of(Dist.plugins()));
                TaskweaveServer server = TaskweaveServer.start(taskweave.injector().getInstance(ModelStore.class), model,
                        ServeConfig.parse("host: 127.0.0.1\nport: 0\n", "test serve.yaml"),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            String[] bodies = {"{\"user\": \"new-1\", \"userFeatures\": {\"user_segment\": \"segment-2\", \"user_activity\": 0.3}, \"k\": 4}",
                    "{\"user\": \"new-2\", \"userFeatures\": {}, \"k\": 4}"};
            for (int u = 0; u < 2; u++) {
                JsonNode answer = ServeEndToEndTest.call(server, "POST", "/v1/recommend", bodies[u]).body();
                for (int k = 0; k < 4; k++) {
                    String[] row = rows.get(5 + 4 * u + k);
                    assertEquals(answer.get("items").get(k).get("item").asText(), row[2], "new-" + (u + 1) + " rank " + (k + 1));
                    assertEquals(answer.get("items").get(k).get("score").asDouble(), Double.parseDouble(row[3]), 1e-9);
                }
            }
        }
        // without --users only the new users are written
        CliTest.Run only = run("recommend", "--model", model.toString(), "--output", output.toString(), "--new-users", newUsers.toString(),
                "--k", "2");
        assertEquals(0, only.code(), only.err());
        assertEquals(List.of("new-1", "new-1", "new-2", "new-2"), rows(output).stream().skip(1).map(f -> f[0]).toList());

        assertNewUsersError("{\"user\": \"new-3\", \"userFeatures\": {\"user_segment\": \"gold\"}}",
                ":1: user 'new-3': userFeatures.user_segment: unknown value 'gold'");
        // every new user is checked before any list is scored: with a formula that fails on the first
        // user's list, the second user's bad value is what is reported
        Path late = tmp.resolve("late-bad-signup.jsonl");
        Files.writeString(late, "{\"user\": \"new-1\", \"userFeatures\": {}}\n"
                + "{\"user\": \"new-2\", \"userFeatures\": {\"user_segment\": \"gold\"}}\n");
        CliTest.Run early = run("recommend", "--model", model.toString(), "--output", tmp.resolve("never.tsv").toString(),
                "--new-users", late.toString(), "--formula", "like +");
        assertEquals(2, early.code(), early.err());
        assertTrue(early.err().contains(late + ":2: user 'new-2': userFeatures.user_segment: unknown value 'gold'"), early.err());
        assertFalse(early.err().contains("--formula"), early.err());
        assertFalse(Files.exists(tmp.resolve("never.tsv")));
        assertNewUsersError("\n{\"user\": \"u1\", \"userFeatures\": {}}", ":2: user 'u1' is a user of the model");
        assertNewUsersError("{\"user\": \"a\", \"userFeatures\": {}}\n{\"user\": \"a\", \"userFeatures\": {}}",
                ":2: user 'a' is also on line 1");
        assertNewUsersError("{\"user\": \"a\", \"features\": {}}", ":1: unknown field 'features'; expected user and userFeatures");
        assertNewUsersError("{\"userFeatures\": {}}", ":1: expected a user id (a non-empty string) in field user");
        assertNewUsersError("{\"user\": \"a\", \"userFeatures\": {", ":1: expected a JSON object such as");
        // a second object on a line is not dropped, a key given twice does not silently win
        assertNewUsersError("{\"user\": \"n1\", \"userFeatures\": {}} {\"user\": \"n9\", \"userFeatures\": {}}",
                ":1: expected a JSON object such as {\"user\": \"new-1\", \"userFeatures\": {...}}: unexpected second JSON value after the"
                        + " JSON value at column 36; one value is expected");
        // a column counts from the line's start, its indentation included
        assertNewUsersError("   {\"user\": \"n1\", \"userFeatures\": {}} {\"user\": \"n9\", \"userFeatures\": {}}",
                ":1: expected a JSON object such as {\"user\": \"new-1\", \"userFeatures\": {...}}: unexpected second JSON value after the"
                        + " JSON value at column 39; one value is expected");
        assertNewUsersError("{\"user\": \"n1\", \"userFeatures\": {}} junk", ":1: expected a JSON object such as");
        assertNewUsersError("{\"user\": \"n1\", \"user\": \"n2\", \"userFeatures\": {}}", ":1: expected a JSON object such as "
                + "{\"user\": \"new-1\", \"userFeatures\": {...}}: Duplicate field 'user'");
        // a tab or a line break in an id would break the TSV rows
        assertNewUsersError("{\"user\": \"n1\", \"userFeatures\": {}}\n{\"user\": \"new\\t1\", \"userFeatures\": {}}",
                ":2: user id \"new\\t1\" contains a control character (U+0009); the TSV output cannot hold it");
        assertNewUsersError("{\"user\": \"new\\n1\", \"userFeatures\": {}}",
                ":1: user id \"new\\n1\" contains a control character (U+000A); the TSV output cannot hold it");
        // half a surrogate pair is no character: UTF-8 cannot write it (a whole pair, an emoji, is an id like another)
        assertNewUsersError("{\"user\": \"new\\ud83d\", \"userFeatures\": {}}",
                ":1: the user id holds half a UTF-16 surrogate pair (\\uD83D without its other half), not a character; the UTF-8"
                        + " output cannot hold it");
    }

    private static void assertNewUsersError(String content, String expected) throws Exception {
        Path file = tmp.resolve("bad-signups.jsonl");
        Files.writeString(file, content);
        CliTest.Run r = run("recommend", "--model", model.toString(), "--output", tmp.resolve("never.tsv").toString(),
                "--new-users", file.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(file + expected), r.err());
        assertFalse(Files.exists(tmp.resolve("never.tsv")));
    }

    /** The files named on the command line are checked before the model is loaded: a damaged model is not what is reported. */
    @Test
    void theUsersFilesAreCheckedBeforeTheModelLoads() throws Exception {
        Path damaged = Files.createDirectories(tmp.resolve("damaged-model"));
        Files.writeString(damaged.resolve("model.json"), "{not json");
        Path missing = tmp.resolve("no-such-users.txt");
        for (String option : List.of("--users", "--new-users")) {
            CliTest.Run r = run("recommend", "--model", damaged.toString(), "--output", tmp.resolve("never.tsv").toString(), option,
                    missing.toString());
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains(missing + ": file not found"), r.err());
            assertFalse(r.err().contains("model.json"), r.err());
        }
        CliTest.Run r = run("recommend", "--model", damaged.toString(), "--output", tmp.resolve("never.tsv").toString(), "--users",
                tmp.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(tmp + ": is a directory; expected a text file"), r.err());
        // the output too: a directory where the file would go
        r = run("recommend", "--model", damaged.toString(), "--output", tmp.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(tmp.toString()) && !r.err().contains("model.json"), r.err());
        // with the files in order, the damaged model is what is reported
        r = run("recommend", "--model", damaged.toString(), "--output", tmp.resolve("never.tsv").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("model.json"), r.err());
        assertFalse(Files.exists(tmp.resolve("never.tsv")));
    }

    /** A model without {@code serving.formula} and no {@code --formula}: the error names the option, not a request or serve.yaml. */
    @Test
    void aMissingFormulaIsTheCommandLines() throws Exception {
        String config = ServeEndToEndTest.CONFIG.replace("serving: {formula: '0.6 * like + 0.4 * watch'}\n", "");
        assertFalse(config.contains("serving:"), config);
        Path plain = tmp.resolve("plain-model");
        try (Taskweave taskweave = Taskweave.start(List.of(Dist.plugins()))) {
            Path file = tmp.resolve("plain.yaml");
            Files.writeString(file, config);
            taskweave.train(file, plain, ServeEndToEndTest.quiet());
        }
        CliTest.Run r = run("recommend", "--model", plain.toString(), "--output", tmp.resolve("none.tsv").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--formula: missing: the model's serving.formula sets no default, so give one") && r.err().contains(
                "; tasks: ") && !r.err().contains("serve.yaml") && !r.err().contains("request"), r.err());
        assertFalse(Files.exists(tmp.resolve("none.tsv")));
    }

    @Test
    void errorsNameTheFileLineOrOptionAndLeaveTheOutputAsItWas() throws Exception {
        Path output = tmp.resolve("kept.tsv");
        Files.writeString(output, "old content\n");
        Path users = tmp.resolve("bad-users.txt");
        Files.writeString(users, "u1\nnobody\n");
        CliTest.Run unknown = run("recommend", "--model", model.toString(), "--output", output.toString(), "--users", users.toString());
        assertEquals(2, unknown.code(), unknown.err());
        assertTrue(unknown.err().contains(users + ":2: user 'nobody'"), unknown.err());
        assertEquals("old content\n", Files.readString(output));
        try (var files = Files.list(tmp)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(".kept.tsv.tmp")), "no temporary file is left");
        }

        CliTest.Run formula = run("recommend", "--model", model.toString(), "--output", output.toString(), "--formula", "like +");
        assertEquals(2, formula.code(), formula.err());
        assertTrue(formula.err().contains("--formula"), formula.err());
        CliTest.Run task = run("recommend", "--model", model.toString(), "--output", output.toString(), "--tasks", "clicks");
        assertEquals(2, task.code(), task.err());
        assertTrue(task.err().contains("--tasks") && task.err().contains("clicks"), task.err());
        CliTest.Run k = run("recommend", "--model", model.toString(), "--output", output.toString(), "--k", "0");
        assertEquals(2, k.code(), k.err());
        assertTrue(k.err().contains("--k: expected an integer >= 1, got 0"), k.err());
        CliTest.Run notModel = run("recommend", "--model", tmp.toString(), "--output", output.toString());
        assertEquals(2, notModel.code(), notModel.err());
        assertTrue(notModel.err().contains("not a Taskweave model directory"), notModel.err());
        assertEquals("old content\n", Files.readString(output));

        // an unknown user is found while the file is read, before any user is scored, in the command line's words
        assertTrue(unknown.err().contains("unknown user; the model knows") && unknown.err().contains("--new-users"), unknown.err());
        // a byte order mark (spreadsheets write one) is not part of the header; bytes that are not UTF-8 name their line
        Files.write(users, "\uFEFFuser\nu1\n".getBytes(StandardCharsets.UTF_8));
        CliTest.Run bom = run("recommend", "--model", model.toString(), "--output", tmp.resolve("bom.tsv").toString(),
                "--users", users.toString(), "--k", "1");
        assertEquals(0, bom.code(), bom.err());
        // before: wrote 1 rows for 1 users
        assertTrue(bom.err().startsWith("wrote 1 row for 1 user to " + tmp.resolve("bom.tsv") + "; scored in "), bom.err());
        assertEquals(List.of("u1"), rows(tmp.resolve("bom.tsv")).stream().skip(1).map(f -> f[0]).toList());
        Files.write(users, new byte[] {'u', '1', '\n', 'u', (byte) 0xE9, '\n'});
        CliTest.Run latin = run("recommend", "--model", model.toString(), "--output", output.toString(), "--users", users.toString());
        assertEquals(2, latin.code(), latin.err());
        assertTrue(latin.err().contains(users + ":2: not UTF-8 text"), latin.err());

        // a line starting with a tab has an empty id (not the second field's)
        Files.writeString(users, "u1\n\tu3\n");
        CliTest.Run tab = run("recommend", "--model", model.toString(), "--output", output.toString(), "--users", users.toString());
        assertEquals(2, tab.code(), tab.err());
        assertTrue(tab.err().contains(users + ":2: expected a user id in the first field (before the first tab), found an empty one"),
                tab.err());

        // a user listed twice is an error naming both lines, as in --new-users (it would be written twice)
        Files.writeString(users, "user\nu1\nu2\n# again\nu1\textra\n");
        CliTest.Run repeated = run("recommend", "--model", model.toString(), "--output", output.toString(), "--users", users.toString());
        assertEquals(2, repeated.code(), repeated.err());
        assertTrue(repeated.err().contains(users + ":5: user 'u1' is also on line 2"), repeated.err());
        assertEquals("old content\n", Files.readString(output));

        CliTest.Run junk = run("recommend", "--model", model.toString(), "--output", output.toString(), "--context", "{\"a\": 1} junk");
        assertEquals(2, junk.code(), junk.err());
        assertTrue(junk.err().contains("command line: --context: expected a JSON object such as '{\"user_device\": \"tv\"}': "
                + "Unrecognized token 'junk'"), junk.err());
        CliTest.Run twice = run("recommend", "--model", model.toString(), "--output", output.toString(), "--context",
                "{\"a\": 1, \"a\": 2}");
        assertEquals(2, twice.code(), twice.err());
        assertTrue(twice.err().contains("--context: expected a JSON object such as '{\"user_device\": \"tv\"}': Duplicate field 'a'"),
                twice.err());
        CliTest.Run feature = run("recommend", "--model", model.toString(), "--output", output.toString(), "--context", "{\"nope\": 1}");
        assertEquals(2, feature.code(), feature.err());
        assertTrue(feature.err().contains("command line: --context: 'nope': the model has no per-interaction feature of that name"),
                feature.err());
        assertEquals("old content\n", Files.readString(output));
    }

    @Test
    void aScoreThatIsNotAFiniteNumberIsWrittenAsNaN() throws Exception {
        Path users = tmp.resolve("nan-users.txt");
        Files.writeString(users, "u2\n");
        Path output = tmp.resolve("nan.tsv");
        CliTest.Run r = run("recommend", "--model", model.toString(), "--output", output.toString(), "--users", users.toString(),
                "--k", "2", "--formula", "log(like - 1)", "--tasks", "like");
        assertEquals(0, r.code(), r.err());
        List<String[]> rows = rows(output);
        assertEquals(3, rows.size());
        assertEquals("NaN", rows.get(1)[3]);
        assertEquals("NaN", rows.get(2)[3]);
    }
}
