package dev.taskweave.plugins.movielens;

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
import dev.taskweave.api.data.NumericScale;
import dev.taskweave.api.data.RankingCandidates;
import dev.taskweave.api.data.RecentValues;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Reads MovieLens-100K and splits it as configured. */
public final class MovieLensSource implements DatasetSource {
    /**
     * Description key listing, comma-separated, the item entity indices whose genre flags are
     * hidden (benchmark mode only).
     */
    public static final String GENRE_HIDDEN_ITEMS = "genreHiddenItems";
    /** The attribute-only split on which the benchmark's genre-hidden items are evaluated. */
    public static final String GENRE_HIDDEN_SPLIT = "genre_hidden";
    /** Feature: the items a user rated in training (with {@code history: implicit|ratings}). */
    public static final String USER_HISTORY = "user_history";
    /** Feature: how the user's latest ratings differ from their mean (with {@code recentRatings}). */
    public static final String USER_RECENT_RATING = "user_recent_rating";
    /** Feature: the users who rated an item in training (with {@code history: implicit|ratings}). */
    public static final String ITEM_HISTORY = "item_history";
    /** The attribute-only split holding the {@code attributeHoldout} users and items. */
    public static final String ATTRIBUTE_TEST_SPLIT = "attribute_test";
    /** The user attributes, each named after the feature it is read from. */
    static final List<String> USER_ATTRIBUTES = List.of("user_gender", "user_age", "user_occupation");
    /** The item attribute: the 19 genre flags. */
    static final String ITEM_GENRES = "item_genres";
    /** Mixed into the seed of the attribute holdout draw. */
    /** item_year is read as decades from 1990 ((year - 1990) / 10); serving takes the year itself */
    private static final NumericScale YEAR_SCALE = new NumericScale(false, 1990, 10);
    private static final long HOLDOUT_SALT = 0x6174747269627574L;
    /** Mixed into the seed of the genre validation draw. */
    private static final long GENRE_VALID_SALT = 0x67656e726556616cL;

    private final MovieLensConfig config;
    private final DataContext context;

    MovieLensSource(MovieLensConfig config, DataContext context) {
        this.config = requireNonNull(config, "config is null");
        this.context = requireNonNull(context, "context is null");
    }

