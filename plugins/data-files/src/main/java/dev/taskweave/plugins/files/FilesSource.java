package dev.taskweave.plugins.files;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.DataException;
import dev.taskweave.api.data.DataContext;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.DatasetSource;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityAttribute;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.Histories;
import dev.taskweave.api.data.SparseRows;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.api.data.RankingCandidates;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Reads the configured files and assembles the dataset. */
final class FilesSource implements DatasetSource {
    /** Feature: the items a user interacted with in training. */
    static final String USER_HISTORY = "user_history";
    /** Feature: the users who interacted with an item in training. */
    static final String ITEM_HISTORY = "item_history";
    /** The test rows of users without training rows (whose items have some). */
    static final String COLD_USER = "test_cold_user";
    /** The test rows of items without training rows (whose users have some). */
    static final String COLD_ITEM = "test_cold_item";
    /** The test rows whose user and item both lack training rows. */
    static final String COLD_BOTH = "test_cold_both";
    /** The attribute-only split of the {@code attributeHoldout} entities ({@code attributeValid} ones are under valid). */
    static final String ATTRIBUTE_TEST = "attribute_test";
    private static final long RANKING_SALT = 0x72616e6b696e6773L;
    private static final long HOLDOUT_SALT = 0x6174747269627574L;
    private static final long COLD_SALT = 0x636f6c64656e7473L;

    private final FilesConfig config;
    private final DataContext context;

    FilesSource(FilesConfig config, DataContext context) {
        this.config = requireNonNull(config, "config is null");
        this.context = requireNonNull(context, "context is null");
    }

