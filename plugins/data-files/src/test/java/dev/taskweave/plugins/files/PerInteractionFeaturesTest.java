package dev.taskweave.plugins.files;

import static dev.taskweave.plugins.files.FilesSourceTest.spec;
import static dev.taskweave.testkit.PluginConfigs.params;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.data.DataContext;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.FeatureKind;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.api.data.NumericScale;
import dev.taskweave.testkit.PluginConfigs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Context columns and recent values: features that take a value per interaction row. */
class PerInteractionFeaturesTest {
    @TempDir
    Path dir;

    void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    Dataset load(Map<String, Object> params) {
        FilesConfig config = PluginConfigs.bindValid(params, FilesConfig.class);
        return new FilesDatasetFactory().create(config, new DataContext(dir, 7)).load();
    }

    static Map<String, Object> interactions(String file, Object... more) {
        Map<String, Object> m = params("file", file, "user", "user", "item", "item", "timestamp", "ts",
                "labels", params("rating", "rating", "click", "click"));
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        return m;
    }

    /** A device (categorical) and an hour (numeric) per row; the users table holds each user's latest. */
    Dataset contextExample(int minCount) throws IOException {
        write("train.csv", """
                user,item,rating,click,ts,device,hour
                u1,i1,5,1,10,mobile,8
                u1,i2,3,,30,web,20
                u2,i1,4,0,20,tv,
                u2,i2,2,1,5,web,12
                u1,i3,4,1,30,tv,14
                """);
        write("valid.csv", "user,item,rating,click,ts,device,hour\nu1,i2,4,1,40,car,6\n");
        write("test.csv", """
                user,item,rating,click,ts,device,hour
                u2,i1,3,0,50,mobile,23
                u7,i1,2,,60,web,8
                """);
        return load(params("interactions", interactions("train.csv",
                        "context", params("categorical", List.of("device"), "numeric", List.of("hour"), "minCount", minCount)),
                "split", params("by", "files", "validFile", "valid.csv", "testFile", "test.csv")));
    }

    @Test
    void contextColumnsGiveEachRowItsValueAndTheTableEachUsersLatest() throws IOException {
        Dataset d = contextExample(1);
        assertEquals(List.of("u1", "u2", "u7"), d.users().rawIds());
        assertEquals(List.of("train", "valid", "test", "test_cold_user"), List.copyOf(d.splits().keySet()));

        // device: the training rows' values, sorted: mobile 1, tv 2, web 3
        FeatureSpec device = spec(d, "user_device");
        assertEquals(FeatureKind.CATEGORICAL, device.kind());
        assertEquals(List.of("mobile", "tv", "web"), device.labels());
        assertTrue(device.perInteraction());
        assertFalse(device.fromInteractions(), "a row's context is known for a new user too");
        assertArrayEquals(new float[] {1, 3, 2, 3, 2}, d.train().feature("user_device"));
        // car is in no training row: unknown
        assertArrayEquals(new float[] {0}, d.splits().get("valid").feature("user_device"));
        assertArrayEquals(new float[] {1}, d.splits().get("test").feature("user_device"));
        assertArrayEquals(new float[] {3}, d.splits().get("test_cold_user").feature("user_device"));
        // u1's latest rows are both at 30: the later in the file (tv) wins; u2's latest is at 20 (tv);
        // u7 has no training row
        assertArrayEquals(new int[] {2, 2, 0}, d.users().categorical("user_device"));

        // hour: standardised over the training rows' non-empty cells 8, 20, 12, 14: mean 13.5,
        // variance (30.25 + 42.25 + 2.25 + 0.25) / 4 = 18.75; an empty cell is 0, the mean
        double s = Math.sqrt(18.75);
        FeatureSpec hour = spec(d, "user_hour");
        assertTrue(hour.perInteraction());
        assertEquals(new NumericScale(false, 13.5, s), hour.scale());
        assertArrayEquals(new float[] {(float) (-5.5 / s), (float) (6.5 / s), 0, (float) (-1.5 / s), (float) (0.5 / s)},
                d.train().feature("user_hour"), 1e-6f);
        assertArrayEquals(new float[] {(float) (-7.5 / s)}, d.splits().get("valid").feature("user_hour"), 1e-6f);
        assertArrayEquals(new float[] {(float) (9.5 / s)}, d.splits().get("test").feature("user_hour"), 1e-6f);
        assertArrayEquals(new float[] {(float) (-5.5 / s)}, d.splits().get("test_cold_user").feature("user_hour"), 1e-6f);
        // u1's latest row has 14; u2's latest row (at 20) has an empty cell: 0
        assertArrayEquals(new float[] {(float) (0.5 / s), 0, 0}, d.users().dense("user_hour"), 1e-6f);

        assertEquals("user_device,user_hour", d.description().get("context"));
        assertEquals("3", d.description().get("feature.user_device.values"));
        assertEquals("1", d.description().get("feature.user_device.unseenRows"));
        assertEquals("13.5", d.description().get("feature.user_hour.mean"));
        assertEquals("1", d.description().get("feature.user_hour.missing"));
        // the ids come first, the per-row features last
        assertEquals(List.of("user_id", "item_id", "user_device", "user_hour"), d.features().stream().map(FeatureSpec::name).toList());
    }