    @Override
    public Dataset load() {
        config.validate();
        Path directory = context.resolve(config.directory());
        MovieLensCatalog catalog = MovieLensCatalog.read(directory);
        Map<String, String> description = new LinkedHashMap<>();
        description.put("source", "movielens");
        description.put("directory", directory.toString());

        Map<String, Ratings> splits = new LinkedHashMap<>();
        Map<String, RankingCandidates> rankings = new LinkedHashMap<>();
        List<Integer> genreHidden = List.of();
        String name;
        switch (config.splitMode()) {
            case BENCHMARK -> {
                Path benchmarkDirectory = context.resolve(config.benchmark());
                Benchmark benchmark = Benchmark.read(benchmarkDirectory, catalog);
                splits.putAll(benchmark.splits());
                if (config.validRankings() > 0) {
                    rankings.put("valid", validRankings(splits.get("train"), splits.get("valid"), catalog.items(),
                            config.validRankings(), new SplittableRandom(seed())));
                    description.put("validRankings.seed", Long.toString(seed()));
                }
                rankings.put("test", benchmark.ranking());
                genreHidden = benchmark.genreHidden();
                description.put("splitMode", "benchmark");
                description.put("benchmark", benchmarkDirectory.toString());
                description.put("coldUsers", Integer.toString(benchmark.coldUsers().size()));
                description.put("coldItems", Integer.toString(benchmark.coldItems().size()));
                name = "movielens-100k (ml100k-mtl benchmark)";
            }
            case FOLD -> {
                long seed = seed();
                Ratings base = Ratings.read(directory.resolve(config.fold() + ".base"), false, catalog);
                boolean[] valid = carve(base.size(), new double[] {config.validFraction()}, new SplittableRandom(seed))[0];
                requireSome(count(valid), base.size(), "validFraction", config.validFraction(), "ratings",
                        directory.resolve(config.fold() + ".base"));
                splits.put("train", base.select(valid, false));
                splits.put("valid", base.select(valid, true));
                splits.put("test", Ratings.read(directory.resolve(config.fold() + ".test"), false, catalog));
                description.put("splitMode", "fold");
                description.put("fold", config.fold());
                description.put("validFraction", Double.toString(config.validFraction()));
                description.put("seed", Long.toString(seed));
                name = "movielens-100k (fold " + config.fold() + ")";
            }
            case RANDOM -> {
                long seed = seed();
                Ratings all = Ratings.read(directory.resolve("u.data"), false, catalog);
                boolean[][] held = carve(all.size(), new double[] {config.validFraction(), config.testFraction()},
                        new SplittableRandom(seed));
                requireSome(count(held[0]), all.size(), "validFraction", config.validFraction(), "ratings", directory.resolve("u.data"));
                requireSome(count(held[1]), all.size(), "testFraction", config.testFraction(), "ratings", directory.resolve("u.data"));
                boolean[] either = new boolean[all.size()];
                for (int r = 0; r < either.length; r++) {
                    either[r] = held[0][r] || held[1][r];
                }
                splits.put("train", all.select(either, false));
                splits.put("valid", all.select(held[0], true));
                splits.put("test", all.select(held[1], true));
                description.put("splitMode", "random");
                description.put("validFraction", Double.toString(config.validFraction()));
                description.put("testFraction", Double.toString(config.testFraction()));
                description.put("seed", Long.toString(seed));
                name = "movielens-100k (random split, seed " + seed + ")";
            }
            default -> throw new IllegalStateException("unknown split mode " + config.splitMode());
        }

        Ratings train = splits.get("train");
        int[] userCodes = trainCodes(train.users(), catalog.users());
        int[] itemCodes = trainCodes(train.items(), catalog.items());
        int knownUsers = Arrays.stream(userCodes).max().orElse(0);
        int knownItems = Arrays.stream(itemCodes).max().orElse(0);

        int genres = catalog.genres().size();
        float[] trueGenres = catalog.genreFlags();
        int[] gender = catalog.gender();
        int[] age = catalog.ageBucket();
        int[] occupation = catalog.occupation();
        Map<String, EntityAttribute> attributes = new LinkedHashMap<>();
        // classes are the feature codes minus one, in the order of USER_ATTRIBUTES
        attributes.put(USER_ATTRIBUTES.get(0), classAttribute(USER_ATTRIBUTES.get(0), MovieLensCatalog.GENDERS.size(), gender));
        attributes.put(USER_ATTRIBUTES.get(1), classAttribute(USER_ATTRIBUTES.get(1), MovieLensCatalog.AGE_VOCABULARY - 1, age));
        attributes.put(USER_ATTRIBUTES.get(2),
                classAttribute(USER_ATTRIBUTES.get(2), catalog.occupations().size(), occupation));
        boolean[] allItems = new boolean[catalog.items()];
        Arrays.fill(allItems, true);
        attributes.put(ITEM_GENRES, new EntityAttribute(ITEM_GENRES, Entity.ITEM, EntityAttribute.Kind.MULTI_LABEL, genres,
                trueGenres, allItems));

        boolean benchmarkMode = config.splitMode() == MovieLensConfig.SplitMode.BENCHMARK;
        int[] heldUsers = new int[0];
        int[] heldItems = new int[0];
        if (config.attributeHoldout() > 0) {
            // a stream of its own, so that the holdout does not move with the row split's draws
            SplittableRandom holdout = new SplittableRandom(seed() ^ HOLDOUT_SALT);
            heldUsers = choose(catalog.users(), config.attributeHoldout(), holdout.split());
            requireSome(heldUsers.length, catalog.users(), "attributeHoldout", config.attributeHoldout(), "users",
                    directory.resolve("u.user"));
            SplittableRandom itemRandom = holdout.split();
            if (!benchmarkMode) {
                heldItems = choose(catalog.items(), config.attributeHoldout(), itemRandom);
                requireSome(heldItems.length, catalog.items(), "attributeHoldout", config.attributeHoldout(), "items",
                        directory.resolve("u.item"));
            }
        }
        int[] validItems = config.genreValidFraction() > 0
                ? genreValidItems(itemCodes, genreHidden, heldItems, config.genreValidFraction(),
                        new SplittableRandom(seed() ^ GENRE_VALID_SALT))
                : new int[0];
        if (config.genreValidFraction() > 0) {
            requireSome(validItems.length, genreValidEligible(itemCodes, genreHidden, heldItems).length, "genreValidFraction",
                    config.genreValidFraction(), "items with training ratings and visible genres", directory.resolve("u.item"));
        }
        // the features of the same name must not leak a held-out label
        float[] genreFlags = trueGenres.clone();
        int[] validHidden = config.genreValidFeatures() == MovieLensConfig.GenreValidFeatures.HIDDEN ? validItems : new int[0];
        for (int[] hidden : new int[][] {genreHidden.stream().mapToInt(Integer::intValue).toArray(), heldItems, validHidden}) {
            for (int item : hidden) {
                Arrays.fill(genreFlags, item * genres, (item + 1) * genres, 0f);
            }
        }
        for (int user : heldUsers) {
            gender[user] = 0;
            age[user] = 0;
            occupation[user] = 0;
        }
        Map<String, Map<String, int[]>> attributeEvaluation = new LinkedHashMap<>();
        if (benchmarkMode) {
            attributeEvaluation.put(GENRE_HIDDEN_SPLIT,
                    Map.of(ITEM_GENRES, genreHidden.stream().mapToInt(Integer::intValue).toArray()));
        }
        Map<String, int[]> heldOut = new LinkedHashMap<>();
        if (heldUsers.length > 0) {
            for (String attribute : USER_ATTRIBUTES) {
                heldOut.put(attribute, heldUsers.clone());
            }
        }
        if (heldItems.length > 0) {
            heldOut.put(ITEM_GENRES, heldItems.clone());
        }
        if (!heldOut.isEmpty()) {
            attributeEvaluation.put(ATTRIBUTE_TEST_SPLIT, heldOut);
        }
        if (validItems.length > 0) {
            attributeEvaluation.put(Dataset.VALID, Map.of(ITEM_GENRES, validItems));
        }

        int[] years = catalog.releaseYear();
        int[] decades = IntStream.of(years).filter(y -> y != 0).map(y -> y / 10 * 10).distinct().sorted().toArray();
        int[] decadeCodes = new int[years.length];
        float[] yearValues = new float[years.length];
        for (int i = 0; i < years.length; i++) {
            decadeCodes[i] = years[i] == 0 ? 0 : Arrays.binarySearch(decades, years[i] / 10 * 10) + 1;
            yearValues[i] = years[i] == 0 ? 0f : (float) YEAR_SCALE.apply(years[i]);
        }

        List<FeatureSpec> features = new ArrayList<>(List.of(
                FeatureSpec.identifier("user_id", Entity.USER, knownUsers + 1),
                FeatureSpec.categorical("user_gender", Entity.USER, MovieLensCatalog.GENDERS),
                FeatureSpec.categorical("user_age", Entity.USER, MovieLensCatalog.AGE_LABELS),
                FeatureSpec.categorical("user_occupation", Entity.USER, catalog.occupations()),
                FeatureSpec.categorical("user_zip_region", Entity.USER, MovieLensCatalog.ZIP_LABELS),
                FeatureSpec.identifier("item_id", Entity.ITEM, knownItems + 1),
                FeatureSpec.multiHot("item_genres", Entity.ITEM, catalog.genres()),
                FeatureSpec.categorical("item_decade", Entity.ITEM, IntStream.of(decades).mapToObj(d -> d + "s").toList()),
                FeatureSpec.numeric("item_year", Entity.ITEM, YEAR_SCALE)));
        EntityTable.Builder userTable = EntityTable.builder(Entity.USER, catalog.userIds())
                .categorical("user_id", userCodes)
                .categorical("user_gender", gender)
                .categorical("user_age", age)
                .categorical("user_occupation", occupation)
                .categorical("user_zip_region", catalog.zipRegion());
        EntityTable.Builder itemTable = EntityTable.builder(Entity.ITEM, catalog.itemIds())
                .categorical("item_id", itemCodes)
                .dense("item_genres", genres, genreFlags)
                .categorical("item_decade", decadeCodes)
                .dense("item_year", 1, yearValues);
        Interactions trainRows = new Interactions(train.users(), train.items(), Map.of());
        addHistory(USER_HISTORY, Entity.USER, config.userHistory(), catalog, trainRows, train, userTable, features, description);
        addHistory(ITEM_HISTORY, Entity.ITEM, config.itemHistory(), catalog, trainRows, train, itemTable, features, description);
        Map<String, Map<String, float[]>> perRow = recentRatings(config.recentRatings(), splits, catalog, trainRows,
                userTable, features, description);
        EntityTable users = userTable.build();
        EntityTable items = itemTable.build();

        Map<String, Interactions> interactions = new LinkedHashMap<>();
        splits.forEach((split, ratings) -> interactions.put(split, ratings.toInteractions(perRow.getOrDefault(split, Map.of()))));

        description.put("users", Integer.toString(catalog.users()));
        description.put("items", Integer.toString(catalog.items()));
        description.put("trainUsers", Integer.toString(knownUsers));
        description.put("trainItems", Integer.toString(knownItems));
        splits.forEach((split, ratings) -> description.put("rows." + split, Integer.toString(ratings.size())));
        description.put("genres", String.join(",", catalog.genres()));
        description.put("itemDecades", IntStream.of(decades).mapToObj(Integer::toString).collect(Collectors.joining(",")));
        description.put("itemsWithoutReleaseDate", Long.toString(IntStream.of(years).filter(y -> y == 0).count()));
        if (config.splitMode() == MovieLensConfig.SplitMode.BENCHMARK) {
            description.put(GENRE_HIDDEN_ITEMS, genreHidden.stream().map(String::valueOf).collect(Collectors.joining(",")));
        }
        description.put("attributes", String.join(",", attributes.keySet()));
        description.put("attributeHoldout", Double.toString(config.attributeHoldout()));
        if (config.attributeHoldout() > 0) {
            description.put("attributeHoldout.users", Integer.toString(heldUsers.length));
            description.put("attributeHoldout.items", Integer.toString(heldItems.length));
            if (benchmarkMode) {
                description.put("attributeHoldout.seed", Long.toString(seed()));
            }
        }
        if (validItems.length > 0) {
            description.put("genreValidFraction", Double.toString(config.genreValidFraction()));
            description.put("genreValidItems", Integer.toString(validItems.length));
            description.put("genreValidFeatures", config.genreValidFeatures().name().toLowerCase(Locale.ROOT));
            description.put("genreValid.seed", Long.toString(seed()));
        }
        rankings.forEach((split, r) -> {
            description.put("rankings." + split + ".lists", Integer.toString(r.size()));
            TreeSet<Integer> lengths = new TreeSet<>();
            for (int[] negatives : r.negatives()) {
                lengths.add(negatives.length);
            }
            description.put("rankings." + split + ".negatives",
                    lengths.stream().map(String::valueOf).collect(Collectors.joining(",")));
        });

        return new Dataset(name, features, users, items, interactions, rankings, description, attributes,
                attributeEvaluation);
    }

