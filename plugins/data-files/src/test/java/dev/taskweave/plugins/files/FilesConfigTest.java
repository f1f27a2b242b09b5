package dev.taskweave.plugins.files;

import static dev.taskweave.testkit.PluginConfigs.assertInvalid;
import static dev.taskweave.testkit.PluginConfigs.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.data.Entity;
import dev.taskweave.testkit.PluginConfigs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FilesConfigTest {
    static Map<String, Object> base(Object... more) {
        Map<String, Object> p = params("interactions", params("file", "rows.csv", "user", "u", "item", "i",
                "labels", params("rating", "stars")));
        for (int k = 0; k < more.length; k += 2) {
            p.put((String) more[k], more[k + 1]);
        }
        return p;
    }

    static void invalid(Map<String, Object> params, String path, String reason) {
        InvalidConfigException e = assertInvalid(params, FilesConfig.class, path);
        assertTrue(e.reason().contains(reason), () -> "expected '" + reason + "' in: " + e.reason());
    }

    @Test
    void defaults() {
        FilesConfig c = PluginConfigs.bindValid(base(), FilesConfig.class);
        assertEquals(SplitConfig.By.RANDOM, c.split().by());
        assertEquals(0.1, c.split().validFraction());
        assertEquals(0.1, c.split().testFraction());
        assertTrue(c.split().coldSlices());
        assertEquals(FilesConfig.History.NONE, c.userHistory());
        assertNull(c.ranking());
        assertNull(c.seed());
        assertEquals(',', c.interactions().delimiterChar());
        assertEquals('"', c.interactions().quoteChar());
        assertEquals(Map.of("rating", "stars"), c.interactions().labels());
    }

    @Test
    void readingOptions() {
        FilesConfig tsv = PluginConfigs.bindValid(params("interactions", params("file", "rows.TSV", "user", "u", "item", "i")),
                FilesConfig.class);
        assertEquals('\t', tsv.interactions().delimiterChar());
        assertNull(tsv.interactions().quoteChar(), "tab-separated files are not quoted");
        FilesConfig pipe = PluginConfigs.bindValid(params("interactions", params("file", "u.user", "user", "u", "item", "i",
                "delimiter", "|", "quote", "")), FilesConfig.class);
        assertEquals('|', pipe.interactions().delimiterChar());
        assertNull(pipe.interactions().quoteChar());
        FilesConfig csv = PluginConfigs.bindValid(params("interactions", params("file", "x.tsv", "format", "csv", "user", "u", "item", "i")),
                FilesConfig.class);
        assertEquals(',', csv.interactions().delimiterChar());
    }

    static TableConfig table(Object... settings) {
        Map<String, Object> interactions = params("user", "u", "item", "i");
        for (int k = 0; k < settings.length; k += 2) {
            interactions.put((String) settings[k], settings[k + 1]);
        }
        return PluginConfigs.bindValid(params("interactions", interactions), FilesConfig.class).interactions();
    }

    @Test
    void theFormatDecidesTheDefaultQuoteWhateverTheDelimiter() {
        // a .csv file (or format: csv) is quoted, whatever its delimiter
        TableConfig tabbedCsv = table("file", "events.csv", "delimiter", "\t");
        assertEquals('\t', tabbedCsv.delimiterChar());
        assertEquals('"', tabbedCsv.quoteChar());
        assertEquals('"', table("file", "rows.tsv", "format", "csv", "delimiter", "\t").quoteChar());
        // a tsv file (format: tsv, or a .tsv / .tab name without a format) is not, whatever its delimiter
        TableConfig commaTsv = table("file", "events.csv", "format", "tsv", "delimiter", ",");
        assertEquals(',', commaTsv.delimiterChar());
        assertNull(commaTsv.quoteChar());
        assertNull(table("file", "rows.tab", "delimiter", ";").quoteChar());
        // an explicit quote wins either way
        assertEquals('\'', table("file", "rows.tsv", "quote", "'").quoteChar());
        assertNull(table("file", "events.csv", "delimiter", "\t", "quote", "").quoteChar());
        // no quote, so a tsv file may be separated by quote marks
        assertEquals('"', table("file", "rows.txt", "format", "tsv", "delimiter", "\"").delimiterChar());
    }

    @Test
    void aQuoteThatIsTheDelimiterAndLineBreaksAreRefused() {
        Map<String, Object> p = params("file", "rows.csv", "user", "u", "item", "i");
        // the quote meets the default delimiter: the quote is named
        p.put("quote", ",");
        invalid(params("interactions", p), "interactions.quote", "the quote character is also the delimiter ',' (the default of csv "
                + "files); expected another character, or an empty string for none");
        p.put("format", "tsv");
        p.put("quote", "\t");
        invalid(params("interactions", p), "interactions.quote", "the quote character is also the delimiter '\\t' (the default of tsv "
                + "files)");
        // the delimiter meets the default quote: the delimiter is named
        p.remove("format");
        p.remove("quote");
        p.put("delimiter", "\"");
        invalid(params("interactions", p), "interactions.delimiter", "'\"' is also the quote character (the default of csv files); "
                + "set quote to another character, or to an empty string for none");
        p.put("quote", "'");
        PluginConfigs.bindValid(params("interactions", p), FilesConfig.class);
        p.remove("quote");
        for (String lineBreak : List.of("\n", "\r")) {
            p.put("delimiter", lineBreak);
            invalid(params("interactions", p), "interactions.delimiter", "a line break ends a record and cannot also separate its fields");
        }
        p.put("delimiter", ";");
        p.put("quote", "\n");
        invalid(params("interactions", p), "interactions.quote", "a line break cannot be the quote character");
        // side files too
        invalid(base("users", params("file", "users.csv", "id", "id", "delimiter", "\"")), "users.delimiter",
                "is also the quote character");
    }

    @Test
    void interactionsErrors() {
        invalid(params(), "interactions", "required");
        invalid(params("interactions", params("user", "u", "item", "i")), "interactions.file", "required");
        invalid(params("interactions", params("file", "f", "item", "i")), "interactions.user", "required: the column holding the user id");
        invalid(params("interactions", params("file", "f", "user", "u")), "interactions.item", "required");
        invalid(params("interactions", params("file", "f", "user", "u", "item", "i", "format", "xlsx")), "interactions.format",
                "expected csv or tsv, got 'xlsx'");
        invalid(params("interactions", params("file", "f", "user", "u", "item", "i", "delimiter", "::")), "interactions.delimiter",
                "expected one character, got '::' (2 characters)");
        // '\t' in YAML's single quotes is a backslash and a t: the error says how to write a tab
        invalid(params("interactions", params("file", "f", "user", "u", "item", "i", "delimiter", "\\t")), "interactions.delimiter",
                "got '\\t' (2 characters): single quotes keep a backslash as written; write \"\\t\" in double quotes");
        invalid(params("interactions", params("file", "f", "user", "u", "item", "i", "delimiter", ";", "quote", ";")),
                "interactions.quote", "also the delimiter");
        invalid(params("interactions", params("file", "f", "user", "u", "item", "i", "encoding", "klingon")), "interactions.encoding",
                "unknown character set 'klingon'");
        invalid(params("interactions", params("file", "f", "user", "u", "item", "i", "columns", List.of("u", "i", "u"))),
                "interactions.columns[2]", "column 'u' is named twice");
        invalid(params("interactions", params("file", "f", "user", "u", "item", "i", "labels", params("observed", "o"))),
                "interactions.labels.observed", "the runtime's implicit-feedback label");
        invalid(params("interactions", params("file", "f", "user", "u", "item", "i", "labels", params("2nd", "o"))),
                "interactions.labels.2nd", "a label name is ASCII letters");
        assertThrows(IllegalArgumentException.class, () -> PluginConfigs.bind(
                params("interactions", params("file", "f", "user", "u", "item", "i", "lables", Map.of())), FilesConfig.class));
    }

    @Test
    void splitErrors() {
        invalid(base("split", params("valid", 1.0)), "split.valid", "expected a share of the rows in [0, 1), got 1.0");
        invalid(base("split", params("valid", 0.5, "test", 0.5)), "split.test", "valid + test must be below 1");
        invalid(base("split", params("by", "time")), "split.by", "needs interactions.timestamp");
        invalid(base("split", params("by", "last")), "split.by", "by: last needs interactions.timestamp");
        invalid(base("split", params("coldUsers", 0.6)), "split.coldUsers", "expected a share of the users in [0, 0.5], got 0.6");
        invalid(base("split", params("coldItems", 0.1, "coldSlices", false)), "split.coldItems", "coldSlices is false");
        invalid(base("split", params("by", "last", "valid", 0.1)), "split.valid", "not used with by: last");
        invalid(base("split", params("by", "files", "test", 0.2)), "split.test", "not used with by: files");
        invalid(base("split", params("testFile", "t.csv")), "split.testFile", "only used with by: files");
        assertThrows(IllegalArgumentException.class, () -> PluginConfigs.bind(base("split", params("by", "user")), FilesConfig.class));
        // left empty: worded as a bad value is, with the choices listed alike
        Map<String, Object> noBy = params();
        noBy.put("by", null);
        invalid(base("split", noBy), "split.by", "missing; expected one of [random, time, files, last]");
        invalid(base("history", null), "history", "missing; expected one of [none, implicit, values]");
        invalid(base("split", params("by", "files"), "ranking", params()), "ranking", "split.testFile is not set");
        invalid(base("ranking", params("negatives", 0)), "ranking.negatives", "expected an integer >= 1, got 0");
        invalid(base("split", params("test", 0.0), "ranking", params()), "ranking", "split.test is 0");
    }

    @Test
    void featureErrors() {
        invalid(base("users", params("file", "users.csv")), "users.id", "required");
        invalid(base("users", params("file", "users.csv", "id", "id", "categorical", List.of("Age", "age"))),
                "users.categorical[1]", "column 'age' would be feature user_age, as column 'Age' already is");
        invalid(base("items", params("file", "items.csv", "id", "code", "numeric", List.of("id"))), "items.numeric[0]",
                "would be feature item_id, a name the source keeps for itself");
        invalid(base("items", params("file", "items.csv", "id", "id", "categorical", List.of("---"))), "items.categorical[0]",
                "gives no feature name");
        invalid(base("items", params("file", "items.csv", "id", "id", "multiValued", params("tags", "||"))), "items.multiValued.tags",
                "expected the one character that separates the values");
        invalid(base("items", params("file", "items.csv", "id", "id", "flags", params("genres", List.of()))), "items.flags.genres",
                "expected a non-empty list of 0/1 columns");
        invalid(base("items", params("file", "items.csv", "id", "id", "flags", params("genres", List.of("comedy", "drama", "comedy")))),
                "items.flags.genres[2]", "column 'comedy' is listed twice (flags.genres[0]); each column is one flag of the feature");
        invalid(base("items", params("file", "items.csv", "id", "id", "flags", params("génres", List.of("a")))), "items.flags.génres",
                "a feature name is ASCII letters");
        PluginConfigs.bindValid(base("items", params("file", "items.csv", "id", "id", "flags", params("genres", List.of("a"),
                "moods", List.of("a", "b")))), FilesConfig.class);
        invalid(base("items", params("file", "items.csv", "id", "id", "numeric", List.of("price"), "log", List.of("brand"))),
                "items.log[0]", "'brand' is not one of the numeric columns [price]");
        invalid(base("items", params("file", "items.csv", "id", "id", "minCount", 0)), "items.minCount", "expected an integer >= 1, got 0");
    }

    @Test
    void theIdColumnAsAnotherFeatureIsAWarning() {
        // user_user would be a second user id, which id dropout and cold starts do not hide; a warning (not a refusal), so
        // that a model trained so keeps loading
        FilesConfig users = PluginConfigs.bindValid(base("users", params("file", "users.csv", "id", "user", "categorical",
                List.of("country", "plan", "user"))), FilesConfig.class);
        assertEquals("data.params.users.categorical[2]: column 'user' is the id column: the user ids are a feature already (user_id);"
                + " as another feature it is a second id, which id dropout and cold starts do not hide (remove it from the list)",
                users.users().idAsFeature(Entity.USER, "data.params.users"));
        FilesConfig numeric = PluginConfigs.bindValid(base("items", params("file", "items.csv", "id", "sku", "numeric", List.of("sku"))),
                FilesConfig.class);
        assertTrue(numeric.items().idAsFeature(Entity.ITEM, "data.params.items").startsWith("data.params.items.numeric[0]: column 'sku'"
                + " is the id column: the item ids are a feature already (item_id)"));
        FilesConfig multi = PluginConfigs.bindValid(base("items", params("file", "items.csv", "id", "sku", "multiValued",
                params("sku", "|"))), FilesConfig.class);
        assertTrue(multi.items().idAsFeature(Entity.ITEM, "p").startsWith("p.multiValued.sku: column 'sku' is the id column"));
        FilesConfig flags = PluginConfigs.bindValid(base("items", params("file", "items.csv", "id", "sku", "flags",
                params("g", List.of("a", "sku")))), FilesConfig.class);
        assertTrue(flags.items().idAsFeature(Entity.ITEM, "p").startsWith("p.flags.g[1]: column 'sku' is the id column"));
        FilesConfig fine = PluginConfigs.bindValid(base("items", params("file", "items.csv", "id", "sku", "categorical",
                List.of("brand"))), FilesConfig.class);
        assertEquals(null, fine.items().idAsFeature(Entity.ITEM, "p"));
    }

    @Test
    void historyAndAttributeErrors() {
        invalid(base("history", "values"), "historyLabel", "required with values histories");
        invalid(base("userHistory", "values", "historyLabel", "stars"), "historyLabel", "unknown label 'stars'; interactions.labels has [rating]");
        invalid(base("history", "implicit", "historyLabel", "rating"), "historyLabel", "only used by values histories");
        Map<String, Object> users = params("file", "users.csv", "id", "id", "categorical", List.of("segment"), "numeric", List.of("age"));
        invalid(base("users", users, "attributes", List.of("user_age")), "attributes[0]", "'user_age' is numeric");
        invalid(base("users", users, "attributes", List.of("segment")), "attributes[0]",
                "unknown feature 'segment'; an attribute is a categorical, multi-valued or flags feature of the users or items file, one of [user_segment]");
        invalid(base("users", users, "attributes", List.of("user_segment", "user_segment")), "attributes[1]", "listed twice");
        invalid(base("users", users, "attributes", List.of("user_segment"), "attributeHoldout", 0.6), "attributeHoldout", "[0, 0.5]");
        invalid(base("attributeHoldout", 0.1), "attributeHoldout", "attributes lists none");
        invalid(base("attributeValid", 0.1), "attributeValid", "attributes lists none");
        invalid(base("users", users, "attributes", List.of("user_segment"), "attributeHoldout", 0.3, "attributeValid", 0.3),
                "attributeValid", "attributeHoldout + attributeValid must be at most 0.5");
        PluginConfigs.bindValid(base("users", users, "attributes", List.of("user_segment"), "attributeHoldout", 0.1), FilesConfig.class);
    }

    @Test
    void contextAndRecentDefaults() {
        FilesConfig c = PluginConfigs.bindValid(base(), FilesConfig.class);
        assertNull(c.interactions().context());
        assertTrue(c.recent().isEmpty());
        Map<String, Object> p = base("recent", List.of(params("label", "rating", "window", 5)));
        interactions(p).put("timestamp", "ts");
        interactions(p).put("context", params("categorical", List.of("Device Type"), "numeric", List.of("hour")));
        FilesConfig full = PluginConfigs.bindValid(p, FilesConfig.class);
        ContextConfig context = full.interactions().context();
        assertEquals(List.of("Device Type"), context.categorical());
        assertEquals(List.of("hour"), context.numeric());
        assertTrue(context.standardize());
        assertEquals(1, context.minCount());
        assertTrue(context.log().isEmpty());
        assertEquals("rating", full.recent().get(0).label());
        assertEquals(5, full.recent().get(0).window());
        // the context columns and recent values are user features, named as the side files' are
        Map<String, FilesConfig.Feature> features = full.features();
        assertEquals(List.of("user_device_type", "user_hour", "user_recent_rating"), List.copyOf(features.keySet()));
        assertEquals(FilesConfig.Origin.CONTEXT, features.get("user_hour").origin());
        assertEquals(FilesConfig.Kind.NUMERIC, features.get("user_recent_rating").kind());
        assertTrue(features.get("user_recent_rating").perInteraction());
    }

    /** @return the interactions mapping of {@link #base} params, to add to */
    @SuppressWarnings("unchecked")
    static Map<String, Object> interactions(Map<String, Object> params) {
        return (Map<String, Object>) params.get("interactions");
    }

    static Map<String, Object> withContext(Map<String, Object> context, Object... more) {
        Map<String, Object> p = base(more);
        interactions(p).put("context", context);
        return p;
    }

    @Test
    void contextErrors() {
        invalid(withContext(params()), "interactions.context.categorical", "expected categorical or numeric columns");
        invalid(withContext(params("numeric", List.of("stars"))), "interactions.context.numeric[0]",
                "column 'stars' holds the label rating; as a feature the model would read the answer it is asked for");
        invalid(withContext(params("categorical", List.of("u"))), "interactions.context.categorical[0]",
                "column 'u' holds the user ids");
        invalid(withContext(params("categorical", List.of(""))), "interactions.context.categorical[0]", "expected a column name");
        invalid(withContext(params("numeric", List.of("hour"), "log", List.of("day"))), "interactions.context.log[0]",
                "'day' is not one of the numeric columns [hour]");
        invalid(withContext(params("categorical", List.of("device"), "minCount", 0)), "interactions.context.minCount",
                "expected an integer >= 1, got 0");
        invalid(withContext(params("categorical", List.of("hour"), "numeric", List.of("hour"))), "interactions.context.numeric[0]",
                "context column 'hour' would be feature user_hour, as context column 'hour' already is");
        invalid(withContext(params("categorical", List.of("device")), "users", params("file", "users.csv", "id", "id",
                "categorical", List.of("device"))), "interactions.context.categorical[0]",
                "context column 'device' would be feature user_device, as column 'device' already is");
        invalid(withContext(params("categorical", List.of("history"))), "interactions.context.categorical[0]",
                "would be feature user_history, a name the source keeps for itself");
        invalid(withContext(params("categorical", List.of("device")), "attributes", List.of("user_device")), "attributes[0]",
                "'user_device' takes a value per interaction");
    }

    @Test
    void recentErrors() {
        invalid(base("recent", List.of(params("label", "rating", "window", 5))), "recent",
                "needs interactions.timestamp, the column that orders each user's rows");
        Map<String, Object> p = base();
        interactions(p).put("timestamp", "ts");
        p.put("recent", List.of(params("label", "stars", "window", 5)));
        invalid(p, "recent[0].label", "unknown label 'stars'; interactions.labels has [rating]");
        p.put("recent", List.of(params("label", "rating")));
        invalid(p, "recent[0].window", "an integer >= 1; it is required");
        p.put("recent", List.of(params("label", "rating", "window", 0)));
        invalid(p, "recent[0].window", "an integer >= 1, got 0");
        p.put("recent", List.of(params("window", 3)));
        invalid(p, "recent[0].label", "required: the label whose recent values are averaged, one of [rating]");
        p.put("recent", List.of(params("label", "rating", "window", 3), params("label", "rating", "window", 10)));
        invalid(p, "recent[1].label", "label 'rating' is listed twice (recent[0])");
        p.put("recent", List.of(params("label", "rating", "window", 3)));
        p.put("users", params("file", "users.csv", "id", "id", "numeric", List.of("Recent Rating")));
        invalid(p, "recent[0].label",
                "recent values of label 'rating' would be feature user_recent_rating, as column 'Recent Rating' already is");
        assertThrows(IllegalArgumentException.class, () -> PluginConfigs.bind(
                base("recent", List.of(params("label", "rating", "windw", 3))), FilesConfig.class));
    }

    @Test
    void featureNames() {
        assertEquals("user_age_group", FeatureNames.of(dev.taskweave.api.data.Entity.USER, "Age Group"));
        assertEquals("user_segment", FeatureNames.of(dev.taskweave.api.data.Entity.USER, "user_segment"));
        assertEquals("item_user_rating", FeatureNames.of(dev.taskweave.api.data.Entity.ITEM, "user rating"));
        assertNull(FeatureNames.of(dev.taskweave.api.data.Entity.ITEM, "--"));
        // names are ASCII: other letters are turned into '_' as punctuation is
        assertEquals("user_gr_e", FeatureNames.of(dev.taskweave.api.data.Entity.USER, "Größe"));
        assertEquals("item_caf", FeatureNames.of(dev.taskweave.api.data.Entity.ITEM, "Café"));
        assertEquals("user_age_2", FeatureNames.of(dev.taskweave.api.data.Entity.USER, "年龄 Age (2)"));
        assertNull(FeatureNames.of(dev.taskweave.api.data.Entity.USER, "年龄"));
        invalid(base("users", params("file", "users.csv", "id", "id", "numeric", List.of("年龄"))), "users.numeric[0]",
                "column '年龄' gives no feature name: a feature name keeps the column's ASCII letters and digits (a-z, 0-9), and it "
                        + "has none; rename the column");
        invalid(base("users", params("file", "users.csv", "id", "id", "numeric", List.of("Größe", "Grüße"))), "users.numeric[1]",
                "column 'Grüße' would be feature user_gr_e, as column 'Größe' already is");
    }
}