    @Test
    void minCountCountsTrainingRows() throws IOException {
        Dataset d = contextExample(2);
        // mobile is in one training row: unknown; tv and web (two rows each) keep codes 1 and 2
        assertEquals(List.of("tv", "web"), spec(d, "user_device").labels());
        assertArrayEquals(new float[] {0, 2, 1, 2, 1}, d.train().feature("user_device"));
        assertArrayEquals(new float[] {0}, d.splits().get("test").feature("user_device"));
        assertEquals("1 values in 1 rows read as unknown (minCount 2)", d.description().get("feature.user_device.rareValues"));
    }

    @Test
    void everySplitCarriesTheContextColumnsOfItsOwnRows() throws IOException {
        // row r: user u(r % 13), item i(r % 17), device d(r % 4), hour r; rows identified by (user, item)
        StringBuilder b = new StringBuilder("user,item,rating,click,ts,device,hour\n");
        for (int r = 0; r < 200; r++) {
            b.append('u').append(r % 13).append(",i").append(r % 17).append(",3,,").append(r).append(",d").append(r % 4)
                    .append(',').append(r).append('\n');
        }
        write("rows.csv", b.toString());
        Dataset d = load(params("interactions", interactions("rows.csv",
                        "context", params("categorical", List.of("device"), "numeric", List.of("hour"), "standardize", false)),
                "split", params("valid", 0.1, "test", 0.1, "coldUsers", 0.2, "coldItems", 0.2)));
        assertTrue(d.splits().size() >= 4, d.splits().keySet().toString());
        List<String> labels = spec(d, "user_device").labels();
        assertEquals(List.of("d0", "d1", "d2", "d3"), labels);
        int rows = 0;
        for (Map.Entry<String, Interactions> split : d.splits().entrySet()) {
            Interactions s = split.getValue();
            for (int k = 0; k < s.size(); k++) {
                int user = Integer.parseInt(d.users().rawIds().get(s.users()[k]).substring(1));
                int item = Integer.parseInt(d.items().rawIds().get(s.items()[k]).substring(1));
                int r = java.util.stream.IntStream.range(0, 200).filter(x -> x % 13 == user && x % 17 == item).findFirst().orElseThrow();
                assertEquals("d" + (r % 4), labels.get((int) s.feature("user_device")[k] - 1), split.getKey());
                assertEquals(r, s.feature("user_hour")[k], split.getKey() + ": standardize: false keeps the raw hour");
                rows++;
            }
        }
        assertEquals(200, rows);
    }

    @Test
    void recentValuesAsOfEachRow() throws IOException {
        write("train.csv", """
                user,item,rating,click,ts
                a,x1,4,,1
                a,x2,2,,2
                a,x3,,1,3
                a,x4,5,,4
                b,x1,3,,2
                """);
        write("valid.csv", "user,item,rating,click,ts\na,x5,3,,5\na,x6,,1,2\n");
        write("test.csv", "user,item,rating,click,ts\nb,x2,1,,1\nc,x1,2,,9\n");
        Dataset d = load(params("interactions", interactions("train.csv"),
                "split", params("by", "files", "validFile", "valid.csv", "testFile", "test.csv"),
                "recent", List.of(params("label", "rating", "window", 2))));
        FeatureSpec recent = spec(d, "user_recent_rating");
        assertTrue(recent.perInteraction());
        assertTrue(recent.fromInteractions());
        assertEquals(FeatureKind.NUMERIC, recent.kind());
        // a's rated training rows: 4 (at 1), 2 (at 2), 5 (at 4): mean 11/3; the row at 3 has no rating
        // and does not count. A training row leaves itself out of both means:
        //   at 1: no rating before it -> 0
        //   at 2: recent 4, usual (4 + 5) / 2 -> -0.5
        //   at 3 (no rating: nothing to leave out): recent (4 + 2) / 2, usual 11/3 -> -2/3
        //   at 4: recent (2 + 4) / 2, usual (4 + 2) / 2 -> 0
        // b has no other rating -> 0
        assertArrayEquals(new float[] {0, -0.5f, -2f / 3, 0, 0}, d.train().feature("user_recent_rating"), 1e-6f);
        // valid: at 5, a's latest two are 5 and 2: 3.5 - 11/3; at 2, the 4 alone (the 2 is of the same moment)
        assertArrayEquals(new float[] {3.5f - 11f / 3, 4f - 11f / 3}, d.splits().get("valid").feature("user_recent_rating"), 1e-6f);
        // test: b at 1 is before b's only rating -> 0; c (cold) has none -> 0
        assertArrayEquals(new float[] {0}, d.splits().get("test").feature("user_recent_rating"));
        assertArrayEquals(new float[] {0}, d.splits().get("test_cold_user").feature("user_recent_rating"));
        // the table: after each user's last rating (a: 3.5 - 11/3; b: 3 - 3; c: none)
        assertEquals(List.of("a", "b", "c"), d.users().rawIds());
        assertArrayEquals(new float[] {3.5f - 11f / 3, 0, 0}, d.users().dense("user_recent_rating"), 1e-6f);

        assertEquals("user_recent_rating", d.description().get("recent"));
        assertEquals("rating", d.description().get("feature.user_recent_rating.label"));
        assertEquals("2", d.description().get("feature.user_recent_rating.window"));
        assertEquals("4", d.description().get("feature.user_recent_rating.trainingRows"));
    }