    /**
     * Adds {@code user_recent_rating} ({@code recentRatings: k}, {@link MovieLensConfig#recentRatings()}):
     * the users' current values to their table, and per split each row's value as of its timestamp.
     *
     * @return per split name, its feature columns (empty with {@code k = 0})
     */
    private static Map<String, Map<String, float[]>> recentRatings(int window, Map<String, Ratings> splits,
            MovieLensCatalog catalog, Interactions trainRows, EntityTable.Builder userTable, List<FeatureSpec> features,
            Map<String, String> description) {
        if (window == 0) {
            return Map.of();
        }
        Ratings train = splits.get(Dataset.TRAIN);
        RecentValues recent = RecentValues.of(trainRows, train.times(), train.ratings(), Entity.USER, catalog.users(), window);
        features.add(FeatureSpec.recent(USER_RECENT_RATING, Entity.USER));
        userTable.dense(USER_RECENT_RATING, 1, recent.current());
        Map<String, Map<String, float[]>> columns = new LinkedHashMap<>();
        splits.forEach((split, ratings) -> columns.put(split, Map.of(USER_RECENT_RATING,
                split.equals(Dataset.TRAIN) ? recent.training() : recent.at(ratings.users(), ratings.times()))));
        description.put("recentRatings", Integer.toString(window));
        return columns;
    }

