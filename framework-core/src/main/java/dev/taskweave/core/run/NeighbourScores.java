package dev.taskweave.core.run;

import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureKind;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.api.model.TaskContext;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.config.ExperimentConfig;
import dev.taskweave.core.config.NeighboursConfig;
import dev.taskweave.core.data.ItemNeighbours;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Adds the pair feature of {@code features.neighbours} to a dataset: fits {@link ItemNeighbours}
 * on the training split's label, and gives the training rows their scores with their own label
 * left out (a per-interaction column); every other row reads the scores the index computes.
 */
public final class NeighbourScores {
    private NeighbourScores() {}

    /**
     * @param dataset    the dataset with the pair features and the training rows' columns
     * @param neighbours the fitted scores by feature name, empty without {@code features.neighbours}
     */
    public record Derived(Dataset dataset, Map<String, ItemNeighbours> neighbours) {}

    /** @return the config path of entry {@code j} of {@code features.neighbours}: the key alone for a single one */
    private static String path(List<NeighboursConfig> all, int j) {
        return all.size() == 1 ? "features.neighbours" : "features.neighbours[" + j + "]";
    }

    /** Checks what {@code features.neighbours} sets without the data; errors name the setting. */
    static void checkConfig(List<NeighboursConfig> all, String source) {
        if (all == null) {
            return;
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int j = 0; j < all.size(); j++) {
            NeighboursConfig c = all.get(j);
            String path = path(all, j);
            if (c == null) {
                throw new ConfigException(source, path, 0, "expected a mapping with a label, got nothing");
            }
            checkConfig(c, path, source);
            if (!names.add(c.featureName())) {
                throw new ConfigException(source, path + ".label", 0, "a second score of label '" + c.label + "' by " + c.kind()
                        + ": each label gives one feature by items and one by users; this one is " + c.featureName());
            }
        }
    }

    private static void checkConfig(NeighboursConfig c, String path, String source) {
        if (c.label == null || c.label.isBlank()) {
            throw new ConfigException(source, path + ".label", 0, "expected the label of the training interactions to"
                    + " score, such as rating");
        }
        if (c.k < 1) {
            throw new ConfigException(source, path + ".k", 0, "expected how many neighbours a score reads, at least 1, got "
                    + c.k);
        }
        if (!(c.shrink >= 0) || Double.isInfinite(c.shrink)) {
            throw new ConfigException(source, path + ".shrink", 0, "expected a number >= 0 (how many common "
                    + (c.byUsers() ? "items" : "raters") + " make a similarity count half), got " + c.shrink);
        }
        if (!(c.lambda > 0) || Double.isInfinite(c.lambda)) {
            throw new ConfigException(source, path + ".lambda", 0, "expected a number > 0, got " + c.lambda);
        }
        if (!NeighboursConfig.ITEMS.equals(c.kind()) && !NeighboursConfig.USERS.equals(c.kind())) {
            throw new ConfigException(source, path + ".by", 0, "expected " + NeighboursConfig.ITEMS + " (how the user rated the"
                    + " items most like the item) or " + NeighboursConfig.USERS + " (how the users most like the user rated the"
                    + " item), got '" + c.by + "'");
        }
        if (c.modelSize != null && c.modelSize < 1) {
            throw new ConfigException(source, path + ".modelSize", 0, "expected how many of its most similar " + c.kind()
                    + (c.byUsers() ? " each user" : " each item") + " keeps, at least 1 (leave it out to keep every one), got " + c.modelSize);
        }
    }

    /**
     * @return {@code dataset} with the feature {@code neighbours_<label>} (0 in the item table,
     *     each training row's score in the training split) and the fitted scores; {@code dataset}
     *     itself and null without {@code features.neighbours}
     * @throws ConfigException naming {@code features.neighbours} when the data cannot be scored
     */
    public static Derived derive(ExperimentConfig config, Dataset dataset, String source) {
        List<NeighboursConfig> all = config.features.neighbours == null ? List.of() : config.features.neighbours;
        checkConfig(all, source);
        Map<String, ItemNeighbours> fitted = new LinkedHashMap<>();
        Dataset derived = dataset;
        for (int j = 0; j < all.size(); j++) {
            NeighboursConfig c = all.get(j);
            derived = derive(c, path(all, j), all.size() == 1 ? "neighbours" : "neighbours[" + j + "]", derived, fitted, source);
        }
        return new Derived(derived, Map.copyOf(fitted));
    }