    @Test
    void recentValuesOfTwoLabelsAndContextTogether() throws IOException {
        write("rows.csv", """
                user,item,rating,click,ts,device
                a,x1,4,1,2024-03-01,web
                a,x2,2,0,2024-03-01T12:00:00Z,tv
                a,x3,5,1,2024-03-02,web
                """);
        Dataset d = load(params("interactions", interactions("rows.csv", "context", params("categorical", List.of("device"))),
                "split", params("valid", 0.0, "test", 0.0),
                "recent", List.of(params("label", "rating", "window", 1), params("label", "click", "window", 1))));
        assertEquals(List.of("user_id", "item_id", "user_device", "user_recent_rating", "user_recent_click"),
                d.features().stream().map(FeatureSpec::name).toList());
        // window 1, ISO times: each row's latest earlier value minus the mean of the others
        //   ratings: row 1: none -> 0; row 2: 4 - 4.5; row 3: 2 - 3
        assertArrayEquals(new float[] {0, -0.5f, -1}, d.train().feature("user_recent_rating"), 1e-6f);
        //   clicks: row 1: 0; row 2: 1 - 1; row 3: 0 - 0.5
        assertArrayEquals(new float[] {0, 0, -0.5f}, d.train().feature("user_recent_click"), 1e-6f);
        assertArrayEquals(new float[] {5 - 11f / 3}, d.users().dense("user_recent_rating"), 1e-6f);
        assertEquals("user_recent_rating,user_recent_click", d.description().get("recent"));
    }

    @Test
    void timestampsKeepEveryDigit() throws IOException {
        // each user's latest row comes first in the file: only a fraction of a second (a), the last
        // digit of a count of nanoseconds (b, beyond a double's precision) or a decimal's last digit (c)
        // tells; dates and numbers are two files, as a column holds one form
        write("dates.csv", """
                user,item,rating,click,ts
                a,x1,5,,2026-01-01T00:00:00.9Z
                a,x2,1,,2026-01-01T00:00:00.1Z
                a,x3,2,,2026-01-01T00:00:00Z
                """);
        Dataset dates = load(params("interactions", interactions("dates.csv"), "split", params("by", "last", "coldSlices", false)));
        assertArrayEquals(new float[] {5}, dates.splits().get("test").label("rating"));
        assertArrayEquals(new float[] {1}, dates.splits().get("valid").label("rating"));
        write("rows.csv", """
                user,item,rating,click,ts
                b,x1,4,,1767225600000000009
                b,x2,1,,1767225600000000001
                b,x3,2,,1767225600000000000
                c,x1,3,,1767225600.000000000002
                c,x2,1,,1767225600.000000000001
                c,x3,2,,1767225600
                """);
        Dataset d = load(params("interactions", interactions("rows.csv"), "split", params("by", "last", "coldSlices", false)));
        assertArrayEquals(new float[] {4, 3}, d.splits().get("test").label("rating"));
        assertArrayEquals(new float[] {1, 1}, d.splits().get("valid").label("rating"));
    }

    @Test
    void recentValuesOrderRowsOfSeveralFilesByEveryDigit() throws IOException {
        // nanoseconds since 1970: the valid row falls between a's two training ratings by its last digit
        write("train.csv", "user,item,rating,click,ts\na,x1,4,,1767225600000000001\na,x2,2,,1767225600000000003\n");
        write("valid.csv", "user,item,rating,click,ts\na,x2,3,,1767225600000000002\n");
        write("test.csv", "user,item,rating,click,ts\na,x1,3,,1767225600000000004\n");
        Dataset d = load(params("interactions", interactions("train.csv"),
                "split", params("by", "files", "validFile", "valid.csv", "testFile", "test.csv"),
                "recent", List.of(params("label", "rating", "window", 1))));
        // valid: after the 4 only (4 - 3); test: after the 2 (2 - 3). Rounded to doubles, all four are one moment
        assertArrayEquals(new float[] {1}, d.splits().get("valid").feature("user_recent_rating"), 1e-6f);
        assertArrayEquals(new float[] {-1}, d.splits().get("test").feature("user_recent_rating"), 1e-6f);
    }
}