    @Override
    public Dataset load() {
        config.validate();
        Map<String, String> description = new LinkedHashMap<>();
        description.put("source", "files");
        for (Entity entity : Entity.values()) {
            EntitiesConfig side = entity == Entity.USER ? config.users() : config.items();
            String idTwice = side == null ? null : side.idAsFeature(entity, entity == Entity.USER ? "data.params.users" : "data.params.items");
            if (idTwice != null) {
                description.put(Dataset.WARNING + (entity == Entity.USER ? "users" : "items") + "IdAsFeature", idTwice);
            }
        }
        InteractionsConfig ic = config.interactions();
        Path interactionsFile = context.resolve(ic.file());
        InteractionRows all = InteractionRows.read(interactionsFile, ic, "data.params.interactions");
        description.put("interactions", interactionsFile.toString());
        description.put("interactions.rows", Integer.toString(all.size()));
        long seed = config.seed() != null ? config.seed() : context.seed();
        Map<String, InteractionRows> splits = split(all, seed, description);

        Map<String, FilesConfig.Feature> features = config.features();
        SideFeatures userFile = config.users() == null ? null : SideFeatures.read(Entity.USER,
                context.resolve(config.users().file()), config.users(), "data.params.users", features);
        SideFeatures itemFile = config.items() == null ? null : SideFeatures.read(Entity.ITEM,
                context.resolve(config.items().file()), config.items(), "data.params.items", features);

        // entities: those the side files list, in their order, then those only the interactions name
        List<String> userIds = entityIds(userFile, splits, true);
        List<String> itemIds = entityIds(itemFile, splits, false);
        warnAboutUnmatchedIds(userFile, splits, description);
        warnAboutUnmatchedIds(itemFile, splits, description);
        Map<String, Integer> userIndex = index(userIds);
        Map<String, Integer> itemIndex = index(itemIds);
        InteractionRows trainRows = splits.get(Dataset.TRAIN);
        boolean[] warmUser = new boolean[userIds.size()];
        boolean[] warmItem = new boolean[itemIds.size()];
        for (int r = 0; r < trainRows.size(); r++) {
            warmUser[userIndex.get(trainRows.users[r])] = true;
            warmItem[itemIndex.get(trainRows.items[r])] = true;
        }
        if (config.split().coldSlices() && splits.containsKey("test")) {
            sliceCold(splits, userIndex, itemIndex, warmUser, warmItem);
        }
        PerInteractionFeatures perRow = PerInteractionFeatures.build(config, features, splits, userIndex, itemIndex, userIds.size(),
                description);
        Map<String, Interactions> interactions = new LinkedHashMap<>();
        splits.forEach((name, rows) -> interactions.put(name, toInteractions(rows, userIndex, itemIndex, perRow.columns(name))));

        List<FeatureSpec> schema = new ArrayList<>();
        schema.add(FeatureSpec.identifier("user_id", Entity.USER, count(warmUser) + 1));
        EntityTable.Builder users = EntityTable.builder(Entity.USER, userIds).categorical("user_id", codes(warmUser));
        schema.add(FeatureSpec.identifier("item_id", Entity.ITEM, count(warmItem) + 1));
        EntityTable.Builder items = EntityTable.builder(Entity.ITEM, itemIds).categorical("item_id", codes(warmItem));

        Map<String, EntityAttribute> attributes = new LinkedHashMap<>();
        Map<String, Map<String, int[]>> evaluation = new java.util.TreeMap<>();
        SplittableRandom holdout = new SplittableRandom(seed ^ HOLDOUT_SALT);
        addSideFeatures(userFile, userIds, features, users, schema, attributes, evaluation, holdout.split(), description);
        addSideFeatures(itemFile, itemIds, features, items, schema, attributes, evaluation, holdout.split(), description);

        Interactions train = interactions.get(Dataset.TRAIN);
        addHistory(USER_HISTORY, Entity.USER, config.userHistory(), train, trainRows, userIds.size(), itemIds.size(), users, schema,
                description);
        addHistory(ITEM_HISTORY, Entity.ITEM, config.itemHistory(), train, trainRows, userIds.size(), itemIds.size(), items, schema,
                description);
        perRow.addTo(users, schema);

        Map<String, RankingCandidates> rankings = new LinkedHashMap<>();
        if (config.ranking() != null) {
            RankingCandidates lists = splits.containsKey("test")
                    ? rankings(interactions, splits.get("test"), userIndex, warmItem, seed, description)
                    : new RankingCandidates(new int[0], new int[0], new int[0][]);
            description.put("rankings.test.lists", Integer.toString(lists.size()));
            if (lists.size() > 0) {
                rankings.put("test", lists);
            }
            TreeSet<Integer> lengths = new TreeSet<>();
            for (int[] negatives : lists.negatives()) {
                lengths.add(negatives.length);
            }
            description.put("rankings.test.negatives", lengths.stream().map(String::valueOf).collect(Collectors.joining(",")));
        }

        description.put("users", Integer.toString(userIds.size()));
        description.put("items", Integer.toString(itemIds.size()));
        description.put("trainUsers", Integer.toString(count(warmUser)));
        description.put("trainItems", Integer.toString(count(warmItem)));
        interactions.forEach((name, rows) -> description.put("rows." + name, Integer.toString(rows.size())));
        description.put("labels", String.join(",", ic.labels().keySet()));
        description.put("seed", Long.toString(seed));
        if (config.attributeHoldout() > 0) {
            description.put("attributeHoldout", Double.toString(config.attributeHoldout()));
        }
        if (config.attributeValid() > 0) {
            description.put("attributeValid", Double.toString(config.attributeValid()));
        }
        String name = "files (" + interactionsFile.getFileName() + ", " + config.split().by().name().toLowerCase(Locale.ROOT) + " split)";
        return new Dataset(name, schema, users.build(), items.build(), interactions, rankings, description, attributes, evaluation);
    }

