package dev.taskweave.plugins.movielens;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.DataException;
import dev.taskweave.api.data.RankingCandidates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * The ml100k-mtl benchmark files: five rating splits, the cold user and item lists, the items whose
 * genres are hidden and the ranking candidate lists.
 *
 * @param splits      train, valid, test, test_cold_user, test_cold_item, in that order
 * @param coldUsers   user entity indices from cold_users.txt, in file order
 * @param coldItems   item entity indices from cold_items.txt, in file order
 * @param genreHidden item entity indices from genre_hidden_items.txt, in file order
 * @param ranking     the lists of rank_candidates.tsv
 */
record Benchmark(Map<String, Ratings> splits, List<Integer> coldUsers, List<Integer> coldItems,
        List<Integer> genreHidden, RankingCandidates ranking) {
    /** The split names, each read from {@code <name>.tsv}. */
    static final List<String> SPLITS = List.of("train", "valid", "test", "test_cold_user", "test_cold_item");
    /** The header line of rank_candidates.tsv. */
    static final String RANKING_HEADER = "user\tpositive\tnegatives";

    Benchmark {
        requireNonNull(splits, "splits is null");
        requireNonNull(coldUsers, "coldUsers is null");
        requireNonNull(coldItems, "coldItems is null");
        requireNonNull(genreHidden, "genreHidden is null");
        requireNonNull(ranking, "ranking is null");
    }

    static Benchmark read(Path directory, MovieLensCatalog catalog) {
        requireNonNull(directory, "directory is null");
        requireNonNull(catalog, "catalog is null");
        Map<String, Ratings> splits = new LinkedHashMap<>();
        for (String split : SPLITS) {
            splits.put(split, Ratings.read(directory.resolve(split + ".tsv"), true, catalog));
        }
        List<Integer> coldUsers = ids(directory.resolve("cold_users.txt"), "user", catalog::userIndex);
        List<Integer> coldItems = ids(directory.resolve("cold_items.txt"), "item", catalog::itemIndex);
        List<Integer> genreHidden = ids(directory.resolve("genre_hidden_items.txt"), "item", catalog::itemIndex);
        Set<Integer> coldUserSet = Set.copyOf(coldUsers);
        Set<Integer> coldItemSet = Set.copyOf(coldItems);
        for (String split : List.of("train", "valid")) {
            Ratings r = splits.get(split);
            for (int row = 0; row < r.size(); row++) {
                if (coldUserSet.contains(r.users()[row]) || coldItemSet.contains(r.items()[row])) {
                    throw new DataException(directory.resolve(split + ".tsv").toString(), r.lines()[row], "user "
                            + catalog.userIds().get(r.users()[row]) + " or item " + catalog.itemIds().get(r.items()[row])
                            + " is listed in cold_users.txt or cold_items.txt, so it must have no " + split + " rows");
                }
            }
        }
        RankingCandidates ranking = rankings(directory.resolve("rank_candidates.tsv"), catalog);
        return new Benchmark(splits, coldUsers, coldItems, genreHidden, ranking);
    }

    /** Reads one id per line; every id must be in the catalog and appear once. */
    private static List<Integer> ids(Path file, String entity, ToIntFunction<String> index) {
        Set<Integer> indices = new LinkedHashSet<>();
        for (TextFile.Line line : TextFile.read(file, StandardCharsets.UTF_8)) {
            String id = line.text().strip();
            int i = index.applyAsInt(id);
            if (i < 0) {
                throw new DataException(file.toString(), line.number(), entity + " id '" + id + "' is not in u." + entity);
            }
            if (!indices.add(i)) {
                throw new DataException(file.toString(), line.number(), entity + " id " + id + " appears twice");
            }
        }
        return List.copyOf(indices);
    }

    private static RankingCandidates rankings(Path file, MovieLensCatalog catalog) {
        String name = file.toString();
        List<TextFile.Line> lines = TextFile.read(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || lines.get(0).number() != 1 || !lines.get(0).text().strip().equals(RANKING_HEADER)) {
            throw new DataException(name, 1, "expected the header line 'user positive negatives' (tab-separated), found "
                    + (lines.isEmpty() ? "an empty file" : "'" + lines.get(0).text() + "'"));
        }
        int n = lines.size() - 1;
        int[] users = new int[n];
        int[] positives = new int[n];
        int[][] negatives = new int[n][];
        for (int k = 0; k < n; k++) {
            TextFile.Line line = lines.get(k + 1);
            String[] f = TextFile.fields(line.text(), '\t');
            if (f.length != 3) {
                throw new DataException(name, line.number(),
                        "expected 3 tab-separated fields (user positive negatives), found " + f.length);
            }
            users[k] = known(name, line.number(), "user", f[0], catalog.userIndex(f[0]));
            positives[k] = known(name, line.number(), "item", f[1], catalog.itemIndex(f[1]));
            String[] ids = TextFile.fields(f[2], ',');
            List<Integer> list = new ArrayList<>(ids.length);
            for (String id : ids) {
                list.add(known(name, line.number(), "item", id, catalog.itemIndex(id)));
            }
            negatives[k] = list.stream().mapToInt(Integer::intValue).toArray();
        }
        return new RankingCandidates(users, positives, negatives);
    }

    private static int known(String file, int line, String entity, String id, int index) {
        if (index < 0) {
            throw new DataException(file, line, entity + " id '" + id + "' is not in u." + entity);
        }
        return index;
    }
}
