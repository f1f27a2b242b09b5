package dev.taskweave.plugins.files;

import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureKind;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.api.data.NumericScale;
import dev.taskweave.api.data.RecentValues;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The user features that take a value per interaction row ({@link FeatureSpec#perInteraction()}):
 * the interactions file's context columns and the recent values of labels. Every split's rows get
 * their own values; the users table gets each user's current value, which rows that record none
 * read (ranking lists, attribute rows, serving).
 */
final class PerInteractionFeatures {
    private final List<FeatureSpec> specs = new ArrayList<>();
    /** Per feature, the users table's codes (categorical) or values (numeric). */
    private final Map<String, int[]> tableCodes = new HashMap<>();
    private final Map<String, float[]> tableValues = new HashMap<>();
    /** Per split, per feature, the value of each row. */
    private final Map<String, Map<String, float[]>> columns = new LinkedHashMap<>();

    private PerInteractionFeatures() {}

    /**
     * Encodes the context and recent features of {@code features} for the final splits.
     *
     * @param userIndex   the users' indices in the users table, by raw id
     * @param itemIndex   the items' indices in the items table, by raw id
     * @param description receives the options and each feature's statistics
     */
    static PerInteractionFeatures build(FilesConfig config, Map<String, FilesConfig.Feature> features,
            Map<String, InteractionRows> splits, Map<String, Integer> userIndex, Map<String, Integer> itemIndex, int users,
            Map<String, String> description) {
        PerInteractionFeatures out = new PerInteractionFeatures();
        if (features.values().stream().noneMatch(FilesConfig.Feature::perInteraction)) {
            return out;
        }
        splits.keySet().forEach(split -> out.columns.put(split, new LinkedHashMap<>()));
        Map<String, int[]> userOfRow = new LinkedHashMap<>();
        splits.forEach((split, rows) -> userOfRow.put(split, IntStream.range(0, rows.size())
                .map(r -> userIndex.get(rows.users[r])).toArray()));
        ContextConfig context = config.interactions().context();
        List<FilesConfig.Feature> contextFeatures = features.values().stream()
                .filter(f -> f.origin() == FilesConfig.Origin.CONTEXT).toList();
        if (!contextFeatures.isEmpty()) {
            int[] latest = latestTrainingRow(splits.get(Dataset.TRAIN), userOfRow.get(Dataset.TRAIN), users);
            for (FilesConfig.Feature f : contextFeatures) {
                if (f.kind() == FilesConfig.Kind.CATEGORICAL) {
                    out.categorical(f, context.minCount(), splits, latest, description);
                } else {
                    out.numeric(f, context.log().contains(f.source()), context.standardize(), splits, latest, description);
                }
            }
            description.put("context", contextFeatures.stream().map(FilesConfig.Feature::name).collect(Collectors.joining(",")));
        }
        List<FilesConfig.Feature> recentFeatures = features.values().stream()
                .filter(f -> f.origin() == FilesConfig.Origin.RECENT).toList();
        Map<String, long[]> orderKeys = recentFeatures.isEmpty() ? Map.of() : orderKeys(splits);
        for (FilesConfig.Feature f : recentFeatures) {
            int window = config.recent().stream().filter(r -> r.label().equals(f.source())).findFirst().orElseThrow().window();
            out.recent(f, window, splits, orderKeys, userOfRow, itemIndex, users, description);
        }
        if (!recentFeatures.isEmpty()) {
            description.put("recent", recentFeatures.stream().map(FilesConfig.Feature::name).collect(Collectors.joining(",")));
        }
        return out;
    }

    /** @return the split's per-row feature columns by feature name (empty without such features) */
    Map<String, float[]> columns(String split) {
        return columns.getOrDefault(split, Map.of());
    }

    /** Adds the features to the schema and their current values to the users table. */
    void addTo(EntityTable.Builder userTable, List<FeatureSpec> schema) {
        for (FeatureSpec spec : specs) {
            schema.add(spec);
            if (spec.kind() == FeatureKind.CATEGORICAL) {
                userTable.categorical(spec.name(), tableCodes.get(spec.name()));
            } else {
                userTable.dense(spec.name(), 1, tableValues.get(spec.name()));
            }
        }
    }

    /**
     * Codes over the training rows' values; a value no training row has (or fewer than
     * {@code minCount}) and an empty cell read as unknown, code 0.
     */
    private void categorical(FilesConfig.Feature f, int minCount, Map<String, InteractionRows> splits, int[] latest,
            Map<String, String> description) {
        Map<String, Integer> counts = new HashMap<>();
        for (String cell : splits.get(Dataset.TRAIN).categorical.get(f.source())) {
            if (!cell.isEmpty()) {
                counts.merge(cell, 1, Integer::sum);
            }
        }
        List<String> labels = ColumnEncodings.frequent(counts, minCount);
        Map<String, Integer> code = new HashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            code.put(labels.get(i), i + 1);
        }
        int unseen = 0;
        for (Map.Entry<String, InteractionRows> split : splits.entrySet()) {
            String[] cells = split.getValue().categorical.get(f.source());
            float[] values = new float[cells.length];
            for (int r = 0; r < cells.length; r++) {
                values[r] = code.getOrDefault(cells[r], 0);
                if (!cells[r].isEmpty() && !counts.containsKey(cells[r])) {
                    unseen++;
                }
            }
            columns.get(split.getKey()).put(f.name(), values);
        }
        float[] train = columns.get(Dataset.TRAIN).get(f.name());
        tableCodes.put(f.name(), IntStream.range(0, latest.length).map(u -> latest[u] < 0 ? 0 : (int) train[latest[u]]).toArray());
        specs.add(new FeatureSpec(f.name(), Entity.USER, FeatureKind.CATEGORICAL, labels.size() + 1, false, labels, false, null, true));
        description.put("feature." + f.name() + ".values", Integer.toString(labels.size()));
        ColumnEncodings.rare(f.name(), counts, labels, minCount, description);
        description.put("feature." + f.name() + ".unseenRows", Integer.toString(unseen));
    }

    /** Standardised with the training rows' statistics (unless {@code standardize: false}); an empty cell is 0. */
    private void numeric(FilesConfig.Feature f, boolean log, boolean standardize, Map<String, InteractionRows> splits, int[] latest,
            Map<String, String> description) {
        NumericScale scale = ColumnEncodings.scale(f.name(), splits.get(Dataset.TRAIN).numeric.get(f.source()), log, standardize,
                description);
        for (Map.Entry<String, InteractionRows> split : splits.entrySet()) {
            double[] cells = split.getValue().numeric.get(f.source());
            float[] values = new float[cells.length];
            for (int r = 0; r < cells.length; r++) {
                values[r] = ColumnEncodings.encode(scale, cells[r]);
            }
            columns.get(split.getKey()).put(f.name(), values);
        }
        float[] train = columns.get(Dataset.TRAIN).get(f.name());
        float[] table = new float[latest.length];
        for (int u = 0; u < table.length; u++) {
            table[u] = latest[u] < 0 ? 0f : train[latest[u]];
        }
        tableValues.put(f.name(), table);
        specs.add(new FeatureSpec(f.name(), Entity.USER, FeatureKind.NUMERIC, 1, false, List.of(), false, scale, true));
    }

    /**
     * {@link RecentValues} over the training rows that have the label: a training row with the label
     * reads its value without itself, any other row (a training row without the label, a row of
     * another split) the value as of its time; the table holds the value after the user's last
     * labelled training row.
     */
    private void recent(FilesConfig.Feature f, int window, Map<String, InteractionRows> splits, Map<String, long[]> orderKeys,
            Map<String, int[]> userOfRow,
            Map<String, Integer> itemIndex, int users, Map<String, String> description) {
        InteractionRows train = splits.get(Dataset.TRAIN);
        float[] label = train.labels.get(f.source());
        int[] labelled = IntStream.range(0, train.size()).filter(r -> !Float.isNaN(label[r])).toArray();
        int[] trainUsers = userOfRow.get(Dataset.TRAIN);
        long[] trainTimes = orderKeys.get(Dataset.TRAIN);
        int[] u = new int[labelled.length];
        int[] i = new int[labelled.length];
        long[] times = new long[labelled.length];
        float[] values = new float[labelled.length];
        for (int k = 0; k < labelled.length; k++) {
            u[k] = trainUsers[labelled[k]];
            i[k] = itemIndex.get(train.items[labelled[k]]);
            times[k] = trainTimes[labelled[k]];
            values[k] = label[labelled[k]];
        }
        RecentValues recent = RecentValues.of(new Interactions(u, i, Map.of()), times, values, Entity.USER, users, window);
        for (Map.Entry<String, InteractionRows> split : splits.entrySet()) {
            float[] column = recent.at(userOfRow.get(split.getKey()), orderKeys.get(split.getKey()));
            if (split.getKey().equals(Dataset.TRAIN)) {
                float[] own = recent.training();
                for (int k = 0; k < labelled.length; k++) {
                    column[labelled[k]] = own[k];
                }
            }
            columns.get(split.getKey()).put(f.name(), column);
        }
        tableValues.put(f.name(), recent.current());
        specs.add(FeatureSpec.recent(f.name(), Entity.USER));
        description.put("feature." + f.name() + ".label", f.source());
        description.put("feature." + f.name() + ".window", Integer.toString(window));
        description.put("feature." + f.name() + ".trainingRows", Integer.toString(labelled.length));
    }

    /**
     * @return per user, their latest training row: the latest by timestamp (of equal timestamps,
     *     or without timestamps, the later in the file), or -1 for a user without one
     */
    static int[] latestTrainingRow(InteractionRows train, int[] userOfRow, int users) {
        int[] latest = new int[users];
        Arrays.fill(latest, -1);
        for (int r = 0; r < train.size(); r++) {
            int u = userOfRow[r];
            // of equal timestamps (and without a timestamp column) the later row wins
            if (latest[u] < 0 || train.compareTimes(r, latest[u]) >= 0) {
                latest[u] = r;
            }
        }
        return latest;
    }

    /**
     * @return per split, per row, a long that sorts exactly as the row's timestamp among all the
     *     splits' rows: its rank, equal timestamps sharing one (no rounding, so any unit and any
     *     precision keep their order; {@link RecentValues} only compares times)
     */
    static Map<String, long[]> orderKeys(Map<String, InteractionRows> splits) {
        // every split's rows in one numbering: the first split's rows, then the second's, ...
        List<InteractionRows> files = List.copyOf(splits.values());
        int[] start = new int[files.size() + 1];
        for (int f = 0; f < files.size(); f++) {
            start[f + 1] = Math.addExact(start[f], files.get(f).size());
        }
        int n = start[files.size()];
        double[] hi = new double[n];
        double[] lo = new double[n];
        for (int f = 0; f < files.size(); f++) {
            System.arraycopy(files.get(f).timestamps, 0, hi, start[f], files.get(f).size());
            System.arraycopy(files.get(f).timestampRest, 0, lo, start[f], files.get(f).size());
        }
        int[] order = new int[n];
        for (int r = 0; r < n; r++) {
            order[r] = r;
        }
        mergeSort(order, new int[n], 0, n, hi, lo);
        long[] rank = new long[n];
        for (int k = 1; k < n; k++) {
            int a = order[k - 1];
            int b = order[k];
            rank[b] = rank[a] + (Double.compare(hi[a], hi[b]) != 0 || Double.compare(lo[a], lo[b]) != 0 ? 1 : 0);
        }
        Map<String, long[]> keys = new LinkedHashMap<>();
        int f = 0;
        for (String name : splits.keySet()) {
            keys.put(name, Arrays.copyOfRange(rank, start[f], start[f + 1]));
            f++;
        }
        return keys;
    }

    /** Sorts {@code order[from, to)} by the timestamps {@code hi + lo} of its rows (a stable merge sort of primitives). */
    private static void mergeSort(int[] order, int[] scratch, int from, int to, double[] hi, double[] lo) {
        if (to - from < 2) {
            return;
        }
        int middle = (from + to) >>> 1;
        mergeSort(order, scratch, from, middle, hi, lo);
        mergeSort(order, scratch, middle, to, hi, lo);
        System.arraycopy(order, from, scratch, from, to - from);
        int i = from;
        int j = middle;
        for (int k = from; k < to; k++) {
            boolean left = j >= to || i < middle && compare(scratch[i], scratch[j], hi, lo) <= 0;
            order[k] = left ? scratch[i++] : scratch[j++];
        }
    }

    private static int compare(int a, int b, double[] hi, double[] lo) {
        int c = Double.compare(hi[a], hi[b]);
        return c != 0 ? c : Double.compare(lo[a], lo[b]);
    }
}
