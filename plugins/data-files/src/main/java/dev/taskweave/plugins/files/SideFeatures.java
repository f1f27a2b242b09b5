package dev.taskweave.plugins.files;

import dev.taskweave.api.DataException;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityAttribute;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.NumericScale;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The side features of one users or items file, read once and then encoded for the entities of
 * the dataset (which may include entities the file does not list: their features are unknown).
 */
final class SideFeatures {
    /** One feature's encoded columns, before they go into the table. */
    private record Encoded(FeatureSpec spec, int[] codes, float[] dense, int width, boolean[] known) {}

    private final Entity entity;
    private final Path file;
    private final EntitiesConfig config;
    private final List<String> ids = new ArrayList<>();
    private final Map<String, Integer> rowOf = new HashMap<>();
    private final Map<String, String[]> cells = new LinkedHashMap<>();
    private final Map<String, String[][]> flagCells = new LinkedHashMap<>();
    private final Map<String, Long> lines = new HashMap<>();

    private SideFeatures(Entity entity, Path file, EntitiesConfig config) {
        this.entity = entity;
        this.file = file;
        this.config = config;
    }

    /**
     * Reads the file; checks that every configured column exists, ids are present and unique.
     *
     * @param configPath {@code users} or {@code items}, named in errors
     */
    static SideFeatures read(Entity entity, Path path, EntitiesConfig config, String configPath, Map<String, FilesConfig.Feature> features) {
        SideFeatures out = new SideFeatures(entity, path, config);
        DelimitedFile file = DelimitedFile.open(path, config, configPath);
        int id = file.column(config.id(), configPath + ".id");
        Map<String, Integer> columnOf = new LinkedHashMap<>();
        Map<String, int[]> flagColumns = new LinkedHashMap<>();
        for (FilesConfig.Feature f : features.values()) {
            if (f.entity() != entity || f.perInteraction()) {
                continue;
            }
            String setting = configPath + "." + switch (f.kind()) {
                case CATEGORICAL -> "categorical";
                case NUMERIC -> "numeric";
                case MULTI_VALUED -> "multiValued." + f.source();
                case FLAGS -> "flags." + f.source();
            };
            if (f.kind() == FilesConfig.Kind.FLAGS) {
                List<String> columns = config.flags().get(f.source());
                int[] indices = new int[columns.size()];
                for (int i = 0; i < indices.length; i++) {
                    indices[i] = file.column(columns.get(i), setting + "[" + i + "]");
                }
                flagColumns.put(f.name(), indices);
            } else {
                columnOf.put(f.name(), file.column(f.source(), setting));
            }
        }
        Map<String, List<String>> values = new LinkedHashMap<>();
        columnOf.keySet().forEach(name -> values.put(name, new ArrayList<>()));
        Map<String, List<String[]>> flags = new LinkedHashMap<>();
        flagColumns.keySet().forEach(name -> flags.put(name, new ArrayList<>()));
        file.forEach(row -> {
            String key = row.fields()[id];
            if (key.isEmpty()) {
                throw new DataException(path.toString(), row.line(), "column '" + config.id() + "' is empty: every row needs an id");
            }
            Integer previous = out.rowOf.putIfAbsent(key, out.ids.size());
            if (previous != null) {
                throw new DataException(path.toString(), row.line(), entity.name().toLowerCase(Locale.ROOT) + " '" + key
                        + "' is listed twice (first on line " + out.lines.get(key) + ")");
            }
            out.lines.put(key, row.line());
            out.ids.add(key);
            columnOf.forEach((name, column) -> values.get(name).add(row.fields()[column]));
            flagColumns.forEach((name, columns) -> {
                String[] cellsOfRow = new String[columns.length];
                for (int i = 0; i < columns.length; i++) {
                    cellsOfRow[i] = row.fields()[columns[i]];
                }
                flags.get(name).add(cellsOfRow);
            });
        });
        values.forEach((name, list) -> out.cells.put(name, list.toArray(String[]::new)));
        flags.forEach((name, list) -> out.flagCells.put(name, list.toArray(String[][]::new)));
        return out;
    }

    /** @return the ids the file lists, in its order */
    List<String> ids() {
        return ids;
    }

    /** @return the side the file describes */
    Entity entity() {
        return entity;
    }

    /** @return the file */
    Path file() {
        return file;
    }

