package dev.taskweave.plugins.files;

import static dev.taskweave.testkit.PluginConfigs.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.DataException;
import dev.taskweave.api.data.DataContext;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.testkit.PluginConfigs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: every error names the file, the line where there is one, and what was expected. */
class FilesErrorsTest {
    @TempDir
    Path dir;

    static final String GOOD = "user,item,rating\nu1,i1,4\nu2,i1,3\n";

    DataException fails(String interactions, Map<String, Object> extra) throws IOException {
        Files.writeString(dir.resolve("rows.csv"), interactions, StandardCharsets.UTF_8);
        Map<String, Object> p = params("interactions", params("file", "rows.csv", "user", "user", "item", "item",
                "labels", params("rating", "rating")), "split", params("valid", 0.0, "test", 0.0));
        p.putAll(extra);
        FilesConfig config = PluginConfigs.bindValid(p, FilesConfig.class);
        return assertThrows(DataException.class, () -> new FilesDatasetFactory().create(config, new DataContext(dir, 1)).load());
    }

    void assertMessage(DataException e, String file, long line, String... parts) {
        assertEquals(dir.resolve(file).toString(), e.source(), e.getMessage());
        assertEquals(line, e.line(), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "expected '" + part + "' in: " + e.getMessage());
        }
    }

    @Test
    void missingFile() throws IOException {
        DataException e = fails(GOOD, params("users", params("file", "nowhere.csv", "id", "id")));
        assertMessage(e, "nowhere.csv", 0, "file not found");
    }

    @Test
    void wrongNumberOfFields() throws IOException {
        assertMessage(fails("user,item,rating\nu1,i1,4\n\nu2,i1\n", Map.of()), "rows.csv", 4,
                "expected 3 fields separated by ',' (user, item, rating), found 2");
    }

    @Test
    void aCompressedFileIsNamedAsSuchNotAsTextOfAnotherEncoding() throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(bytes)) {
            gz.write("user,item\nu1,i1\nu2,i1\n".repeat(50).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        Files.write(dir.resolve("rows.csv"), bytes.toByteArray());
        FilesConfig config = PluginConfigs.bindValid(params("interactions", params("file", "rows.csv", "user", "user", "item", "item"),
                "split", params("valid", 0.0, "test", 0.0)), FilesConfig.class);
        DataException e = assertThrows(DataException.class, () -> new FilesDatasetFactory().create(config, new DataContext(dir, 1)).load());
        assertTrue(e.getMessage().endsWith("rows.csv: a gzip file, not text: this plugin reads plain CSV or TSV; unpack it first"),
                e.getMessage());
        // text that merely begins like a signature ("BZh", bzip2's first three bytes) is text
        Files.writeString(dir.resolve("rows.csv"), "BZhuser,item\nu1,i1\nu2,i1\n");
        FilesConfig text = PluginConfigs.bindValid(params("interactions", params("file", "rows.csv", "user", "BZhuser", "item", "item"),
                "split", params("valid", 0.0, "test", 0.0)), FilesConfig.class);
        assertEquals(2, new FilesDatasetFactory().create(text, new DataContext(dir, 1)).load().train().size());
    }

    @Test
    void aRepeatedHeaderLineIsNoRecord() throws IOException {
        // two exports joined with their header lines: an implicit-feedback file would gain a user 'user'
        Files.writeString(dir.resolve("rows.csv"), "user,item\nu1,i1\nu2,i1\nuser,item\nu3,i2\n");
        FilesConfig config = PluginConfigs.bindValid(params("interactions", params("file", "rows.csv", "user", "user", "item", "item"),
                "split", params("valid", 0.0, "test", 0.0)), FilesConfig.class);
        DataException e = assertThrows(DataException.class, () -> new FilesDatasetFactory().create(config, new DataContext(dir, 1)).load());
        assertMessage(e, "rows.csv", 4, "this line repeats the column names [user, item] of the header line, where a record is expected");
        // two spreadsheet exports joined: the second header starts with its byte order mark, which no strip() removes
        Files.writeString(dir.resolve("rows.csv"), "\uFEFFuser,item\nu1,i1\n\uFEFFuser,item\nu3,i2\n");
        DataException marked = assertThrows(DataException.class, () -> new FilesDatasetFactory().create(config, new DataContext(dir, 1)).load());
        assertMessage(marked, "rows.csv", 3, "this line repeats the column names [user, item] of the header line, where a record is expected");
        // with the names configured, a line repeating them past the first is refused too
        Files.writeString(dir.resolve("rows.csv"), "u1,i1\nu,i\n");
        FilesConfig named = PluginConfigs.bindValid(params("interactions", params("file", "rows.csv", "user", "u", "item", "i",
                "columns", List.of("u", "i")), "split", params("valid", 0.0, "test", 0.0)), FilesConfig.class);
        DataException n = assertThrows(DataException.class, () -> new FilesDatasetFactory().create(named, new DataContext(dir, 1)).load());
        assertMessage(n, "rows.csv", 2, "repeats the column names [u, i] of data.params.interactions.columns");
    }

    @Test
    void aDirectoryIsNoFile() throws IOException {
        Files.createDirectories(dir.resolve("users"));
        assertMessage(fails(GOOD, params("users", params("file", "users", "id", "id"))), "users", 0, "is a directory; expected a file");
    }

    @Test
    void aUtf16FileIsNamedAsOne() throws IOException {
        // a spreadsheet's "Unicode text" export: UTF-16 with a byte order mark
        Files.write(dir.resolve("users.csv"), "\uFEFFid,age\nu1,3\n".getBytes(StandardCharsets.UTF_16LE));
        DataException e = fails(GOOD, params("users", params("file", "users.csv", "id", "id", "numeric", List.of("age"))));
        assertMessage(e, "users.csv", 1, "not valid UTF-8 text (the file starts with a UTF-16 byte order mark: set encoding: UTF-16)");
        FilesConfig config = PluginConfigs.bindValid(params("interactions", params("file", "rows.csv", "user", "user", "item", "item",
                "labels", params("rating", "rating")), "split", params("valid", 0.0, "test", 0.0),
                "users", params("file", "users.csv", "id", "id", "numeric", List.of("age"), "encoding", "UTF-16")), FilesConfig.class);
        assertEquals(2, new FilesDatasetFactory().create(config, new DataContext(dir, 1)).load().users().size());
    }

    @Test
    void aMultiValuedColumnTooWideForOneArrayIsRefused() throws IOException {
        // 46,341 items with a tag each of their own: 46,341 x 46,341 one-hot numbers pass 2^31
        StringBuilder items = new StringBuilder("id,tags\n");
        StringBuilder rows = new StringBuilder("user,item,rating\n");
        for (int i = 0; i < 46_341; i++) {
            items.append('i').append(i).append(",t").append(i).append('\n');
        }
        rows.append("u1,i0,4\nu2,i1,3\n");
        Files.writeString(dir.resolve("items.csv"), items);
        DataException e = fails(rows.toString(), params("items", params("file", "items.csv", "id", "id",
                "multiValued", params("tags", "|"))));
        assertMessage(e, "items.csv", 0, "column 'tags' (feature item_tags) has 46341 distinct values over 46341 entities",
                "raise minCount (now 1)");
    }

    @Test
    void badLabel() throws IOException {
        assertMessage(fails("user,item,rating\nu1,i1,4\nu2,i1,four\n", Map.of()), "rows.csv", 3,
                "column 'rating': expected a label (a finite number, true or false, or an empty cell for no label), found 'four'");
        assertMessage(fails("user,item,rating\nu1,i1,NaN\n", Map.of()), "rows.csv", 2, "found 'NaN'");
    }

    @Test
    void numbersAreDecimalNotJavasOtherForms() throws IOException {
        // Java's parseDouble also reads hexadecimal (0x1p0 = 1) and type suffixes (1.5f, 2d)
        for (String cell : List.of("0x1p0", "0x1.4p2", "-0X1P-2", "1.5f", "2d", "1.5F", "2D", "Infinity", "1_000", "1,5")) {
            assertMessage(fails("user,item,rating\nu1,i1,4\nu2,i1,\"" + cell + "\"\n", Map.of()), "rows.csv", 3,
                    "column 'rating': expected a label (a finite number, true or false, or an empty cell for no label), found '"
                            + cell + "'");
        }
        Files.writeString(dir.resolve("users.csv"), "id,age\nu1,3\nu2,0x1.4p2\n");
        assertMessage(fails(GOOD, params("users", params("file", "users.csv", "id", "id", "numeric", List.of("age")))),
                "users.csv", 3, "column 'age' (feature user_age): expected a finite number or an empty cell, found '0x1.4p2'");
        assertMessage(fails("user,item,rating,hour\nu1,i1,4,0x1p0\n", withContext(params("numeric", List.of("hour")))), "rows.csv", 2,
                "column 'hour': expected a finite number or an empty cell, found '0x1p0'");
        Files.writeString(dir.resolve("rows.csv"), "user,item,rating,ts\nu1,i1,4,0x1p0\n");
        FilesConfig timed = PluginConfigs.bindValid(params("interactions", params("file", "rows.csv", "user", "user", "item", "item",
                "timestamp", "ts")), FilesConfig.class);
        assertMessage(assertThrows(DataException.class, () -> new FilesSource(timed, new DataContext(dir, 1)).load()), "rows.csv", 2,
                "column 'ts': expected a timestamp", "found '0x1p0'");
        // every decimal form stays a number
        Files.writeString(dir.resolve("rows.csv"), "user,item,rating\nu1,i1,.5\nu2,i1,1.\nu3,i1,+2\nu4,i1,-1E-3\n");
        FilesConfig config = PluginConfigs.bindValid(params("interactions", params("file", "rows.csv", "user", "user", "item", "item",
                "labels", params("rating", "rating")), "split", params("valid", 0.0, "test", 0.0)), FilesConfig.class);
        Dataset d = new FilesDatasetFactory().create(config, new DataContext(dir, 1)).load();
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {0.5f, 1f, 2f, -0.001f}, d.train().label("rating"));
    }

    @Test
    void emptyId() throws IOException {
        assertMessage(fails("user,item,rating\nu1,,4\n", Map.of()), "rows.csv", 2, "column 'item' is empty");
    }

    @Test
    void unknownColumnListsTheFilesColumns() throws IOException {
        Files.writeString(dir.resolve("rows.csv"), GOOD);
        DataException e = fails("user,item,stars\nu1,i1,4\n", Map.of());
        assertMessage(e, "rows.csv", 0, "data.params.interactions.labels.rating names column 'rating', which the file does not "
                + "have; its columns are [user, item, stars]");
    }

    @Test
    void badTimestamp() throws IOException {
        Files.writeString(dir.resolve("rows.csv"), "user,item,rating,ts\nu1,i1,4,2024-13-01\n");
        FilesConfig config = PluginConfigs.bindValid(params("interactions", params("file", "rows.csv", "user", "user", "item", "item",
                "timestamp", "ts")), FilesConfig.class);
        DataException e = assertThrows(DataException.class, () -> new FilesSource(config, new DataContext(dir, 1)).load());
        assertMessage(e, "rows.csv", 2, "column 'ts': expected a timestamp", "found '2024-13-01'");
    }

    @Test
    void aTimestampColumnMixingNumbersAndDatesIsRefused() throws IOException {
        // an epoch count in milliseconds among ISO dates would sort as the latest row (and a date among
        // numbers would be read as seconds): the time split and the ranking lists would follow it
        Map<String, Object> timed = Map.of("interactions", params("file", "rows.csv", "user", "user", "item", "item",
                "timestamp", "ts", "labels", params("rating", "rating")));
        assertMessage(fails("user,item,rating,ts\nu1,i1,4,2025-12-01\nu2,i1,3,2025-12-02T10:00:00Z\nu1,i2,5,1767225600000\n",
                timed), "rows.csv", 4, "column 'ts': timestamp '1767225600000' is a number but earlier rows (line 2) hold ISO dates; "
                + "a column must use one form");
        assertMessage(fails("user,item,rating,ts\nu1,i1,4,1764547200\nu2,i1,3,2026-01-01\n", timed), "rows.csv", 3,
                "column 'ts': timestamp '2026-01-01' is an ISO date but earlier rows (line 2) hold numbers; a column must use one form");
        // the split files of by: files order their rows against the interactions file's
        Files.writeString(dir.resolve("test.csv"), "user,item,rating,ts\nu1,i1,4,2026-01-01\n");
        Map<String, Object> files = new java.util.HashMap<>(timed);
        files.put("split", params("by", "files", "testFile", "test.csv"));
        assertMessage(fails("user,item,rating,ts\nu1,i1,4,1764547200\n", files), "test.csv", 2, "column 'ts': timestamp '2026-01-01' "
                + "is an ISO date but the rows of " + dir.resolve("rows.csv") + " (line 2) hold numbers");
    }

    @Test
    void duplicateEntity() throws IOException {
        Files.writeString(dir.resolve("users.csv"), "id,age\nu1,3\nu2,4\nu1,5\n");
        DataException e = fails(GOOD, params("users", params("file", "users.csv", "id", "id", "numeric", List.of("age"))));
        assertMessage(e, "users.csv", 4, "user 'u1' is listed twice (first on line 2)");
    }

    @Test
    void badNumericAndFlag() throws IOException {
        Files.writeString(dir.resolve("users.csv"), "id,age\nu1,3\nu2,old\n");
        assertMessage(fails(GOOD, params("users", params("file", "users.csv", "id", "id", "numeric", List.of("age")))),
                "users.csv", 3, "column 'age' (feature user_age): expected a finite number or an empty cell, found 'old'");
        // the column as the file names it, and the feature it gives
        Files.writeString(dir.resolve("users.csv"), "id,Age Group\nu1,12\nu2,x1\n");
        assertMessage(fails(GOOD, params("users", params("file", "users.csv", "id", "id", "numeric", List.of("Age Group")))),
                "users.csv", 3, "column 'Age Group' (feature user_age_group): expected a finite number or an empty cell, found 'x1'");
        Files.writeString(dir.resolve("items.csv"), "id,a,b\ni1,1,0\ni2,1,yes\n");
        assertMessage(fails(GOOD, params("items", params("file", "items.csv", "id", "id", "flags", params("g", List.of("a", "b"))))),
                "items.csv", 3, "feature item_g, column 'b': expected a flag (0, 1, true or false), found 'yes'");
    }

    @Test
    void logOfANumberAtMostMinusOne() throws IOException {
        Files.writeString(dir.resolve("items.csv"), "id,price\ni1,3\ni2,-1\n");
        assertMessage(fails(GOOD, params("items", params("file", "items.csv", "id", "id", "numeric", List.of("price"),
                "log", List.of("price")))), "items.csv", 3, "column 'price' (feature item_price) is read as log(1 + x), which needs x > -1; found -1");
    }

    static Map<String, Object> withContext(Map<String, Object> context, Object... more) {
        Map<String, Object> p = params("interactions", params("file", "rows.csv", "user", "user", "item", "item",
                "labels", params("rating", "rating"), "context", context));
        for (int k = 0; k < more.length; k += 2) {
            p.put((String) more[k], more[k + 1]);
        }
        return p;
    }

    @Test
    void contextColumns() throws IOException {
        String rows = "user,item,rating,hour\nu1,i1,4,3\nu2,i1,3,late\n";
        assertMessage(fails(rows, withContext(params("categorical", List.of("device")))), "rows.csv", 0,
                "data.params.interactions.context.categorical[0] names column 'device', which the file does not have; "
                        + "its columns are [user, item, rating, hour]");
        assertMessage(fails(rows, withContext(params("numeric", List.of("hour")))), "rows.csv", 3,
                "column 'hour': expected a finite number or an empty cell, found 'late'");
        assertMessage(fails("user,item,rating,hour\nu1,i1,4,-1\n", withContext(params("numeric", List.of("hour"),
                "log", List.of("hour")))), "rows.csv", 2, "column 'hour' is read as log(1 + x), which needs x > -1; found -1");
        // a test file of by: files needs the context columns too
        Files.writeString(dir.resolve("test.csv"), "user,item,rating\nu1,i1,4\n");
        assertMessage(fails("user,item,rating,hour\nu1,i1,4,3\n", withContext(params("numeric", List.of("hour")),
                "split", params("by", "files", "testFile", "test.csv"))), "test.csv", 0,
                "data.params.interactions.context.numeric[0] names column 'hour', which the file does not have");
    }

    @Test
    void wrongEncoding() throws IOException {
        byte[] latin1 = "user,item,rating\nu1,Amélie,4\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(dir.resolve("latin.csv"), latin1);
        FilesConfig config = PluginConfigs.bindValid(params("interactions", params("file", "latin.csv", "user", "user", "item", "item")),
                FilesConfig.class);
        DataException e = assertThrows(DataException.class, () -> new FilesSource(config, new DataContext(dir, 1)).load());
        assertEquals(dir.resolve("latin.csv").toString(), e.source());
        assertTrue(e.getMessage().contains("not valid UTF-8 text (set the file's encoding, for example encoding: ISO-8859-1)"),
                e.getMessage());
        FilesConfig latin = PluginConfigs.bindValid(params("interactions", params("file", "latin.csv", "user", "user", "item", "item",
                "encoding", "ISO-8859-1"), "split", params("valid", 0.0, "test", 0.0)), FilesConfig.class);
        assertEquals("Amélie", new FilesSource(latin, new DataContext(dir, 1)).load().items().rawIds().get(0));
    }

    @Test
    void unterminatedQuote() throws IOException {
        // the broken record starts on line 3; the parser gives up at the end of the file
        DataException e = fails("user,item,rating\nu1,i1,4\nu1,\"i1,4\nu2,i2,3\nu3,i3,3\n", Map.of());
        assertEquals(dir.resolve("rows.csv") + ":3: a quoted field opened on line 3 is never closed: the file ends inside it (a quote "
                + "mark inside a quoted field is written twice, \"\"; in a file whose quote marks are text, set quote: \"\")",
                e.getMessage());
        assertMessage(fails("user,item,rating\nu1,i1,4\nu1,\"i1\"x,4\n", Map.of()), "rows.csv", 3,
                "a quoted field's closing quote is followed by other text than the delimiter: a quote mark inside a quoted field is "
                        + "written twice");
    }

    @Test
    void aBrokenRecordIsNamedAtTheLineItStartsOn() throws IOException {
        // empty lines (and a line of spaces) before it are not its lines: was line 3, counted from the last record read
        for (String end : List.of("\n", "\r\n", "\r")) {
            DataException e = fails(String.join(end, "user,item,rating", "u1,i1,4", "", "", "u2,\"i1,4", "u3,i3,3", ""), Map.of());
            assertMessage(e, "rows.csv", 5, "a quoted field opened on line 5 is never closed");
            assertFalse(e.getMessage().contains("EOF") || e.getMessage().contains("startline"), e.getMessage());
            assertMessage(fails(String.join(end, "user,item,rating", "u1,i1,4", "   ", "", "u2,\"i\"1,4", ""), Map.of()), "rows.csv", 5,
                    "closing quote is followed by other text");
        }
        // a record carried over lines by a closed quoted field, then a field that stays open: the record's line, and the field's
        assertMessage(fails("user,item,rating\nu1,i1,4\n\nu2,\"i\n2\",\"4\n\nu3,i3,3\n", Map.of()), "rows.csv", 4,
                "a quoted field opened on line 5 is never closed");
        // the closing quote's stray text on a later line than the record's first
        assertMessage(fails("user,item,rating\nu1,\"i\n1\"x,4\n", Map.of()), "rows.csv", 2,
                "closing quote is followed by other text than the delimiter (on line 3)");
        // in the header line
        assertMessage(fails("\n\nuser,\"item,rating\nu1,i1,4\n", Map.of()), "rows.csv", 3, "a quoted field opened on line 3");
    }

    @Test
    void aRecordOverSeveralLinesIsNamedAtItsFirstLine() throws IOException {
        // quoted line breaks carry records over lines 2-3 and 5-7: an error in either names its first line (was its last)
        String rows = "user,item,rating\nu1,\"two\nlines\",4\n\nu2,\"three\r\nline\rbreaks\",four\n";
        assertMessage(fails(rows, Map.of()), "rows.csv", 5, "column 'rating': expected a label", "found 'four'");
        assertMessage(fails("user,item,rating\nu1,\"two\nlines\",4\nu2,i2\n", Map.of()), "rows.csv", 4, "expected 3 fields");
        assertMessage(fails("user,item,rating\nu1,i1,4\n\n\"u\n2\",,4\n", Map.of()), "rows.csv", 4, "column 'item' is empty");
        // side files: duplicates name both records' first lines
        Files.writeString(dir.resolve("users.csv"), "id,bio\nu1,\"a\nb\"\n\nu2,c\n\"u1\",\"d\ne\nf\"\n");
        assertMessage(fails(GOOD, params("users", params("file", "users.csv", "id", "id", "categorical", List.of("bio")))),
                "users.csv", 6, "user 'u1' is listed twice (first on line 2)");
    }

    @Test
    void wrongEncodingNamesTheLine() throws IOException {
        // the decoder reads far ahead of the parser: the line is found in the file itself
        StringBuilder rows = new StringBuilder("user,item,rating\n");
        for (int r = 0; r < 500; r++) {
            rows.append("u").append(r).append(",i1,4\n");
        }
        rows.append("u1,Amélie,4\n");
        Files.write(dir.resolve("latin.csv"), rows.toString().getBytes(StandardCharsets.ISO_8859_1));
        FilesConfig config = PluginConfigs.bindValid(params("interactions", params("file", "latin.csv", "user", "user", "item", "item")),
                FilesConfig.class);
        DataException e = assertThrows(DataException.class, () -> new FilesSource(config, new DataContext(dir, 1)).load());
        assertMessage(e, "latin.csv", 502, "not valid UTF-8 text");
        // lines ended by a carriage return alone (the parser reads them so): was line 1
        Files.write(dir.resolve("latin.csv"), rows.toString().replace('\n', '\r').getBytes(StandardCharsets.ISO_8859_1));
        DataException cr = assertThrows(DataException.class, () -> new FilesSource(config, new DataContext(dir, 1)).load());
        assertMessage(cr, "latin.csv", 502, "not valid UTF-8 text");
    }

    @Test
    void aHeaderLineInAFileWithConfiguredColumns() throws IOException {
        DataException e = fails(GOOD, Map.of("interactions", params("file", "rows.csv", "user", "user", "item", "item",
                "columns", List.of("user", "item", "rating"), "labels", params("rating", "rating"))));
        assertMessage(e, "rows.csv", 1, "this line repeats the column names of data.params.interactions.columns: the file has a "
                + "header line");
    }

    @Test
    void labelsAndNumbersBeyondSinglePrecision() throws IOException {
        assertMessage(fails("user,item,rating\nu1,i1,4\nu2,i1,1e39\n", Map.of()), "rows.csv", 3, "expected a label", "found '1e39'");
        Files.writeString(dir.resolve("users.csv"), "id,age\nu1,30\nu2,1e200\n");
        assertMessage(fails(GOOD, params("users", params("file", "users.csv", "id", "id", "numeric", List.of("age")))),
                "users.csv", 3, "expected a finite number or an empty cell, found '1e200'");
    }

    @Test
    void spacesAroundQuotedFieldsAndLinesOfSpaces() throws IOException {
        Files.writeString(dir.resolve("rows.csv"), "user,item,rating\nu1, \"i1\" ,4\n   \nu2,i1,3\n");
        FilesConfig config = PluginConfigs.bindValid(params("interactions", params("file", "rows.csv", "user", "user", "item", "item",
                "labels", params("rating", "rating")), "split", params("valid", 0.0, "test", 0.0)), FilesConfig.class);
        Dataset d = new FilesDatasetFactory().create(config, new DataContext(dir, 1)).load();
        assertEquals(List.of("i1"), d.items().rawIds());
        assertEquals(2, d.train().size());
    }

    @Test
    void headerProblems() throws IOException {
        assertMessage(fails("", Map.of()), "rows.csv", 0, "empty file: expected a first line naming the columns "
                + "(or list them in data.params.interactions.columns)");
        // a name the configuration uses, given twice, is ambiguous
        assertMessage(fails("user,item,user\nu1,i1,u1\n", Map.of()), "rows.csv", 1, "data.params.interactions.user names column 'user',"
                + " which the header line names twice (columns 1 and 3): rename one");
    }

    @Test
    void columnsTheConfigurationDoesNotNameMayBeUnnamedOrRepeated() throws IOException {
        // pandas' to_csv() writes its index as a first column without a name; some exports end every
        // line with the delimiter: neither column is named by the configuration, so both are read past
        Files.writeString(dir.resolve("rows.csv"), ",user,item,note,note,\n0,u1,i1,a,b,\n1,u2,i1,c,d,\n2,u1,i2,e,f,\n");
        FilesConfig config = PluginConfigs.bindValid(params("interactions", params("file", "rows.csv", "user", "user", "item", "item"),
                "split", params("valid", 0.0, "test", 0.0)), FilesConfig.class);
        Dataset d = new FilesDatasetFactory().create(config, new DataContext(dir, 1)).load();
        assertEquals(3, d.train().size());
        assertEquals(List.of("u1", "u2"), d.users().rawIds());
    }

    @Test
    void nothingLeftToTrainOn() throws IOException {
        Files.writeString(dir.resolve("rows.csv"), "user,item\nu1,i1\nu2,i1\n");
        FilesConfig config = PluginConfigs.bindValid(params("interactions", params("file", "rows.csv", "user", "user", "item", "item"),
                "split", params("valid", 0.5, "test", 0.4)), FilesConfig.class);
        DataException e = assertThrows(DataException.class, () -> new FilesSource(config, new DataContext(dir, 1)).load());
        assertTrue(e.getMessage().contains("no row is left to train on (2 rows, random split)"), e.getMessage());
        // a file of a header only says so, whatever the shares
        Files.writeString(dir.resolve("rows.csv"), "user,item\n");
        FilesConfig empty = PluginConfigs.bindValid(params("interactions", params("file", "rows.csv", "user", "user", "item", "item")),
                FilesConfig.class);
        DataException none = assertThrows(DataException.class, () -> new FilesSource(empty, new DataContext(dir, 1)).load());
        assertTrue(none.getMessage().contains("no row is left to train on (0 rows, random split)"), none.getMessage());
    }

    @Test
    void aShareThatRoundsToNothing() throws IOException {
        assertMessage(fails(GOOD, Map.of("split", params("by", "random", "valid", 0.1, "test", 0.0))), "rows.csv", 0,
                "data.params.split.valid: a share of 0.1 of the 2 rows is none; set a larger share, or 0 for none");
        assertMessage(fails(GOOD, Map.of("split", params("valid", 0.0, "test", 0.0, "coldUsers", 0.2))), "rows.csv", 0,
                "data.params.split.coldUsers: a share of 0.2 of the 2 users is none");
    }

    @Test
    void anAttributeShareThatRoundsToNothing() throws IOException {
        // 3 items with a category: 0.1 of them rounds to none, and the attribute would never be evaluated
        Files.writeString(dir.resolve("items.csv"), "id,category\ni1,a\ni2,b\ni3,a\n");
        Map<String, Object> items = params("file", "items.csv", "id", "id", "categorical", List.of("category"));
        assertMessage(fails(GOOD, params("items", items, "attributes", List.of("item_category"), "attributeHoldout", 0.1)),
                "items.csv", 0, "data.params.attributeHoldout: a share of 0.1 of the 3 items with an attribute value is none; "
                        + "set a larger share, or 0 for none");
        assertMessage(fails(GOOD, params("items", items, "attributes", List.of("item_category"), "attributeHoldout", 0.2,
                "attributeValid", 0.1)), "items.csv", 0, "data.params.attributeValid: a share of 0.1 of the 3 items with an "
                + "attribute value is none");
        // one item each
        Files.writeString(dir.resolve("rows.csv"), GOOD);
        FilesConfig config = PluginConfigs.bindValid(params("interactions", params("file", "rows.csv", "user", "user", "item", "item",
                "labels", params("rating", "rating")), "split", params("valid", 0.0, "test", 0.0), "items", items,
                "attributes", List.of("item_category"), "attributeHoldout", 0.2, "attributeValid", 0.2), FilesConfig.class);
        Dataset d = new FilesDatasetFactory().create(config, new DataContext(dir, 1)).load();
        assertEquals(1, d.attributeEvaluation().get("attribute_test").get("item_category").length);
        assertEquals(1, d.attributeEvaluation().get(Dataset.VALID).get("item_category").length);
    }

    @Test
    void splitFilesOfTheirOwn() throws IOException {
        Files.writeString(dir.resolve("valid.csv"), "user,item,rating\n");
        assertMessage(fails(GOOD, Map.of("split", params("by", "files", "validFile", "valid.csv"))), "valid.csv", 0,
                "no data rows (data.params.split.validFile): the split would be empty");
        assertMessage(fails(GOOD, Map.of("split", params("by", "files", "testFile", "./rows.csv"))), "rows.csv", 0,
                "data.params.split.testFile names the file data.params.interactions.file names");
    }

    /** @return a source of four ratings of two users, whose users file is {@code users} with {@code categorical} columns */
    private FilesSource withUsers(String users, List<String> categorical) throws IOException {
        return withUsers(users, "categorical", categorical);
    }

    /** @return a source of four ratings of two users, whose users file is {@code users} with one setting of its features */
    private FilesSource withUsers(String users, String kind, Object columns) throws IOException {
        Files.writeString(dir.resolve("rows.csv"), "user,item,rating\nu1,i1,4\nu2,i1,3\nu1,i2,5\nu2,i2,2\n");
        Files.writeString(dir.resolve("users.csv"), users);
        FilesConfig config = PluginConfigs.bindValid(params("interactions", params("file", "rows.csv", "user", "user", "item", "item",
                "labels", params("rating", "rating")), "split", params("by", "random", "valid", 0.25, "test", 0.25),
                "users", params("file", "users.csv", "id", "user", kind, columns)), FilesConfig.class);
        return new FilesSource(config, new DataContext(dir, 1));
    }

    @Test
    void aSideFileWithAHeaderAloneLoadsUnlessAFeatureNeedsValues() throws IOException {
        // a catalogue whose side table is still empty: every user is unknown, and check warns (as before)
        Dataset d = withUsers("user,country\n", List.of("country")).load();
        assertEquals(2, d.users().size());
        // a multi-valued feature needs values to have columns: refused, saying why
        FilesSource multiValued = withUsers("user,interests\n", "multiValued", params("interests", "|"));
        DataException e = assertThrows(DataException.class, multiValued::load);
        assertTrue(e.getMessage().endsWith("column 'interests' (feature user_interests) has no value in any row (the file has no data"
                + " rows, only its header)"), e.getMessage());
    }

    @Test
    void anIdColumnListedAsAFeatureIsAWarningOfTheData() throws IOException {
        Dataset d = withUsers("user,country\nu1,DE\nu2,FR\n", List.of("country", "user")).load();
        assertTrue(d.description().get("warning.usersIdAsFeature").startsWith("data.params.users.categorical[1]: column 'user' is the"
                + " id column"), d.description().toString());
        assertTrue(d.features().stream().anyMatch(f -> f.name().equals("user_user")), "still read, as a model trained so reads it");
    }

    @Test
    void repeatedRowsAcrossSplitFilesAreAWarning() throws IOException {
        Files.writeString(dir.resolve("rows.csv"), "user,item,rating,ts\nu1,i1,4,1\nu2,i1,3,2\nu1,i2,5,3\n");
        Files.writeString(dir.resolve("test.csv"), "user,item,rating,ts\nu1,i1,4,1\nu2,i1,3,5\n");
        FilesConfig config = PluginConfigs.bindValid(params("interactions", params("file", "rows.csv", "user", "user", "item", "item",
                "timestamp", "ts", "labels", params("rating", "rating")), "split", params("by", "files", "testFile", "test.csv")),
                FilesConfig.class);
        Dataset d = new FilesSource(config, new DataContext(dir, 1)).load();
        assertEquals("1 test rows of test.csv repeat train rows (the same user, item and timestamp): they are evaluated on what "
                + "the model trained on", d.description().get("warning.repeatedRows"));
    }

    @Test
    void repeatedRowsHeldOutByColdUsersAreCountedToo() throws IOException {
        // the valid file repeats one row of each user; coldUsers moves one user's rows into test, where
        // its repeat was missed (the warning ran before the held-out rows joined test)
        Files.writeString(dir.resolve("rows.csv"), "user,item,rating,ts\nu1,i1,4,1\nu2,i1,3,2\nu1,i2,5,3\nu2,i2,2,4\n");
        Files.writeString(dir.resolve("valid.csv"), "user,item,rating,ts\nu1,i1,4,1\nu2,i1,3,2\n");
        FilesConfig config = PluginConfigs.bindValid(params("interactions", params("file", "rows.csv", "user", "user", "item", "item",
                "timestamp", "ts", "labels", params("rating", "rating")), "split", params("by", "files", "validFile", "valid.csv",
                "coldUsers", 0.5)), FilesConfig.class);
        Dataset d = new FilesSource(config, new DataContext(dir, 1)).load();
        Interactions cold = d.splits().get("test_cold_user");
        assertEquals(2, cold.size());
        String held = d.users().rawIds().get(cold.users()[0]);
        String kept = held.equals("u1") ? "u2" : "u1";
        assertEquals(2, d.train().size());
        for (int user : d.train().users()) {
            assertEquals(kept, d.users().rawIds().get(user));
        }
        assertEquals("1 valid rows of valid.csv repeat train rows, 1 test rows of rows.csv repeat valid rows (the same user, item "
                + "and timestamp): they are evaluated on what the model trained on and what it was validated on (early stopping, "
                + "calibration)", d.description().get("warning.repeatedRows"));
    }

    @Test
    void theUserAndTheItemAreTwoColumns() {
        var e = assertThrows(dev.taskweave.api.InvalidConfigException.class, () -> PluginConfigs.bindValid(params("interactions",
                params("file", "rows.csv", "user", "user", "item", "user")), FilesConfig.class));
        assertTrue(e.getMessage().contains("interactions.item: column 'user' is also the user column"), e.getMessage());
    }
}