    /**
     * Adds one side's history feature ({@code userHistory} or {@code itemHistory}): who the entity
     * interacted with in training, each entry 1 scaled by 1/n ({@code implicit}) or the centred
     * rating scaled by 1/sqrt(n) ({@code ratings}).
     */
    private static void addHistory(String name, Entity entity, MovieLensConfig.History history, MovieLensCatalog catalog,
            Interactions trainRows, Ratings train, EntityTable.Builder table, List<FeatureSpec> features, Map<String, String> description) {
        if (history == MovieLensConfig.History.NONE) {
            return;
        }
        int width = entity == Entity.USER ? catalog.items() : catalog.users();
        boolean rated = history == MovieLensConfig.History.RATINGS;
        Histories.Scale scale = rated ? Histories.Scale.ROOT : Histories.Scale.MEAN;
        float[] values = rated ? centred(train.ratings()) : null;
        SparseRows rows = Histories.sparse(trainRows, entity, catalog.users(), catalog.items(), values, scale);
        Histories.Scale declared = Histories.declared(rows, trainRows, scale);
        features.add(FeatureSpec.history(name, entity, width, declared));
        if (declared == null) {
            description.put(name + ".rescaled", "no: a training pair repeats or a centred rating is 0, so a training row"
                    + " reads the rest of its history as stored, not rescaled without its own");
        }
        table.sparse(name, rows);
        description.put(entity == Entity.USER ? "userHistory" : "itemHistory", history.name().toLowerCase(java.util.Locale.ROOT));
    }

