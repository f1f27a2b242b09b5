package dev.taskweave.plugins.movielens;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.data.DataContext;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.api.data.DatasetSource;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.EntityTable;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.data.Interactions;
import dev.taskweave.api.data.RankingCandidates;
import java.nio.file.Path;
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

    private final MovieLensConfig config;
    private final DataContext context;

    MovieLensSource(MovieLensConfig config, DataContext context) {
        this.config = requireNonNull(config, "config is null");
        this.context = requireNonNull(context, "context is null");
    }

    @Override
    public Dataset load() {
        return read().dataset();
    }

    /** @return the dataset and the genre flags it withholds */
    public MovieLensData read() {
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
        float[] genreFlags = catalog.genreFlags();
        Map<Integer, float[]> hiddenGenres = new LinkedHashMap<>();
        for (int item : genreHidden) {
            hiddenGenres.put(item, Arrays.copyOfRange(genreFlags, item * genres, (item + 1) * genres));
            Arrays.fill(genreFlags, item * genres, (item + 1) * genres, 0f);
        }
        int[] years = catalog.releaseYear();
        int[] decades = IntStream.of(years).filter(y -> y != 0).map(y -> y / 10 * 10).distinct().sorted().toArray();
        int[] decadeCodes = new int[years.length];
        float[] yearValues = new float[years.length];
        for (int i = 0; i < years.length; i++) {
            decadeCodes[i] = years[i] == 0 ? 0 : Arrays.binarySearch(decades, years[i] / 10 * 10) + 1;
            yearValues[i] = years[i] == 0 ? 0f : (years[i] - 1990) / 10f;
        }

        List<FeatureSpec> features = List.of(
                FeatureSpec.identifier("user_id", Entity.USER, knownUsers + 1),
                FeatureSpec.categorical("user_gender", Entity.USER, MovieLensCatalog.GENDERS.size() + 1),
                FeatureSpec.categorical("user_age", Entity.USER, MovieLensCatalog.AGE_VOCABULARY),
                FeatureSpec.categorical("user_occupation", Entity.USER, catalog.occupations().size() + 1),
                FeatureSpec.categorical("user_zip_region", Entity.USER, MovieLensCatalog.ZIP_VOCABULARY),
                FeatureSpec.identifier("item_id", Entity.ITEM, knownItems + 1),
                FeatureSpec.multiHot("item_genres", Entity.ITEM, genres),
                FeatureSpec.categorical("item_decade", Entity.ITEM, decades.length + 1),
                FeatureSpec.numeric("item_year", Entity.ITEM));
        EntityTable users = EntityTable.builder(Entity.USER, catalog.userIds())
                .categorical("user_id", userCodes)
                .categorical("user_gender", catalog.gender())
                .categorical("user_age", catalog.ageBucket())
                .categorical("user_occupation", catalog.occupation())
                .categorical("user_zip_region", catalog.zipRegion())
                .build();
        EntityTable items = EntityTable.builder(Entity.ITEM, catalog.itemIds())
                .categorical("item_id", itemCodes)
                .dense("item_genres", genres, genreFlags)
                .categorical("item_decade", decadeCodes)
                .dense("item_year", 1, yearValues)
                .build();

        Map<String, Interactions> interactions = new LinkedHashMap<>();
        splits.forEach((split, ratings) -> interactions.put(split, ratings.toInteractions()));

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
        rankings.forEach((split, r) -> {
            description.put("rankings." + split + ".lists", Integer.toString(r.size()));
            TreeSet<Integer> lengths = new TreeSet<>();
            for (int[] negatives : r.negatives()) {
                lengths.add(negatives.length);
            }
            description.put("rankings." + split + ".negatives",
                    lengths.stream().map(String::valueOf).collect(Collectors.joining(",")));
        });

        Dataset dataset = new Dataset(name, features, users, items, interactions, rankings, description);
        return new MovieLensData(dataset, hiddenGenres);
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
