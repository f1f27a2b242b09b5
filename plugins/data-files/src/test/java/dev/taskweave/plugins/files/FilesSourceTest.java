package dev.taskweave.plugins.files;

import static dev.taskweave.testkit.PluginConfigs.params;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.data.DataContext;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.EntityAttribute;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureKind;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.NumericScale;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.api.data.RankingCandidates;
import dev.taskweave.testkit.PluginConfigs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesSourceTest {
    @TempDir
    Path dir;

    static final String USERS = """
            user_id,Age Group,income,tags
            u1,18-24,10,"news|sport"
            u2,25-34,30,sport
            u3,,50,
            u9,18-24,,"a, b|news"
            """;
    static final String ITEMS = """
            id\tcategory\tcomedy\tdrama
            i1\tbooks\t1\t0
            i2\tfilms\t0\t1
            i3\tfilms\ttrue\ttrue
            """;

    Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    Dataset load(Map<String, Object> params) {
        return load(params, 7);
    }

    Dataset load(Map<String, Object> params, long seed) {
        FilesConfig config = PluginConfigs.bindValid(params, FilesConfig.class);
        return new FilesDatasetFactory().create(config, new DataContext(dir, seed)).load();
    }

    static Map<String, Object> interactions(String file, Object... more) {
        Map<String, Object> m = params("file", file, "user", "user", "item", "item", "labels", params("rating", "rating", "click", "click"));
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        return m;
    }

    /** The worked example: files split, side features of every kind. */
    Dataset example(boolean coldSlices) throws IOException {
        write("train.csv", """
                user,item,rating,click
                u1,i1,5,1
                u1,i2,3,
                u2,i1,4,false
                u2,i2,"2",TRUE
                """);
        write("valid.csv", "user,item,rating,click\nu1,i3,4,1\n");
        write("test.csv", """
                user,item,rating,click
                u2,i3,1,0
                u1,i1,5,1
                u7,i2,3,
                u3,i4,2,0
                u1,i4,4,1
                """);
        write("users.csv", USERS);
        write("items.tsv", ITEMS);
        return load(params(
                "interactions", interactions("train.csv"),
                "split", params("by", "files", "validFile", "valid.csv", "testFile", "test.csv", "coldSlices", coldSlices),
                "users", params("file", "users.csv", "id", "user_id", "categorical", List.of("Age Group"), "numeric", List.of("income"),
                        "multiValued", params("tags", "|")),
                "items", params("file", "items.tsv", "id", "id", "categorical", List.of("category"),
                        "flags", params("genres", List.of("comedy", "drama")))));
    }

    @Test
    void readsIdsLabelsAndEveryKindOfSideFeature() throws IOException {
        Dataset d = example(true);
        EntityTable users = d.users();
        // the users file's order, then ids only the interactions name (u7 in test)
        assertEquals(List.of("u1", "u2", "u3", "u9", "u7"), users.rawIds());
        assertEquals(List.of("i1", "i2", "i3", "i4"), d.items().rawIds());
        // ids have codes when the entity has a training row
        assertArrayEquals(new int[] {1, 2, 0, 0, 0}, users.categorical("user_id"));
        assertArrayEquals(new int[] {1, 2, 0, 0}, d.items().categorical("item_id"));
        FeatureSpec idSpec = spec(d, "user_id");
        assertTrue(idSpec.id());
        assertEquals(3, idSpec.size());

        // categorical: sorted distinct values, code 0 for an empty cell or an entity the file lacks
        FeatureSpec age = spec(d, "user_age_group");
        assertEquals(List.of("18-24", "25-34"), age.labels());
        assertArrayEquals(new int[] {1, 2, 0, 1, 0}, users.categorical("user_age_group"));
        // numeric: standardised over the file's non-empty cells (10, 30, 50: mean 30, std sqrt(800/3))
        double std = Math.sqrt(800.0 / 3);
        float[] income = users.dense("user_income");
        assertEquals(-20 / std, income[0], 1e-6);
        assertEquals(0, income[1], 1e-6);
        assertEquals(20 / std, income[2], 1e-6);
        assertEquals(0, income[3], 0);
        assertEquals(0, income[4], 0);
        assertEquals(FeatureKind.NUMERIC, spec(d, "user_income").kind());
        assertEquals("30.0", d.description().get("feature.user_income.mean"));
        // the encoding is recorded for serving, which takes raw incomes: 70 reads as (70 - 30) / std
        assertEquals(new NumericScale(false, 30, std), spec(d, "user_income").scale());
        assertEquals(40 / std, spec(d, "user_income").scale().apply(70), 1e-12);
        // multi-valued: a quoted cell may hold the delimiter; values sorted: ["a, b", news, sport]
        FeatureSpec tags = spec(d, "user_tags");
        assertEquals(3, tags.size());
        assertEquals("a, b,news,sport", d.description().get("feature.user_tags.values"));
        assertEquals(List.of("a, b", "news", "sport"), tags.labels());
        assertArrayEquals(new float[] {0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0}, users.dense("user_tags"));
        // flags from 0/1 and true/false columns, a tab-separated file
        assertArrayEquals(new float[] {1, 0, 0, 1, 1, 1, 0, 0}, d.items().dense("item_genres"));
        assertEquals(List.of("comedy", "drama"), spec(d, "item_genres").labels());
        assertArrayEquals(new int[] {1, 2, 2, 0}, d.items().categorical("item_category"));
        assertEquals("1", d.description().get("itemsWithoutFeatures"));
        assertEquals("1", d.description().get("usersWithoutFeatures"));

        // labels: numbers, true/false, empty = no label
        Interactions train = d.train();
        assertArrayEquals(new float[] {5, 3, 4, 2}, train.label("rating"));
        float[] click = train.label("click");
        assertEquals(1f, click[0]);
        assertTrue(Float.isNaN(click[1]));
        assertEquals(0f, click[2]);
        assertEquals(1f, click[3]);
        assertArrayEquals(new int[] {0, 0, 1, 1}, train.users());
        assertArrayEquals(new int[] {0, 1, 0, 1}, train.items());
    }

    @Test
    void testRowsOfEntitiesWithoutTrainingRowsAreReportedApart() throws IOException {
        Dataset d = example(true);
        assertEquals(List.of("train", "valid", "test", "test_cold_user", "test_cold_item", "test_cold_both"),
                List.copyOf(d.splits().keySet()));
        // test: (u2, i3) has a cold item (i3 only in valid), (u1, i1) is warm, (u7, i2) a cold user,
        // (u3, i4) both cold, (u1, i4) a cold item
        assertArrayEquals(new int[] {0}, d.splits().get("test").users());
        assertArrayEquals(new int[] {0}, d.splits().get("test").items());
        assertArrayEquals(new int[] {4}, d.splits().get("test_cold_user").users());
        assertArrayEquals(new int[] {2, 3}, d.splits().get("test_cold_item").items());
        assertArrayEquals(new float[] {1, 4}, d.splits().get("test_cold_item").label("rating"));
        assertArrayEquals(new int[] {2}, d.splits().get("test_cold_both").users());

        Dataset whole = example(false);
        assertEquals(List.of("train", "valid", "test"), List.copyOf(whole.splits().keySet()));
        assertEquals(5, whole.splits().get("test").size());
    }

    String rows(int n) {
        StringBuilder b = new StringBuilder("user,item,rating,click,ts\n");
        for (int r = 0; r < n; r++) {
            // timestamps out of file order: row r at time (r * 37) % n
            b.append("u").append(r % 13).append(",i").append(r % 17).append(',').append(1 + r % 5).append(",,")
                    .append((r * 37) % n).append('\n');
        }
        return b.toString();
    }

    @Test
    void randomSplitTakesExactSharesDisjointlyAndFollowsTheSeed() throws IOException {
        write("rows.csv", rows(200));
        Map<String, Object> p = params("interactions", interactions("rows.csv", "timestamp", "ts"),
                "split", params("valid", 0.1, "test", 0.2, "coldSlices", false));
        Dataset a = load(p, 1);
        assertEquals(140, a.train().size());
        assertEquals(20, a.splits().get("valid").size());
        assertEquals(40, a.splits().get("test").size());
        // every row once: the ratings of row r are 1 + r % 5 and (user, item) = (r % 13, r % 17) identify r
        Set<String> seen = new HashSet<>();
        for (Interactions s : a.splits().values()) {
            for (int k = 0; k < s.size(); k++) {
                assertTrue(seen.add(a.users().rawIds().get(s.users()[k]) + a.items().rawIds().get(s.items()[k])));
            }
        }
        assertEquals(200, seen.size());
        Dataset again = load(p, 1);
        assertArrayEquals(a.splits().get("test").users(), again.splits().get("test").users());
        assertArrayEquals(a.splits().get("test").items(), again.splits().get("test").items());
        Dataset other = load(p, 2);
        assertFalse(Arrays.equals(a.splits().get("test").items(), other.splits().get("test").items()));
        // a configured seed wins over the experiment's
        p.put("seed", 2);
        assertArrayEquals(other.splits().get("test").items(), load(p, 1).splits().get("test").items());
    }

    @Test
    void everyRowNamesTheFileAndLineItWasReadFrom() throws IOException {
        // a shuffled split with cold users and items (its test split joins two selections of the file)
        List<String> lines = rows(200).lines().toList();
        write("rows.csv", rows(200));
        Dataset d = load(params("interactions", interactions("rows.csv", "timestamp", "ts"),
                "split", params("valid", 0.1, "test", 0.1, "coldUsers", 0.2, "coldItems", 0.2)));
        Set<Long> named = new HashSet<>();
        for (Interactions s : d.splits().values()) {
            for (int k = 0; k < s.size(); k++) {
                Interactions.Origin origin = s.origin(k);
                assertEquals(dir.resolve("rows.csv").toString(), origin.file());
                String[] fields = lines.get((int) origin.line() - 1).split(",");
                assertEquals(fields[0], d.users().rawIds().get(s.users()[k]), origin.toString());
                assertEquals(fields[1], d.items().rawIds().get(s.items()[k]), origin.toString());
                assertEquals(Float.parseFloat(fields[2]), s.label("rating")[k], origin.toString());
                assertTrue(named.add(origin.line()), "one row per line: " + origin);
            }
        }
        assertEquals(200, named.size());
        assertFalse(named.contains(1L), "line 1 is the header");
        // separate files: each split's rows name their own file
        Dataset files = example(false);
        assertEquals(new Interactions.Origin(dir.resolve("valid.csv").toString(), 2), files.splits().get("valid").origin(0));
        Interactions test = files.splits().get("test");
        assertEquals(new Interactions.Origin(dir.resolve("test.csv").toString(), 6), test.origin(test.size() - 1));
    }

    @Test
    void coldUsersAndItemsAreHeldOutWhole() throws IOException {
        write("rows.csv", rows(200));
        Dataset d = load(params("interactions", interactions("rows.csv", "timestamp", "ts"),
                "split", params("valid", 0.1, "test", 0.1, "coldUsers", 0.2, "coldItems", 0.2)));
        // 13 users and 17 items: 3 of each held out whole
        Set<String> coldUsers = new HashSet<>();
        Set<String> coldItems = new HashSet<>();
        int rows = 0;
        for (Map.Entry<String, Interactions> split : d.splits().entrySet()) {
            Interactions s = split.getValue();
            rows += s.size();
            for (int k = 0; k < s.size(); k++) {
                String user = d.users().rawIds().get(s.users()[k]);
                String item = d.items().rawIds().get(s.items()[k]);
                if (split.getKey().equals("test_cold_user") || split.getKey().equals("test_cold_both")) {
                    coldUsers.add(user);
                }
                if (split.getKey().equals("test_cold_item") || split.getKey().equals("test_cold_both")) {
                    coldItems.add(item);
                }
            }
        }
        assertEquals(200, rows, "every row is in one split");
        assertEquals(3, coldUsers.size(), coldUsers.toString());
        assertEquals(3, coldItems.size(), coldItems.toString());
        for (String split : List.of("train", "valid", "test")) {
            Interactions s = d.splits().get(split);
            for (int k = 0; k < s.size(); k++) {
                assertFalse(coldUsers.contains(d.users().rawIds().get(s.users()[k])), split);
                assertFalse(coldItems.contains(d.items().rawIds().get(s.items()[k])), split);
            }
        }
        assertEquals("3 users held out whole (0.2)", d.description().get("split.coldUsers"));
    }

    @Test
    void timeSplitTestsOnTheLatestRows() throws IOException {
        int n = 100;
        write("rows.csv", rows(n));
        Dataset d = load(params("interactions", interactions("rows.csv", "timestamp", "ts"),
                "split", params("by", "time", "valid", 0.1, "test", 0.2, "coldSlices", false)));
        // row r has time (37 r) % 100, a permutation of 0..99: test = times 80..99, valid = 70..79
        assertEquals(Set.of(80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99),
                times(d, "test", n));
        assertEquals(Set.of(70, 71, 72, 73, 74, 75, 76, 77, 78, 79), times(d, "valid", n));
        assertEquals(70, d.train().size());
        assertTrue(times(d, "train", n).stream().allMatch(t -> t < 70));
    }

    /** The times of a split's rows, from the ratings and ids that identify a row of {@link #rows}. */
    Set<Integer> times(Dataset d, String split, int n) {
        Interactions s = d.splits().get(split);
        Set<Integer> out = new HashSet<>();
        for (int k = 0; k < s.size(); k++) {
            int user = Integer.parseInt(d.users().rawIds().get(s.users()[k]).substring(1));
            int item = Integer.parseInt(d.items().rawIds().get(s.items()[k]).substring(1));
            // r % 13 and r % 17 give r mod 221, and r < 221
            int r = IntStream.range(0, n).filter(x -> x % 13 == user && x % 17 == item).findFirst().orElseThrow();
            out.add((r * 37) % n);
        }
        return out;
    }

    @Test
    void lastSplitHoldsOutEachUsersLatestRows() throws IOException {
        write("rows.csv", """
                user,item,rating,click,ts
                a,x1,1,,5
                a,x2,2,,1
                b,x1,3,,4
                a,x3,3,,9
                b,x2,4,,2
                a,x4,4,,3
                c,x1,5,,7
                """);
        Dataset d = load(params("interactions", interactions("rows.csv", "timestamp", "ts"), "split", params("by", "last", "coldSlices", false),
                "ranking", params("negatives", 1)));
        // a: latest x3 (9) to test, x1 (5) to valid; b: two rows, the latest x1 (4) to test; c: one row, kept
        assertArrayEquals(new float[] {3, 3}, d.splits().get("test").label("rating"));
        assertArrayEquals(new float[] {1}, d.splits().get("valid").label("rating"));
        assertArrayEquals(new float[] {2, 4, 4, 5}, d.train().label("rating"));
        assertEquals(2, d.rankings().get("test").size());
        assertEquals("x3", d.items().rawIds().get(d.rankings().get("test").positives()[0]));
    }

    @Test
    void leaveLastOutWarnsWhenListsRankARepeatedPairAndSkipsUsersWhoseLatestItemIsCold() throws IOException {
        write("rows.csv", """
                user,item,rating,click,ts
                a,x1,1,,1
                a,x2,2,,2
                a,x3,3,,3
                a,x1,4,,4
                b,x2,3,,1
                b,x3,4,,2
                b,x4,5,,3
                c,x1,5,,1
                c,x9,5,,2
                d,x4,2,,1
                d,x2,2,,2
                """);
        Dataset d = load(params("interactions", interactions("rows.csv", "timestamp", "ts"), "split", params("by", "last"),
                "ranking", params("negatives", 1)));
        // a's latest row repeats (a, x1), whose first row is in train: a's list ranks an item a trained on.
        // b's and d's latest items are new to them. c's latest item x9 has no other row: cold, in test_cold_item, no list
        RankingCandidates r = d.rankings().get("test");
        List<String> listUsers = Arrays.stream(r.users()).mapToObj(u -> d.users().rawIds().get(u)).toList();
        assertEquals(List.of("a", "b", "d"), listUsers);
        assertEquals(List.of("x1", "x4", "x2"), Arrays.stream(r.positives()).mapToObj(i -> d.items().rawIds().get(i)).toList());
        assertEquals(1, d.splits().get("test_cold_item").size());
        assertEquals("1", d.description().get("rankings.test.repeatedPositives"));
        assertEquals("1 of the 3 ranking lists on test rank an item the user has a training row with (a repeated user-item pair): "
                + "the model trained on that pair and its negatives are items the user never took, so HR and NDCG run higher than "
                + "for new items; to rank only new items, keep one row per pair in the interactions file",
                d.description().get("warning.rankingRepeats"));
        // one row per pair: no warning
        write("rows.csv", "user,item,rating,click,ts\na,x1,1,,1\na,x2,2,,2\na,x3,3,,3\nb,x2,3,,1\nb,x3,4,,2\nb,x1,5,,3\n");
        Dataset once = load(params("interactions", interactions("rows.csv", "timestamp", "ts"), "split", params("by", "last"),
                "ranking", params("negatives", 1)));
        assertEquals("0", once.description().get("rankings.test.repeatedPositives"));
        assertFalse(once.description().containsKey("warning.rankingRepeats"));
    }

    @Test
    void theFormatDecidesWhetherQuotesAreRead() throws IOException {
        // a .csv file separated by tabs is quoted (was: read as tsv, the quote marks kept in the ids)
        write("events.csv", "user\titem\trating\tclick\n\"u1\"\t\"i\t1\"\t4\t\n\"u2\"\ti2\t3\t\n");
        Dataset quoted = load(params("interactions", interactions("events.csv", "delimiter", "\t"), "split",
                params("valid", 0.0, "test", 0.0)));
        assertEquals(List.of("u1", "u2"), quoted.users().rawIds());
        assertEquals(List.of("i\t1", "i2"), quoted.items().rawIds());
        // format: tsv separated by commas is not (was: quoted, as the delimiter is not a tab)
        write("events.txt", "user,item,rating,click\n\"u1\",12\" single,4,\n");
        Dataset text = load(params("interactions", interactions("events.txt", "format", "tsv", "delimiter", ","), "split",
                params("valid", 0.0, "test", 0.0)));
        assertEquals(List.of("\"u1\""), text.users().rawIds());
        assertEquals(List.of("12\" single"), text.items().rawIds());
    }

    @Test
    void aRecordOverSeveralLinesNamesTheLineItStartsOn() throws IOException {
        // quoted line breaks: the rows start on lines 2, 5 and 7 (an empty line before the second; was 3, 6 and 7)
        write("rows.csv", "user,item,rating,click\nu1,\"i\n1\",4,\n\nu2,\"i\r\n2\",3,\nu3,i3,2,\n");
        Dataset d = load(params("interactions", interactions("rows.csv"), "split", params("valid", 0.0, "test", 0.0)));
        Interactions train = d.train();
        assertEquals(List.of(2L, 5L, 7L), IntStream.range(0, train.size()).mapToObj(k -> train.origin(k).line()).toList());
    }

    @Test
    void rareValuesAreUnknownAndLogReadsSkewedNumbers() throws IOException {
        write("rows.csv", "user,item,rating,click\nu1,i1,3,\n");
        write("users.csv", """
                id,plan,tags,spend
                u1,a,x|y,0
                u2,a,x,1.718281828459045
                u3,b,y,6.38905609893065
                u4,c,x|x,
                u5,c,,0
                u6,a,,0
                """);
        Dataset d = load(params("interactions", interactions("rows.csv"), "split", params("valid", 0.0, "test", 0.0),
                "users", params("file", "users.csv", "id", "id", "categorical", List.of("plan"), "multiValued", params("tags", "|"),
                        "numeric", List.of("spend"), "log", List.of("spend"), "minCount", 2)));
        // plan b is in one row only: unknown; a and c keep codes 1 and 2
        assertEquals(List.of("a", "c"), spec(d, "user_plan").labels());
        assertArrayEquals(new int[] {1, 1, 0, 2, 2, 1}, d.users().categorical("user_plan"));
        assertEquals("1 values in 1 rows read as unknown (minCount 2)", d.description().get("feature.user_plan.rareValues"));
        // tag y is in two rows (u1, u3), x in three (u4's repeated x counts once): both kept
        assertEquals(2, spec(d, "user_tags").size());
        // spend: log(1 + x) = 0, 1, 2 for the first three, then standardised over the non-empty cells
        // (0, 1, 2, 0, 0: mean 0.6, sd sqrt(0.64)); u4's empty cell is 0, the mean
        float[] spend = d.users().dense("user_spend");
        double sd = Math.sqrt((0.36 * 3 + 0.16 + 1.96) / 5);
        assertEquals(-0.6 / sd, spend[0], 1e-5);
        assertEquals(0.4 / sd, spend[1], 1e-5);
        assertEquals(1.4 / sd, spend[2], 1e-5);
        assertEquals(0, spend[3], 0);
        assertEquals("log1p", d.description().get("feature.user_spend.transform"));
        NumericScale scale = spec(d, "user_spend").scale();
        assertTrue(scale.log1p());
        assertEquals(0.6, scale.center(), 1e-6);
        assertEquals(sd, scale.divisor(), 1e-6);
        assertEquals(spend[2], spec(d, "user_spend").scale().apply(Math.E * Math.E - 1), 1e-5);

        // an attribute holdout chooses among the entities whose attribute is known as encoded: u3's
        // rare plan is unknown, so 3 of the other 5 (round(0.5 * 5)) are held out, never u3
        Dataset held = load(params("interactions", interactions("rows.csv"), "split", params("valid", 0.0, "test", 0.0),
                "users", params("file", "users.csv", "id", "id", "categorical", List.of("plan"), "minCount", 2),
                "attributes", List.of("user_plan"), "attributeHoldout", 0.5));
        int[] evaluated = held.attributeEvaluation().get("attribute_test").get("user_plan");
        assertEquals(3, evaluated.length);
        assertFalse(Arrays.stream(evaluated).anyMatch(u -> u == 2), Arrays.toString(evaluated));

        // minCount 3: tag y (two rows) goes, and u3, whose only tag it was, has none
        Dataset stricter = load(params("interactions", interactions("rows.csv"), "split", params("valid", 0.0, "test", 0.0),
                "users", params("file", "users.csv", "id", "id", "multiValued", params("tags", "|"), "minCount", 3)));
        assertEquals(1, spec(stricter, "user_tags").size());
        assertArrayEquals(new float[] {1, 1, 0, 1, 0, 0}, stricter.users().dense("user_tags"));
    }

    @Test
    void isoTimestampsOrderTheRows() throws IOException {
        write("rows.csv", """
                user,item,rating,click,when
                a,x,1,,2024-03-02
                a,y,2,,2024-03-01T10:00:00Z
                b,x,3,,2024-03-01T09:00:00
                b,y,4,,2024-03-03T00:00:00Z
                """);
        Dataset d = load(params("interactions", interactions("rows.csv", "timestamp", "when"),
                "split", params("by", "time", "valid", 0.25, "test", 0.25, "coldSlices", false)));
        assertArrayEquals(new float[] {4}, d.splits().get("test").label("rating"));
        assertArrayEquals(new float[] {1}, d.splits().get("valid").label("rating"));
        assertArrayEquals(new float[] {2, 3}, d.train().label("rating"));
    }

    @Test
    void historiesHoldTheTrainingInteractions() throws IOException {
        write("train.csv", """
                user,item,rating,click
                a,x,5,
                a,y,1,
                b,x,3,
                a,x,4,
                """);
        write("test.csv", "user,item,rating,click\nb,y,2,\n");
        Map<String, Object> p = params("interactions", interactions("train.csv"),
                "split", params("by", "files", "testFile", "test.csv"), "history", "implicit");
        Dataset d = load(p);
        // users a, b; items x, y. a rated x twice (one entry) and y: 1/2 each; b rated x: 1
        assertArrayEquals(new float[] {0.5f, 0.5f, 1f, 0f}, d.users().sparse("user_history").toDense());
        // x was rated by a and b, y by a
        assertArrayEquals(new float[] {0.5f, 0.5f, 1f, 0f}, d.items().sparse("item_history").toDense());
        assertTrue(spec(d, "user_history").fromInteractions());
        // the repeated pair is one entry: a row's history without it is rescaled by the entries stored
        assertEquals(dev.taskweave.api.data.Histories.Scale.MEAN, spec(d, "user_history").historyScale());

        p.put("userHistory", "values");
        p.put("historyLabel", "rating");
        Dataset v = load(p);
        // mean of the training ratings (5, 1, 3, 4) = 3.25; (a, x) keeps its last row's 4: 0.75 and
        // (a, y) 1 - 3.25 = -2.25, each divided by sqrt(2); b: 3 - 3.25 = -0.25
        float r2 = (float) Math.sqrt(2);
        assertArrayEquals(new float[] {0.75f / r2, -2.25f / r2, -0.25f, 0f}, v.users().sparse("user_history").toDense(), 1e-6f);
        assertArrayEquals(new float[] {0.5f, 0.5f, 1f, 0f}, v.items().sparse("item_history").toDense());
        assertEquals(dev.taskweave.api.data.Histories.Scale.ROOT, spec(v, "user_history").historyScale());
        assertEquals(null, v.description().get("user_history.rescaled"));

        // a training pair without the label is stored as 0 but counted: not rescaled, and said so
        write("train.csv", """
                user,item,rating,click
                a,x,5,
                a,y,,1
                b,x,3,
                """);
        Dataset missing = load(p);
        assertEquals(null, spec(missing, "user_history").historyScale());
        assertEquals(dev.taskweave.api.data.Histories.Scale.MEAN, spec(missing, "item_history").historyScale());
        assertTrue(missing.description().get("user_history.rescaled").startsWith("no: some training pairs have no rating"),
                missing.description().toString());

        // with timestamps, the latest row of a repeated pair gives its value, wherever it is in the
        // file: (a, x) rated 4 at time 100 and 5 later at time 200, written first
        write("train.csv", """
                user,item,rating,click,ts
                a,x,5,,200
                a,y,1,,50
                b,x,3,,60
                a,x,4,,100
                """);
        write("test.csv", "user,item,rating,click,ts\nb,y,2,,300\n");
        p.put("interactions", interactions("train.csv", "timestamp", "ts"));
        Dataset timed = load(p);
        // mean (5, 1, 3, 4) = 3.25: (a, x) keeps 5 (the latest), 1.75 / sqrt(2)
        assertArrayEquals(new float[] {1.75f / r2, -2.25f / r2, -0.25f, 0f}, timed.users().sparse("user_history").toDense(), 1e-6f);
    }

    @Test
    void rankingListsHoldTheLatestTestItemAndUnseenWarmItems() throws IOException {
        StringBuilder train = new StringBuilder("user,item,rating,click,ts\n");
        for (int i = 0; i < 30; i++) {
            train.append("u").append(i % 3).append(",i").append(i).append(",3,,1\n");
        }
        write("train.csv", train.toString());
        write("test.csv", """
                user,item,rating,click,ts
                u0,i1,4,,5
                u0,i2,4,,9
                u1,i0,4,,2
                u2,i99,4,,3
                """);
        Dataset d = load(params("interactions", interactions("train.csv", "timestamp", "ts"),
                "split", params("by", "files", "testFile", "test.csv"), "ranking", params("negatives", 5)));
        RankingCandidates r = d.rankings().get("test");
        // u2's only test item is cold: its row is in test_cold_item and it gets no list
        assertEquals(2, r.size());
        List<String> items = d.items().rawIds();
        assertEquals("i2", items.get(r.positives()[0]));
        assertEquals("i0", items.get(r.positives()[1]));
        for (int k = 0; k < r.size(); k++) {
            String user = d.users().rawIds().get(r.users()[k]);
            int u = Integer.parseInt(user.substring(1));
            assertEquals(5, r.negatives()[k].length);
            assertEquals(5, Arrays.stream(r.negatives()[k]).distinct().count());
            for (int item : r.negatives()[k]) {
                int i = Integer.parseInt(items.get(item).substring(1));
                assertTrue(i < 30, "a warm item");
                assertNotEquals(u, i % 3, user + " trained on " + items.get(item));
                assertFalse(user.equals("u0") && (i == 1 || i == 2), "u0 has test rows with i1 and i2");
                assertFalse(user.equals("u1") && i == 0);
            }
        }
        assertEquals("2", d.description().get("rankings.test.lists"));
        assertEquals("5", d.description().get("rankings.test.negatives"));
    }

    @Test
    void aTestSplitOfColdRowsOnlyGivesNoListsAndNoWarmTestSplit() throws IOException {
        write("train.csv", "user,item,rating,click\nu0,i0,3,\nu1,i1,3,\n");
        write("test.csv", "user,item,rating,click\nu2,i0,4,\n");
        Dataset d = load(params("interactions", interactions("train.csv"), "split", params("by", "files", "testFile", "test.csv"),
                "ranking", params()));
        assertTrue(d.rankings().isEmpty());
        assertEquals("0", d.description().get("rankings.test.lists"));
        // an empty slice is left out, the warm test split too
        assertEquals(List.of("train", "test_cold_user"), List.copyOf(d.splits().keySet()));
    }

    @Test
    void fewUnseenItemsGiveShorterLists() {
        int[] warm = {0, 1, 2, 3, 4};
        int[] out = FilesSource.sampleNegatives(warm, Set.of(0, 2), 10, new java.util.SplittableRandom(1));
        assertEquals(Set.of(1, 3, 4), Arrays.stream(out).boxed().collect(Collectors.toSet()));
    }

    @Test
    void attributesAndTheirHoldout() throws IOException {
        StringBuilder users = new StringBuilder("id,segment,topics\n");
        StringBuilder rows = new StringBuilder("user,item,rating,click\n");
        for (int u = 0; u < 40; u++) {
            users.append('u').append(u).append(',').append(u % 3 == 0 ? "" : "s" + (u % 3)).append(',')
                    .append(u % 4 == 0 ? "" : "t" + (u % 4) + "|t0").append('\n');
            rows.append('u').append(u).append(",i").append(u % 5).append(",3,\n");
        }
        write("users.csv", users.toString());
        write("rows.csv", rows.toString());
        Map<String, Object> p = params("interactions", interactions("rows.csv"), "split", params("valid", 0.0, "test", 0.0),
                "users", params("file", "users.csv", "id", "id", "categorical", List.of("segment"), "multiValued", params("topics", "|")),
                "attributes", List.of("user_segment", "user_topics"));
        Dataset d = load(p);
        EntityAttribute segment = d.attributes().get("user_segment");
        assertEquals(EntityAttribute.Kind.CLASS, segment.kind());
        assertEquals(2, segment.width());
        // class = code - 1: s1 -> 0, s2 -> 1; users 0, 3, 6, ... have no segment
        assertEquals(0f, segment.values()[1]);
        assertEquals(1f, segment.values()[2]);
        assertFalse(segment.known()[0]);
        assertTrue(segment.known()[1]);
        EntityAttribute topics = d.attributes().get("user_topics");
        assertEquals(EntityAttribute.Kind.MULTI_LABEL, topics.kind());
        assertEquals(4, topics.width());
        assertFalse(topics.known()[4]);
        assertArrayEquals(new float[] {1, 1, 0, 0}, Arrays.copyOfRange(topics.values(), 4, 8));
        assertTrue(d.attributeEvaluation().isEmpty());

        p.put("attributeHoldout", 0.25);
        Dataset held = load(p);
        // every user has a segment or topics except those divisible by 12: 40 - 4 = 36 eligible, 9 held
        Map<String, int[]> evaluated = held.attributeEvaluation().get("attribute_test");
        Set<Integer> heldUsers = new HashSet<>();
        evaluated.values().forEach(a -> Arrays.stream(a).forEach(heldUsers::add));
        assertEquals(9, heldUsers.size());
        for (int u : evaluated.get("user_segment")) {
            assertTrue(held.attributes().get("user_segment").known()[u]);
            assertEquals(0, held.users().categorical("user_segment")[u], "a held-out user's feature is hidden");
        }
        for (int u : evaluated.get("user_topics")) {
            assertTrue(held.attributes().get("user_topics").known()[u]);
            float[] row = Arrays.copyOfRange(held.users().dense("user_topics"), u * 4, u * 4 + 4);
            assertArrayEquals(new float[4], row);
            // the attribute keeps the true values
            assertEquals(1f, held.attributes().get("user_topics").values()[u * 4 + 0], "t0 is in every topics cell");
        }
        // validation entities: a second, disjoint draw, evaluated under valid
        p.put("attributeValid", 0.25);
        Dataset both = load(p);
        Set<Integer> validUsers = new HashSet<>();
        both.attributeEvaluation().get("valid").values().forEach(a -> Arrays.stream(a).forEach(validUsers::add));
        Set<Integer> testUsers = new HashSet<>();
        both.attributeEvaluation().get("attribute_test").values().forEach(a -> Arrays.stream(a).forEach(testUsers::add));
        assertEquals(9, validUsers.size());
        assertEquals(heldUsers, testUsers, "the test draw does not move");
        assertTrue(validUsers.stream().noneMatch(testUsers::contains));
        for (int u : both.attributeEvaluation().get("valid").get("user_segment")) {
            assertEquals(0, both.users().categorical("user_segment")[u]);
        }
        p.remove("attributeValid");

        // users not held out keep their features
        int kept = IntStream.range(0, 40).filter(u -> !heldUsers.contains(u) && u % 3 != 0).findFirst().orElseThrow();
        assertNotEquals(0, held.users().categorical("user_segment")[kept]);
    }

    @Test
    void aByteOrderMarkAndWindowsLineEndingsAreRead() throws IOException {
        // a spreadsheet's "CSV UTF-8" export: a byte order mark, CRLF line ends
        write("export.csv", "\uFEFFuser,item,rating,click\r\nu1,i1,4,1\r\nu2,i1,,0\r\n");
        Dataset d = load(params("interactions", interactions("export.csv"), "split", params("valid", 0.0, "test", 0.0)));
        assertEquals(List.of("u1", "u2"), d.users().rawIds());
        assertEquals(4f, d.train().label("rating")[0]);
        assertTrue(Float.isNaN(d.train().label("rating")[1]));
        assertArrayEquals(new float[] {1, 0}, d.train().label("click"));
    }

    @Test
    void withoutAQuoteCharacterQuotesAreText() throws IOException {
        // u.item's shape: pipe-separated, no quoting, a title may hold a quote mark
        write("rows.csv", "user,item,rating,click\nu1,i1,4,\n");
        write("items.psv", "id|title|kind\ni1|\"Shall We Dance?\" (1996)|film\ni2|12\" single|record\n");
        Dataset d = load(params("interactions", interactions("rows.csv"), "split", params("valid", 0.0, "test", 0.0),
                "items", params("file", "items.psv", "delimiter", "|", "quote", "", "id", "id", "categorical", List.of("title", "kind"))));
        assertEquals(List.of("\"Shall We Dance?\" (1996)", "12\" single"), spec(d, "item_title").labels());
        assertArrayEquals(new int[] {1, 2}, d.items().categorical("item_kind"));
    }

    @Test
    void filesWithoutAHeaderLineNameTheirColumnsInTheConfiguration() throws IOException {
        // MovieLens's u.data shape: tab-separated, no header
        write("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n");
        Dataset d = load(params("interactions", params("file", "u.data", "format", "tsv", "columns", List.of("user", "item", "rating", "time"),
                "user", "user", "item", "item", "labels", params("rating", "rating"), "timestamp", "time"),
                "split", params("by", "time", "valid", 0.0, "test", 1.0 / 3, "coldSlices", false)));
        assertEquals(2, d.train().size());
        assertArrayEquals(new float[] {3}, d.splits().get("test").label("rating"));
        assertEquals("186", d.users().rawIds().get(d.splits().get("test").users()[0]));
    }

    static FeatureSpec spec(Dataset d, String name) {
        List<String> names = new ArrayList<>();
        for (FeatureSpec f : d.features()) {
            if (f.name().equals(name)) {
                return f;
            }
            names.add(f.name());
        }
        throw new AssertionError("no feature " + name + " in " + names);
    }
}