    /** @return each rating minus their mean */
    static float[] centred(float[] ratings) {
        double mean = 0;
        for (float r : ratings) {
            mean += r;
        }
        mean = ratings.length == 0 ? 0 : mean / ratings.length;
        float[] out = new float[ratings.length];
        for (int k = 0; k < ratings.length; k++) {
            out[k] = (float) (ratings[k] - mean);
        }
        return out;
    }

    /** A class attribute from feature codes 1..width (class = code - 1); every entity is known. */
    private static EntityAttribute classAttribute(String name, int width, int[] codes) {
        float[] values = new float[codes.length];
        boolean[] known = new boolean[codes.length];
        for (int e = 0; e < codes.length; e++) {
            if (codes[e] < 1 || codes[e] > width) {
                throw new IllegalStateException(name + ": code " + codes[e] + " of entity " + e + " is outside 1.." + width);
            }
            values[e] = codes[e] - 1;
            known[e] = true;
        }
        return new EntityAttribute(name, Entity.USER, EntityAttribute.Kind.CLASS, width, values, known);
    }

    /**
     * The items whose genres validate a genre task: a share of those with training ratings whose
     * genres are neither hidden by the benchmark nor held out by {@code attributeHoldout}, so they
     * resemble the benchmark's genre-hidden items (warm items); cold items keep their genres, which
     * are all a cold item has.
     */
    static int[] genreValidItems(int[] itemCodes, List<Integer> genreHidden, int[] heldItems, double fraction,
            SplittableRandom random) {
        int[] eligible = genreValidEligible(itemCodes, genreHidden, heldItems);
        return IntStream.of(choose(eligible.length, fraction, random)).map(k -> eligible[k]).sorted().toArray();
    }

    /** @return the items {@link #genreValidItems} chooses from: with training ratings, neither genre-hidden nor held out */
    private static int[] genreValidEligible(int[] itemCodes, List<Integer> genreHidden, int[] heldItems) {
        boolean[] excluded = new boolean[itemCodes.length];
        genreHidden.forEach(i -> excluded[i] = true);
        for (int i : heldItems) {
            excluded[i] = true;
        }
        return IntStream.range(0, itemCodes.length).filter(i -> itemCodes[i] > 0 && !excluded[i]).toArray();
    }

    /**
     * @param held    how many of the {@code of} rows or entities a share chose
     * @param param   the share's parameter, named in the error
     * @throws DataException naming {@code data.params.<param>} when a share above 0 rounds to none:
     *     its split would be empty (attributes never evaluated, no validation or test rows), as if
     *     the share were 0, without a word
     */
    private static void requireSome(int held, int of, String param, double share, String what, Path file) {
        if (held == 0 && share > 0 && of > 0) {
            throw new DataException(file.toString(), 0, "data.params." + param + ": a share of " + share + " of the " + of + " "
                    + what + " is none; set a larger share, or 0 for none");
        }
    }