    /**
     * Splits the rows; with {@code coldUsers} / {@code coldItems}, a seeded share of the users and
     * of the items leave training whole first: every row of theirs is a test row (reported as a
     * cold slice), however the rest is split.
     */
    private Map<String, InteractionRows> split(InteractionRows file, long seed, Map<String, String> description) {
        SplitConfig sc = config.split();
        InteractionRows all = file;
        InteractionRows held = null;
        if (sc.coldUsers() > 0 || sc.coldItems() > 0) {
            SplittableRandom random = new SplittableRandom(seed ^ COLD_SALT);
            Set<String> users = chooseShare(file.users, sc.coldUsers(), random.split(), "coldUsers", file.file);
            Set<String> items = chooseShare(file.items, sc.coldItems(), random.split(), "coldItems", file.file);
            int[] out = IntStream.range(0, file.size()).filter(r -> users.contains(file.users[r]) || items.contains(file.items[r])).toArray();
            int[] in = IntStream.range(0, file.size()).filter(r -> !users.contains(file.users[r]) && !items.contains(file.items[r])).toArray();
            all = file.select(in);
            held = file.select(out);
            description.put("split.coldUsers", users.size() + " users held out whole (" + sc.coldUsers() + ")");
            description.put("split.coldItems", items.size() + " items held out whole (" + sc.coldItems() + ")");
        }
        Map<String, InteractionRows> splits = splitRows(all, seed, description);
        if (held != null && held.size() > 0) {
            InteractionRows test = splits.get("test");
            splits.put("test", test == null ? held : InteractionRows.concat(test, held));
        }
        if (sc.by() == SplitConfig.By.FILES) {
            // after the held-out rows joined test: they may repeat rows of the valid file. (Split from one
            // file, held-out rows cannot repeat another split's: every row of their user or item is held out.)
            warnAboutRepeatedRows(splits, description);
        }
        return splits;
    }

    /** @return {@code round(share * distinct)} of the distinct values, drawn with {@code random} */
    private static Set<String> chooseShare(String[] values, double share, SplittableRandom random, String key, Path file) {
        List<String> distinct = List.copyOf(new java.util.LinkedHashSet<>(Arrays.asList(values)));
        int[] order = shuffled(distinct.size(), random);
        int count = share == 0 ? 0 : rowsOfShare(share, distinct.size(), key.equals("coldUsers") ? "users" : "items", "split." + key, file);
        Set<String> out = new HashSet<>();
        for (int k = 0; k < count; k++) {
            out.add(distinct.get(order[k]));
        }
        return out;
    }

    private Map<String, InteractionRows> splitRows(InteractionRows all, long seed, Map<String, String> description) {
        SplitConfig sc = config.split();
        Map<String, InteractionRows> splits = new LinkedHashMap<>();
        description.put("split", sc.by().name().toLowerCase(Locale.ROOT));
        switch (sc.by()) {
            case FILES -> {
                splits.put(Dataset.TRAIN, all);
                if (sc.validFile() != null) {
                    Path valid = context.resolve(sc.validFile());
                    splits.put(Dataset.VALID, splitFile(valid, "validFile", Map.of("interactions.file", all.file), all));
                    description.put("validFile", valid.toString());
                }
                if (sc.testFile() != null) {
                    Path test = context.resolve(sc.testFile());
                    Map<String, Path> others = new LinkedHashMap<>();
                    others.put("interactions.file", all.file);
                    if (splits.containsKey(Dataset.VALID)) {
                        others.put("split.validFile", splits.get(Dataset.VALID).file);
                    }
                    splits.put("test", splitFile(test, "testFile", others, all));
                    description.put("testFile", test.toString());
                }
            }
            case RANDOM, TIME -> {
                int n = all.size();
                int[] order;
                if (sc.by() == SplitConfig.By.RANDOM) {
                    order = shuffled(n, new SplittableRandom(seed));
                } else {
                    // latest first; of equal timestamps the later row in the file counts as later
                    order = IntStream.range(0, n).boxed()
                            .sorted((a, b) -> all.compareTimes(b, a) != 0 ? all.compareTimes(b, a) : Integer.compare(b, a))
                            .mapToInt(Integer::intValue).toArray();
                }
                int test = rowsOfShare(sc.testFraction(), n, "rows", "split.test", all.file);
                int valid = rowsOfShare(sc.validFraction(), n, "rows", "split.valid", all.file);
                int[] testRows = Arrays.copyOfRange(order, 0, test);
                int[] validRows = Arrays.copyOfRange(order, test, test + valid);
                int[] trainRows = Arrays.copyOfRange(order, test + valid, n);
                for (int[] rows : new int[][] {testRows, validRows, trainRows}) {
                    Arrays.sort(rows);
                }
                splits.put(Dataset.TRAIN, all.select(trainRows));
                if (valid > 0) {
                    splits.put(Dataset.VALID, all.select(validRows));
                }
                if (test > 0) {
                    splits.put("test", all.select(testRows));
                }
                description.put("split.valid", Double.toString(sc.validFraction()));
                description.put("split.test", Double.toString(sc.testFraction()));
            }
            case LAST -> {
                // each user's rows, latest last (of equal timestamps the later row in the file)
                Map<String, List<Integer>> byUser = new LinkedHashMap<>();
                for (int r = 0; r < all.size(); r++) {
                    byUser.computeIfAbsent(all.users[r], k -> new ArrayList<>()).add(r);
                }
                boolean[] test = new boolean[all.size()];
                boolean[] valid = new boolean[all.size()];
                for (List<Integer> rows : byUser.values()) {
                    rows.sort((a, b) -> all.compareTimes(a, b) != 0 ? all.compareTimes(a, b) : Integer.compare(a, b));
                    if (rows.size() >= 2) {
                        test[rows.get(rows.size() - 1)] = true;
                    }
                    if (rows.size() >= 3) {
                        valid[rows.get(rows.size() - 2)] = true;
                    }
                }
                splits.put(Dataset.TRAIN, all.select(IntStream.range(0, all.size()).filter(r -> !test[r] && !valid[r]).toArray()));
                int[] validRows = IntStream.range(0, all.size()).filter(r -> valid[r]).toArray();
                if (validRows.length > 0) {
                    splits.put(Dataset.VALID, all.select(validRows));
                }
                int[] testRows = IntStream.range(0, all.size()).filter(r -> test[r]).toArray();
                if (testRows.length > 0) {
                    splits.put("test", all.select(testRows));
                }
            }
            default -> throw new IllegalStateException("unknown split " + sc.by());
        }
        if (splits.get(Dataset.TRAIN).size() == 0) {
            throw new DataException(all.file.toString(), 0, "no row is left to train on (" + all.size() + " rows, "
                    + sc.by().name().toLowerCase(Locale.ROOT) + " split)");
        }
        return splits;
    }