    /**
     * Encodes every feature for the dataset's entities and adds it to the table and the schema.
     *
     * @param entityIds   the dataset's entities of this side, in index order
     * @param attributes  the names of this side's features that are attributes
     * @param holdout     given the encoded attributes (true values), the entities whose attribute
     *                    features are hidden (held out), by index
     * @param attributesOut receives the attributes, with the true (unhidden) values
     * @param description receives vocabulary sizes, numeric scaling and counts
     */
    void encode(List<String> entityIds, Map<String, FilesConfig.Feature> features, EntityTable.Builder table,
            List<FeatureSpec> schema, List<String> attributes, Function<Map<String, EntityAttribute>, boolean[]> holdout,
            Map<String, EntityAttribute> attributesOut, Map<String, String> description) {
        int[] fileRow = new int[entityIds.size()];
        int missing = 0;
        for (int e = 0; e < fileRow.length; e++) {
            fileRow[e] = rowOf.getOrDefault(entityIds.get(e), -1);
            if (fileRow[e] < 0) {
                missing++;
            }
        }
        String side = entity == Entity.USER ? "users" : "items";
        description.put(side + "File", file.toString());
        description.put(side + "File.rows", Integer.toString(ids.size()));
        description.put(side + "WithoutFeatures", Integer.toString(missing));
        List<Encoded> encoded = new ArrayList<>();
        for (FilesConfig.Feature f : features.values()) {
            if (f.entity() != entity || f.perInteraction()) {
                continue;
            }
            Encoded e = switch (f.kind()) {
                case CATEGORICAL -> categorical(f.name(), fileRow, description);
                case NUMERIC -> numeric(f.name(), f.source(), config.log().contains(f.source()), fileRow, description);
                case MULTI_VALUED -> multiValued(f.name(), f.source(), config.multiValued().get(f.source()).charAt(0), fileRow,
                        description);
                case FLAGS -> flags(f.name(), f.source(), fileRow);
            };
            if (attributes.contains(f.name())) {
                attributesOut.put(f.name(), attribute(e));
            }
            encoded.add(e);
        }
        // the held-out entities are chosen among those whose attributes are known as encoded
        boolean[] hidden = holdout.apply(attributesOut);
        for (Encoded e : encoded) {
            String name = e.spec().name();
            boolean attribute = attributesOut.containsKey(name);
            schema.add(e.spec());
            if (e.codes() != null) {
                int[] codes = e.codes().clone();
                for (int i = 0; attribute && i < codes.length; i++) {
                    if (hidden[i]) {
                        codes[i] = 0;
                    }
                }
                table.categorical(name, codes);
            } else {
                float[] dense = e.dense().clone();
                for (int i = 0; attribute && i < hidden.length; i++) {
                    if (hidden[i]) {
                        Arrays.fill(dense, i * e.width(), (i + 1) * e.width(), 0f);
                    }
                }
                table.dense(name, e.width(), dense);
            }
        }
    }