    private static int count(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            n += f ? 1 : 0;
        }
        return n;
    }

    /** @return {@code round(fraction * entities)} entity indices chosen by a seeded shuffle, ascending */
    static int[] choose(int entities, double fraction, SplittableRandom random) {
        boolean[] chosen = carve(entities, new double[] {fraction}, random)[0];
        return IntStream.range(0, entities).filter(e -> chosen[e]).toArray();
    }

    /**
     * The validation split's ranking lists, drawn as {@code rank_candidates.tsv}'s are for test
     * without reading any test file: per user with a validation rating (in the order users first
     * appear in {@code valid}), one of those ratings' items as the positive and {@code negatives}
     * items with training ratings that the user rated in neither split (fewer when fewer exist; a
     * user with none left gets no list).
     */
    static RankingCandidates validRankings(Ratings train, Ratings valid, int items, int negatives, SplittableRandom random) {
        java.util.Map<Integer, List<Integer>> validItems = new LinkedHashMap<>();
        for (int r = 0; r < valid.size(); r++) {
            validItems.computeIfAbsent(valid.users()[r], u -> new ArrayList<>()).add(valid.items()[r]);
        }
        java.util.Map<Integer, java.util.Set<Integer>> rated = new java.util.HashMap<>();
        boolean[] warm = new boolean[items];
        for (int r = 0; r < train.size(); r++) {
            rated.computeIfAbsent(train.users()[r], u -> new java.util.HashSet<>()).add(train.items()[r]);
            warm[train.items()[r]] = true;
        }
        validItems.forEach((user, list) -> rated.computeIfAbsent(user, u -> new java.util.HashSet<>()).addAll(list));
        int n = validItems.size();
        int[] users = new int[n];
        int[] positives = new int[n];
        int[][] lists = new int[n][];
        int k = 0;
        for (java.util.Map.Entry<Integer, List<Integer>> e : validItems.entrySet()) {
            int positive = e.getValue().get(random.nextInt(e.getValue().size()));
            java.util.Set<Integer> seen = rated.get(e.getKey());
            int[] pool = java.util.stream.IntStream.range(0, items).filter(i -> warm[i] && !seen.contains(i)).toArray();
            // a partial Fisher-Yates shuffle: the first m of the pool, uniformly without replacement
            int m = Math.min(negatives, pool.length);
            for (int j = 0; j < m; j++) {
                int swap = j + random.nextInt(pool.length - j);
                int t = pool[j];
                pool[j] = pool[swap];
                pool[swap] = t;
            }
            if (m == 0) {
                continue; // a user who rated every item with training ratings: nothing to rank the positive against
            }
            users[k] = e.getKey();
            positives[k] = positive;
            lists[k] = Arrays.copyOf(pool, m);
            k++;
        }
        return new RankingCandidates(Arrays.copyOf(users, k), Arrays.copyOf(positives, k), Arrays.copyOf(lists, k));
    }

    private long seed() {
        return config.seed() != null ? config.seed() : context.seed();
    }

    /**
     * Marks {@code round(fraction * rows)} rows per fraction, chosen by a seeded shuffle, disjointly.
     *
     * @return one flag array per fraction
     */
    static boolean[][] carve(int rows, double[] fractions, SplittableRandom random) {
        int[] order = new int[rows];
        for (int r = 0; r < rows; r++) {
            order[r] = r;
        }
        for (int k = rows - 1; k > 0; k--) {
            int j = random.nextInt(k + 1);
            int t = order[k];
            order[k] = order[j];
            order[j] = t;
        }
        boolean[][] flags = new boolean[fractions.length][rows];
        int next = 0;
        for (int f = 0; f < fractions.length; f++) {
            long count = Math.round(fractions[f] * rows);
            for (long c = 0; c < count && next < rows; c++) {
                flags[f][order[next++]] = true;
            }
        }
        return flags;
    }

    /** Entity-index-order codes 1.. for entities with a training row; 0 for the others. */
    static int[] trainCodes(int[] trainEntities, int entities) {
        boolean[] seen = new boolean[entities];
        for (int e : trainEntities) {
            seen[e] = true;
        }
        int[] codes = new int[entities];
        int next = 1;
        for (int e = 0; e < entities; e++) {
            codes[e] = seen[e] ? next++ : 0;
        }
        return codes;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "movielens(%s, %s)", config.directory(), config.splitMode());
    }
}