    /** Moves the test rows of users or items without training rows into the cold slices. */
    private static void sliceCold(Map<String, InteractionRows> splits, Map<String, Integer> userIndex,
            Map<String, Integer> itemIndex, boolean[] warmUser, boolean[] warmItem) {
        InteractionRows test = splits.remove("test");
        List<List<Integer>> slices = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int r = 0; r < test.size(); r++) {
            boolean user = warmUser[userIndex.get(test.users[r])];
            boolean item = warmItem[itemIndex.get(test.items[r])];
            slices.get(user ? (item ? 0 : 2) : (item ? 1 : 3)).add(r);
        }
        String[] names = {"test", COLD_USER, COLD_ITEM, COLD_BOTH};
        for (int s = 0; s < names.length; s++) {
            if (!slices.get(s).isEmpty()) {
                splits.put(names[s], test.select(slices.get(s).stream().mapToInt(Integer::intValue).toArray()));
            }
        }
    }

    /**
     * Encodes one side file's features. With {@code attributeHoldout} / {@code attributeValid}, a
     * seeded share of the entities that have any attribute value is held out for test / validation
     * (disjoint draws): their attribute features are hidden and their attributes evaluated. A
     * share above 0 that rounds to none of them is refused.
     */
    private void addSideFeatures(SideFeatures file, List<String> ids, Map<String, FilesConfig.Feature> features,
            EntityTable.Builder table, List<FeatureSpec> schema, Map<String, EntityAttribute> attributes,
            Map<String, Map<String, int[]>> evaluation, SplittableRandom random, Map<String, String> description) {
        if (file == null) {
            return;
        }
        List<String> sideAttributes = config.attributes().stream()
                .filter(name -> features.get(name).entity() == file.entity()).toList();
        boolean[] test = new boolean[ids.size()];
        boolean[] valid = new boolean[ids.size()];
        Map<String, EntityAttribute> sideOut = new LinkedHashMap<>();
        file.encode(ids, features, table, schema, sideAttributes, encoded -> {
            int[] candidates = IntStream.range(0, ids.size())
                    .filter(e -> encoded.values().stream().anyMatch(a -> a.known()[e])).toArray();
            int[] order = shuffled(candidates.length, random);
            String what = file.entity() == Entity.USER ? "users with an attribute value" : "items with an attribute value";
            int held = rowsOfShare(config.attributeHoldout(), candidates.length, what, "attributeHoldout", file.file());
            int validating = rowsOfShare(config.attributeValid(), candidates.length, what, "attributeValid", file.file());
            boolean[] hidden = new boolean[ids.size()];
            for (int k = 0; k < held + validating && k < candidates.length; k++) {
                (k < held ? test : valid)[candidates[order[k]]] = true;
                hidden[candidates[order[k]]] = true;
            }
            return hidden;
        }, sideOut, description);
        attributes.putAll(sideOut);
        for (EntityAttribute attribute : sideOut.values()) {
            for (Map.Entry<String, boolean[]> split : List.of(Map.entry(ATTRIBUTE_TEST, test), Map.entry(Dataset.VALID, valid))) {
                boolean[] chosen = split.getValue();
                int[] evaluated = IntStream.range(0, ids.size()).filter(e -> chosen[e] && attribute.known()[e]).toArray();
                if (evaluated.length > 0) {
                    evaluation.computeIfAbsent(split.getKey(), k -> new LinkedHashMap<>()).put(attribute.name(), evaluated);
                    description.put((split.getKey().equals(ATTRIBUTE_TEST) ? "attributeHoldout." : "attributeValid.")
                            + attribute.name(), Integer.toString(evaluated.length));
                }
            }
        }
    }

    private void addHistory(String name, Entity entity, FilesConfig.History history, Interactions train, InteractionRows file,
            int users, int items, EntityTable.Builder table, List<FeatureSpec> schema, Map<String, String> description) {
        if (history == FilesConfig.History.NONE) {
            return;
        }
        // one entry per (user, item) pair: the latest row of a repeated pair gives its value (by
        // timestamp when the file has them, of equal ones the later in the file, as everywhere else)
        Map<Long, Integer> last = new LinkedHashMap<>();
        for (int r = 0; r < train.size(); r++) {
            last.merge(((long) train.users()[r] << 32) | train.items()[r], r, (before, now) -> later(file, now, before) ? now : before);
        }
        int[] rows = last.values().stream().mapToInt(Integer::intValue).toArray();
        int[] u = new int[rows.length];
        int[] i = new int[rows.length];
        for (int k = 0; k < rows.length; k++) {
            u[k] = train.users()[rows[k]];
            i[k] = train.items()[rows[k]];
        }
        float[] values = null;
        if (history == FilesConfig.History.VALUES) {
            float[] label = train.label(config.historyLabel());
            double sum = 0;
            int count = 0;
            for (float v : label) {
                if (!Float.isNaN(v)) {
                    sum += v;
                    count++;
                }
            }
            double mean = count == 0 ? 0 : sum / count;
            values = new float[rows.length];
            for (int k = 0; k < rows.length; k++) {
                float v = label[rows[k]];
                values[k] = Float.isNaN(v) ? 0f : (float) (v - mean);
            }
            description.put(name + ".mean", Double.toString(mean));
        }
        int width = entity == Entity.USER ? items : users;
        Histories.Scale scale = history == FilesConfig.History.VALUES ? Histories.Scale.ROOT : Histories.Scale.MEAN;
        Interactions pairs = new Interactions(u, i, Map.of());
        // stored sparsely: 8 bytes per training interaction, whatever the numbers of users and items
        SparseRows stored = Histories.sparse(pairs, entity, users, items, values, scale);
        Histories.Scale declared = Histories.declared(stored, pairs, scale);
        schema.add(FeatureSpec.history(name, entity, width, declared));
        if (declared == null) {
            description.put(name + ".rescaled", "no: some training pairs have no " + config.historyLabel() + " or one equal to its"
                    + " mean (stored as 0), so a training row reads the rest of its history as stored, not rescaled without its own");
        }
        table.sparse(name, stored);
        description.put(name, history.name().toLowerCase(Locale.ROOT)
                + (history == FilesConfig.History.VALUES ? " of " + config.historyLabel() : ""));
    }

    private RankingCandidates rankings(Map<String, Interactions> interactions, InteractionRows testRows,
            Map<String, Integer> userIndex, boolean[] warmItem, long seed, Map<String, String> description) {
        Interactions test = interactions.get("test");
        int negatives = config.ranking().negatives();
        SplittableRandom random = new SplittableRandom(seed ^ RANKING_SALT);
        // each test user's rows, in user index order
        Map<Integer, List<Integer>> rowsOf = new java.util.TreeMap<>();
        for (int r = 0; r < test.size(); r++) {
            rowsOf.computeIfAbsent(test.users()[r], k -> new ArrayList<>()).add(r);
        }
        Map<Integer, Set<Integer>> seen = new HashMap<>();
        rowsOf.keySet().forEach(u -> seen.put(u, new HashSet<>()));
        for (Interactions split : interactions.values()) {
            for (int r = 0; r < split.size(); r++) {
                Set<Integer> items = seen.get(split.users()[r]);
                if (items != null) {
                    items.add(split.items()[r]);
                }
            }
        }
        // the test users' training pairs: a list whose positive is one of them ranks an item the user
        // already took (a repeated pair), which the model has trained on as this user's positive
        Map<Integer, Set<Integer>> trained = new HashMap<>();
        Interactions train = interactions.get(Dataset.TRAIN);
        for (int r = 0; r < train.size(); r++) {
            if (rowsOf.containsKey(train.users()[r])) {
                trained.computeIfAbsent(train.users()[r], u -> new HashSet<>()).add(train.items()[r]);
            }
        }
        int repeats = 0;
        int[] warm = IntStream.range(0, warmItem.length).filter(i -> warmItem[i]).toArray();
        int lists = rowsOf.size();
        int[] users = new int[lists];
        int[] positives = new int[lists];
        int[][] negativeLists = new int[lists][];
        int k = 0;
        for (Map.Entry<Integer, List<Integer>> e : rowsOf.entrySet()) {
            List<Integer> rows = e.getValue();
            int chosen;
            if (!Double.isNaN(testRows.timestamps[rows.get(0)])) {
                chosen = rows.get(0);
                for (int r : rows) {
                    if (testRows.compareTimes(r, chosen) >= 0) {
                        chosen = r;
                    }
                }
            } else {
                chosen = rows.get(random.nextInt(rows.size()));
            }
            users[k] = e.getKey();
            positives[k] = test.items()[chosen];
            if (trained.getOrDefault(users[k], Set.of()).contains(positives[k])) {
                repeats++;
            }
            negativeLists[k] = sampleNegatives(warm, seen.get(e.getKey()), negatives, random);
            k++;
        }
        description.put("rankings.test.repeatedPositives", Integer.toString(repeats));
        if (repeats > 0) {
            description.put("warning.rankingRepeats", String.format(Locale.ROOT, "%,d of the %,d ranking lists on test rank an item "
                    + "the user has a training row with (a repeated user-item pair): the model trained on that pair and its "
                    + "negatives are items the user never took, so HR and NDCG run higher than for new items; to rank only "
                    + "new items, keep one row per pair in the interactions file", repeats, lists));
        }
        return new RankingCandidates(users, positives, negativeLists);
    }

    /** @return up to {@code count} distinct items of {@code warm} outside {@code seen}, drawn uniformly */
    static int[] sampleNegatives(int[] warm, Set<Integer> seen, int count, SplittableRandom random) {
        int available = 0;
        for (int item : warm) {
            if (!seen.contains(item)) {
                available++;
            }
        }
        if (available <= 2 * count) {
            int[] pool = Arrays.stream(warm).filter(i -> !seen.contains(i)).toArray();
            int[] order = shuffled(pool.length, random);
            int take = Math.min(count, pool.length);
            int[] out = new int[take];
            for (int j = 0; j < take; j++) {
                out[j] = pool[order[j]];
            }
            return out;
        }
        Set<Integer> chosen = new HashSet<>();
        int[] out = new int[count];
        int j = 0;
        while (j < count) {
            int item = warm[random.nextInt(warm.length)];
            if (!seen.contains(item) && chosen.add(item)) {
                out[j++] = item;
            }
        }
        return out;
    }

    private static List<String> entityIds(SideFeatures file, Map<String, InteractionRows> splits, boolean users) {
        java.util.LinkedHashSet<String> ids = new java.util.LinkedHashSet<>();
        if (file != null) {
            ids.addAll(file.ids());
        }
        for (InteractionRows rows : splits.values()) {
            ids.addAll(Arrays.asList(users ? rows.users : rows.items));
        }
        return List.copyOf(ids);
    }

    /**
     * @param setting the share's path under {@code data.params}, for example {@code split.valid}
     * @return {@code round(share * rows)}
     * @throws DataException naming {@code data.params.<setting>} when a share above 0 rounds to none
     */
    private static int rowsOfShare(double share, int rows, String what, String setting, Path file) {
        int count = (int) Math.round(share * rows);
        if (share > 0 && count == 0 && rows > 0) { // no rows at all is said as such, after the split
            throw new DataException(file.toString(), 0, "data.params." + setting + ": a share of " + share + " of the "
                    + rows + " " + what + " is none; set a larger share, or 0 for none");
        }
        return count;
    }

    /**
     * Reads a split's own file ({@code split: {by: files}}), which must hold rows, must not be
     * a file another setting names and must write its timestamps in the form {@code train}'s do.
     */
    private InteractionRows splitFile(Path path, String key, Map<String, Path> others, InteractionRows train) {
        for (Map.Entry<String, Path> other : others.entrySet()) {
            if (path.toAbsolutePath().normalize().equals(other.getValue().toAbsolutePath().normalize())) {
                throw new DataException(path.toString(), 0, "data.params.split." + key + " names the file data.params."
                        + other.getKey() + " names: a split is evaluated on rows of its own");
            }
        }
        InteractionRows rows = InteractionRows.read(path, config.interactions(), "data.params.interactions");
        if (rows.size() == 0) {
            throw new DataException(path.toString(), 0, "no data rows (data.params.split." + key + "): the split would be empty");
        }
        if (train.timeForm != null && rows.timeForm != null) {
            // the splits' timestamps order rows against each other (recent values, repeated rows)
            train.timeForm.requireSame(rows.timeForm, config.interactions().timestamp());
        }
        return rows;
    }

    /**
     * Records a warning ({@code warning.repeatedRows}) when rows of a split are rows of an earlier
     * split too (train, valid, test: the same user, item and timestamp; with a timestamp column,
     * without one a pair may be taken again), counted by split, by the file each row was read
     * from (test rows held out by {@code coldUsers} / {@code coldItems} come from the interactions
     * file) and by the earlier split.
     */
    private static void warnAboutRepeatedRows(Map<String, InteractionRows> splits, Map<String, String> description) {
        InteractionRows train = splits.get(Dataset.TRAIN);
        if (train.size() == 0 || Double.isNaN(train.timestamps[0])) {
            return;
        }
        Map<String, String> firstSplit = new HashMap<>();
        // [split, file, earlier split] -> rows, in the order met
        Map<List<String>, Integer> repeated = new LinkedHashMap<>();
        splits.forEach((name, rows) -> {
            for (int r = 0; r < rows.size(); r++) {
                String key = rows.users[r] + '\u0000' + rows.items[r] + '\u0000' + rows.timestamps[r] + '\u0000' + rows.timestampRest[r];
                String first = firstSplit.putIfAbsent(key, name);
                if (first != null && !first.equals(name)) {
                    repeated.merge(List.of(name, rows.rowFiles[r].getFileName().toString(), first), 1, Integer::sum);
                }
            }
        });
        if (!repeated.isEmpty()) {
            Set<String> earlier = new HashSet<>();
            List<String> counts = new ArrayList<>();
            repeated.forEach((what, count) -> {
                counts.add(String.format(Locale.ROOT, "%,d %s rows of %s repeat %s rows", count, what.get(0), what.get(1), what.get(2)));
                earlier.add(what.get(2));
            });
            List<String> seen = new ArrayList<>();
            if (earlier.contains(Dataset.TRAIN)) {
                seen.add("what the model trained on");
            }
            if (earlier.contains(Dataset.VALID)) {
                seen.add("what it was validated on (early stopping, calibration)");
            }
            description.put("warning.repeatedRows", String.join(", ", counts) + " (the same user, item and timestamp): they are "
                    + "evaluated on " + String.join(" and ", seen));
        }
    }

    /**
     * Records a warning ({@code warning.<side>WithoutFeatures}) when most of the users or items the
     * interactions name are not in their side file: the ids are probably written differently.
     */
    private static void warnAboutUnmatchedIds(SideFeatures file, Map<String, InteractionRows> splits,
            Map<String, String> description) {
        if (file == null) {
            return;
        }
        boolean users = file.entity() == Entity.USER;
        Set<String> named = new java.util.LinkedHashSet<>();
        splits.values().forEach(rows -> named.addAll(Arrays.asList(users ? rows.users : rows.items)));
        Set<String> listed = new HashSet<>(file.ids());
        List<String> unmatched = named.stream().filter(id -> !listed.contains(id)).toList();
        if (unmatched.size() * 2 > named.size()) {
            String side = users ? "users" : "items";
            description.put("warning." + side + "WithoutFeatures", String.format(Locale.ROOT, "%,d of the %,d %s the interactions "
                    + "name are not in %s (such as '%s'; the file lists such as '%s'): they have no side features",
                    unmatched.size(), named.size(), side, file.file().getFileName(), unmatched.get(0),
                    file.ids().isEmpty() ? "" : file.ids().get(0)));
        }
    }

    private static Map<String, Integer> index(List<String> ids) {
        Map<String, Integer> out = new HashMap<>(ids.size() * 2);
        for (int i = 0; i < ids.size(); i++) {
            out.put(ids.get(i), i);
        }
        return out;
    }

    /** @return whether row {@code a} comes after row {@code b} (a later file row): by timestamp when there are any, else by the file */
    private static boolean later(InteractionRows rows, int a, int b) {
        if (Double.isNaN(rows.timestamps[a]) || Double.isNaN(rows.timestamps[b])) {
            return a > b;
        }
        int byTime = Double.compare(rows.timestamps[a], rows.timestamps[b]);
        if (byTime == 0) {
            byTime = Double.compare(rows.timestampRest[a], rows.timestampRest[b]);
        }
        return byTime != 0 ? byTime > 0 : a > b;
    }

    private static Interactions toInteractions(InteractionRows rows, Map<String, Integer> userIndex, Map<String, Integer> itemIndex,
            Map<String, float[]> features) {
        int[] u = new int[rows.size()];
        int[] i = new int[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            u[r] = userIndex.get(rows.users[r]);
            i[r] = itemIndex.get(rows.items[r]);
        }
        Path[] files = rows.rowFiles; // not rows: the origins outlive the parsed cells
        int[] lines = rows.lines;
        return new Interactions(u, i, rows.labels, features).withOrigins(r -> new Interactions.Origin(files[r].toString(), lines[r]));
    }

    /** @return codes 1.. in index order for the flagged entities, 0 for the others */
    private static int[] codes(boolean[] flagged) {
        int[] codes = new int[flagged.length];
        int next = 1;
        for (int e = 0; e < flagged.length; e++) {
            codes[e] = flagged[e] ? next++ : 0;
        }
        return codes;
    }

    private static int count(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            if (f) {
                n++;
            }
        }
        return n;
    }

    /** @return a seeded permutation of {@code 0..n-1} */
    static int[] shuffled(int n, SplittableRandom random) {
        int[] order = IntStream.range(0, n).toArray();
        for (int k = n - 1; k > 0; k--) {
            int j = random.nextInt(k + 1);
            int t = order[k];
            order[k] = order[j];
            order[j] = t;
        }
        return order;
    }

    @Override
    public String toString() {
        return "files(" + config.interactions().file() + ", " + config.split().by().name().toLowerCase(Locale.ROOT) + ")";
    }
}