    private Encoded categorical(String name, int[] fileRow, Map<String, String> description) {
        String[] raw = cells.get(name);
        Map<String, Integer> counts = new HashMap<>();
        for (String v : raw) {
            if (!v.isEmpty()) {
                counts.merge(v, 1, Integer::sum);
            }
        }
        List<String> labels = frequent(counts);
        Map<String, Integer> code = new HashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            code.put(labels.get(i), i + 1);
        }
        int[] codes = new int[fileRow.length];
        boolean[] known = new boolean[fileRow.length];
        for (int e = 0; e < codes.length; e++) {
            Integer c = fileRow[e] >= 0 ? code.get(raw[fileRow[e]]) : null;
            if (c != null) {
                codes[e] = c;
                known[e] = true;
            }
        }
        description.put("feature." + name + ".values", Integer.toString(labels.size()));
        rare(name, counts, labels, description);
        return new Encoded(FeatureSpec.categorical(name, entity, labels), codes, null, 1, known);
    }

    private Encoded numeric(String name, String column, boolean log, int[] fileRow, Map<String, String> description) {
        String[] raw = cells.get(name);
        double[] parsed = new double[raw.length];
        for (int r = 0; r < raw.length; r++) {
            parsed[r] = ColumnEncodings.number(file.toString(), lines.get(ids.get(r)), "column '" + column + "' (feature " + name + ")",
                    raw[r], log);
        }
        // the encoding is recorded on the feature, so serving reads raw values the same way
        NumericScale scale = ColumnEncodings.scale(name, parsed, log, config.standardize(), description);
        float[] values = new float[fileRow.length];
        boolean[] known = new boolean[fileRow.length];
        for (int e = 0; e < values.length; e++) {
            double v = fileRow[e] >= 0 ? parsed[fileRow[e]] : Double.NaN;
            known[e] = !Double.isNaN(v);
            values[e] = ColumnEncodings.encode(scale, v);
        }
        return new Encoded(FeatureSpec.numeric(name, entity, scale), null, values, 1, known);
    }

    private Encoded multiValued(String name, String column, char separator, int[] fileRow, Map<String, String> description) {
        String[] raw = cells.get(name);
        List<List<String>> split = new ArrayList<>(raw.length);
        Map<String, Integer> counts = new HashMap<>();
        for (String cell : raw) {
            List<String> parts = new ArrayList<>();
            for (String part : cell.split(java.util.regex.Pattern.quote(String.valueOf(separator)), -1)) {
                String v = part.strip();
                if (!v.isEmpty() && !parts.contains(v)) {
                    parts.add(v);
                    counts.merge(v, 1, Integer::sum);
                }
            }
            split.add(parts);
        }
        List<String> values = frequent(counts);
        rare(name, counts, values, description);
        if (values.isEmpty()) {
            throw new DataException(file.toString(), 0, "column '" + column + "' (feature " + name + ") has no value in any row"
                    + (counts.isEmpty() ? "" : " that reaches minCount " + config.minCount())
                    + (ids.isEmpty() ? " (the file has no data rows, only its header)" : ""));
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < values.size(); i++) {
            index.put(values.get(i), i);
        }
        int width = values.size();
        long cells = (long) fileRow.length * width;
        if (cells > Integer.MAX_VALUE - 8) {
            // a multi-hot feature is held as one dense row per entity
            throw new DataException(file.toString(), 0, "column '" + column + "' (feature " + name + ") has " + width
                    + " distinct values over " + fileRow.length + " entities: its one-hot rows would hold " + cells
                    + " numbers (" + (cells * Float.BYTES >> 30) + " GB), more than one array holds; raise minCount (now "
                    + config.minCount() + ") so that rare values are read as unknown");
        }
        float[] dense = new float[(int) cells];
        boolean[] known = new boolean[fileRow.length];
        for (int e = 0; e < fileRow.length; e++) {
            if (fileRow[e] < 0) {
                continue;
            }
            for (String v : split.get(fileRow[e])) {
                Integer i = index.get(v);
                if (i != null) {
                    dense[e * width + i] = 1f;
                    known[e] = true;
                }
            }
        }
        description.put("feature." + name + ".values", String.join(",", values));
        return new Encoded(FeatureSpec.multiHot(name, entity, values), null, dense, width, known);
    }

    private Encoded flags(String name, String source, int[] fileRow) {
        String[][] raw = flagCells.get(name);
        List<String> columns = config.flags().get(source);
        int width = columns.size();
        float[] dense = new float[fileRow.length * width];
        boolean[] known = new boolean[fileRow.length];
        for (int e = 0; e < fileRow.length; e++) {
            if (fileRow[e] < 0) {
                continue;
            }
            String[] row = raw[fileRow[e]];
            boolean empty = Arrays.stream(row).allMatch(String::isEmpty);
            if (empty) {
                continue;
            }
            known[e] = true;
            for (int i = 0; i < width; i++) {
                float v = flag(row[i]);
                if (Float.isNaN(v)) {
                    throw new DataException(file.toString(), lines.get(ids.get(fileRow[e])), "feature " + name + ", column '"
                            + columns.get(i) + "': expected a flag (0, 1, true or false), found '" + row[i] + "'");
                }
                dense[e * width + i] = v;
            }
        }
        return new Encoded(FeatureSpec.multiHot(name, entity, columns), null, dense, width, known);
    }

    /** @return the values seen in at least {@code minCount} rows, sorted */
    private List<String> frequent(Map<String, Integer> counts) {
        return ColumnEncodings.frequent(counts, config.minCount());
    }

    /** Records how many values, and rows of them, {@code minCount} turned into unknown. */
    private void rare(String name, Map<String, Integer> counts, List<String> kept, Map<String, String> description) {
        ColumnEncodings.rare(name, counts, kept, config.minCount(), description);
    }

    private static float flag(String cell) {
        return switch (cell.toLowerCase(Locale.ROOT)) {
            case "1", "1.0", "true" -> 1f;
            case "0", "0.0", "false" -> 0f;
            default -> Float.NaN;
        };
    }

    private EntityAttribute attribute(Encoded encoded) {
        FeatureSpec spec = encoded.spec();
        boolean[] known = encoded.known().clone();
        if (encoded.codes() != null) {
            int classes = spec.size() - 1;
            if (classes < 1) {
                throw new DataException(file.toString(), 0, "attribute " + spec.name() + ": its column has no value in any row"
                        + (ids.isEmpty() ? " (the file has no data rows, only its header)" : ""));
            }
            float[] values = new float[known.length];
            for (int e = 0; e < known.length; e++) {
                values[e] = known[e] ? encoded.codes()[e] - 1 : 0f;
            }
            return new EntityAttribute(spec.name(), entity, EntityAttribute.Kind.CLASS, classes, values, known);
        }
        return new EntityAttribute(spec.name(), entity, EntityAttribute.Kind.MULTI_LABEL, encoded.width(), encoded.dense().clone(), known);
    }
}