    /**
     * @param key    the data description's key of this score
     * @param fitted receives the score under its feature's name
     * @return {@code dataset} with one more pair feature
     */
    private static Dataset derive(NeighboursConfig c, String path, String key, Dataset dataset, Map<String, ItemNeighbours> fitted,
            String source) {
        Interactions train = dataset.train();
        // observed: which items each user interacted with, every training row an interaction
        boolean implicit = TaskContext.OBSERVED.equals(c.label);
        float[] values = implicit ? null : train.label(c.label);
        if (values == null && !implicit) {
            throw new ConfigException(source, path + ".label", 0, "the training interactions have no label '" + c.label
                    + "'; they have " + train.labelColumns() + " (or " + TaskContext.OBSERVED + ": the interactions themselves)");
        }
        String name = c.featureName();
        if (dataset.features().stream().anyMatch(f -> f.name().equals(name))) {
            throw new ConfigException(source, path, 0, "the data already has a feature named '" + name + "'");
        }
        int neighbourCount = c.byUsers() ? dataset.users().size() : dataset.items().size();
        String noun = c.kind();
        if (c.modelSize == null && neighbourCount > ItemNeighbours.MAX_ITEMS) {
            throw new ConfigException(source, path + ".modelSize", 0, "the data has " + neighbourCount + " " + noun
                    + "; without a model size neighbourhood scores hold a similarity per pair of " + noun + ", for at most "
                    + ItemNeighbours.MAX_ITEMS + ": set how many of its most similar " + noun + " each keeps (such as 200)");
        }
        boolean any = implicit && train.size() > 0;
        for (int r = 0; !implicit && r < values.length && !any; r++) {
            any = !Float.isNaN(values[r]);
        }
        if (!any) {
            throw new ConfigException(source, path + ".label", 0, "no training interaction has a value of '" + c.label + "'");
        }
        int modelSize = c.modelSize == null ? 0 : c.modelSize;
        ItemNeighbours neighbours = c.byUsers()
                ? ItemNeighbours.fitOfUsers(dataset.users().size(), dataset.items().size(), train.users(), train.items(), values,
                        implicit, c.k, c.shrink, c.lambda, modelSize)
                : implicit
                ? ItemNeighbours.fitImplicit(dataset.users().size(), dataset.items().size(), train.users(), train.items(), c.k, c.shrink,
                        c.lambda, modelSize)
                : ItemNeighbours.fit(dataset.users().size(), dataset.items().size(), train.users(), train.items(), values, c.k,
                        c.shrink, c.lambda, modelSize);
        List<FeatureSpec> features = new ArrayList<>(dataset.features());
        features.add(FeatureSpec.pair(name));
        EntityTable items = withZeros(dataset.items(), dataset.features(), name);
        Map<String, Interactions> splits = new LinkedHashMap<>(dataset.splits());
        Map<String, float[]> columns = new LinkedHashMap<>(train.features());
        columns.put(name, neighbours.training());
        Map<String, float[]> labels = new LinkedHashMap<>();
        for (String column : train.labelColumns()) {
            labels.put(column, train.label(column));
        }
        splits.put(Dataset.TRAIN, new Interactions(train.users(), train.items(), labels, columns));
        Map<String, String> description = new LinkedHashMap<>(dataset.description());
        float[] scores = columns.get(name);
        long rated = 0;
        long scored = 0;
        for (float v : scores) {
            if (!Float.isNaN(v)) {
                rated++;
                scored += v != 0f ? 1 : 0;
            }
        }
        // how many training rows find a similar item among their user's other ratings: a score of 0
        // everywhere would tell the model nothing
        description.put(key, String.format(Locale.ROOT, "%s: label %s%s, k %d, shrink %s, lambda %s%s; %,d of %,d training"
                + " rows have a neighbour; similarities over %,d pairs of %s", name, c.label, c.byUsers() ? ", by users" : "", c.k,
                c.shrink, c.lambda, c.modelSize == null ? "" : ", " + c.modelSize + " kept per " + (c.byUsers() ? "user" : "item"),
                scored, rated, neighbours.pairs(), c.byUsers() ? "users who " + (implicit ? "took" : "rated") + " one item"
                        : "items one user " + (implicit ? "took" : "rated")));
        fitted.put(name, neighbours);
        return new Dataset(dataset.name(), features, dataset.users(), items, splits, dataset.rankings(), description,
                dataset.attributes(), dataset.attributeEvaluation());
    }

    /** @return a copy of the item table with a numeric column {@code name} of zeros */
    private static EntityTable withZeros(EntityTable table, List<FeatureSpec> features, String name) {
        EntityTable.Builder builder = EntityTable.builder(Entity.ITEM, table.rawIds());
        for (FeatureSpec f : features) {
            if (f.entity() != Entity.ITEM) {
                continue;
            }
            if (f.kind() == FeatureKind.CATEGORICAL) {
                builder.categorical(f.name(), table.categorical(f.name()));
            } else if (table.isSparse(f.name())) {
                builder.sparse(f.name(), table.sparse(f.name()));
            } else {
                builder.dense(f.name(), f.size(), table.dense(f.name()));
            }
        }
        return builder.dense(name, 1, new float[table.size()]).build();
    }
}
