package dev.taskweave.plugins.movielens;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.DataException;
import dev.taskweave.api.data.RankingCandidates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
        List<Integer> coldUsers = List.copyOf(ids(directory.resolve("cold_users.txt"), "user", catalog::userIndex).keySet());
        List<Integer> coldItems = List.copyOf(ids(directory.resolve("cold_items.txt"), "item", catalog::itemIndex).keySet());
        Map<Integer, Integer> hidden = ids(directory.resolve("genre_hidden_items.txt"), "item", catalog::itemIndex);
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
        // each test file holds the slice its name says (PROTOCOL.md): a row of another is scored as the wrong kind
        checkSlice(directory, splits, "test", false, false, coldUserSet, coldItemSet, catalog);
        checkSlice(directory, splits, "test_cold_user", true, false, coldUserSet, coldItemSet, catalog);
        checkSlice(directory, splits, "test_cold_item", false, true, coldUserSet, coldItemSet, catalog);
        hidden.forEach((item, line) -> {
            if (coldItemSet.contains(item)) {
                throw new DataException(directory.resolve("genre_hidden_items.txt").toString(), line, "item "
                        + catalog.itemIds().get(item) + " is listed in cold_items.txt; the items whose genres are hidden are warm"
                        + " items (PROTOCOL.md)");
            }
        });
        Lists lists = rankings(directory.resolve("rank_candidates.tsv"), catalog);
        checkRanking(directory.resolve("rank_candidates.tsv").toString(), lists, splits, coldUserSet, catalog);
        RankingCandidates ranking = lists.candidates();
        return new Benchmark(splits, coldUsers, coldItems, List.copyOf(hidden.keySet()), ranking);
    }

    /**
     * Checks that every row of {@code split} has a cold user exactly when {@code coldUser} and a
     * cold item exactly when {@code coldItem}.
     */
    private static void checkSlice(Path directory, Map<String, Ratings> splits, String split, boolean coldUser, boolean coldItem,
            Set<Integer> coldUsers, Set<Integer> coldItems, MovieLensCatalog catalog) {
        Ratings r = splits.get(split);
        String holds = "holds ratings of " + (coldUser ? "cold" : "warm") + " users on " + (coldItem ? "cold" : "warm") + " items";
        for (int row = 0; row < r.size(); row++) {
            String user = catalog.userIds().get(r.users()[row]);
            String item = catalog.itemIds().get(r.items()[row]);
            String wrong = coldUsers.contains(r.users()[row]) != coldUser
                    ? "user " + user + (coldUser ? " is not" : " is") + " listed in cold_users.txt"
                    : coldItems.contains(r.items()[row]) != coldItem
                    ? "item " + item + (coldItem ? " is not" : " is") + " listed in cold_items.txt" : null;
            if (wrong != null) {
                throw new DataException(directory.resolve(split + ".tsv").toString(), r.lines()[row], split + ".tsv " + holds
                        + " (PROTOCOL.md), but " + wrong);
            }
        }
    }

    /**
     * Checks the ranking lists against the protocol: one list per warm user with a test.tsv rating
     * (a list left out, or cut short, would change HR@10 and NDCG@10 while still reading as
     * ml100k-mtl), its positive one of the user's test.tsv items, its negatives as many as every other list's (99), distinct, none
     * the positive and none an item the user rated in any split (a rated negative, or one given
     * twice, shifts the positive's rank).
     */
    private static void checkRanking(String file, Lists lists, Map<String, Ratings> splits, Set<Integer> coldUsers,
            MovieLensCatalog catalog) {
        RankingCandidates ranking = lists.candidates();
        long items = catalog.itemIds().size();
        Set<Long> rated = new java.util.HashSet<>();
        for (Ratings r : splits.values()) {
            for (int row = 0; row < r.size(); row++) {
                rated.add(r.users()[row] * items + r.items()[row]);
            }
        }
        Set<Long> tested = new java.util.HashSet<>();
        Ratings test = splits.get("test");
        for (int row = 0; row < test.size(); row++) {
            tested.add(test.users()[row] * items + test.items()[row]);
        }
        Map<Integer, Integer> listed = new java.util.HashMap<>();
        for (int k = 0; k < ranking.users().length; k++) {
            int line = lists.lines()[k];
            int user = ranking.users()[k];
            String id = catalog.userIds().get(user);
            if (coldUsers.contains(user)) {
                throw new DataException(file, line, "user " + id + " is listed in cold_users.txt; the ranking lists are of warm users"
                        + " (PROTOCOL.md)");
            }
            Integer before = listed.putIfAbsent(user, line);
            if (before != null) {
                throw new DataException(file, line, "user " + id + " has a list on line " + before + " too; one list per user");
            }
            int positive = ranking.positives()[k];
            if (!tested.contains(user * items + positive)) {
                throw new DataException(file, line, "the positive, item " + catalog.itemIds().get(positive) + ", is not one of user " + id
                        + "'s test.tsv ratings");
            }
            // 99 each in the protocol's files: a list of another length (cut short) is found against the first
            if (ranking.negatives()[k].length != ranking.negatives()[0].length) {
                throw new DataException(file, line, "user " + id + "'s list has " + ranking.negatives()[k].length + " negatives, the"
                        + " first list " + ranking.negatives()[0].length + "; every list has as many (99 in PROTOCOL.md)");
            }
            Set<Integer> seen = new java.util.HashSet<>();
            for (int negative : ranking.negatives()[k]) {
                String item = catalog.itemIds().get(negative);
                if (negative == positive) {
                    throw new DataException(file, line, "item " + item + " is the positive and a negative");
                }
                if (!seen.add(negative)) {
                    throw new DataException(file, line, "negative item " + item + " is listed twice");
                }
                if (rated.contains(user * items + negative)) {
                    throw new DataException(file, line, "negative item " + item + " is rated by user " + id + " in the benchmark's"
                            + " files; negatives are items the user never rated (PROTOCOL.md)");
                }
            }
        }
        // every warm user with a test rating has a list
        java.util.TreeSet<Integer> unlisted = new java.util.TreeSet<>();
        for (int row = 0; row < test.size(); row++) {
            if (!coldUsers.contains(test.users()[row]) && !listed.containsKey(test.users()[row])) {
                unlisted.add(test.users()[row]);
            }
        }
        if (!unlisted.isEmpty()) {
            throw new DataException(file, 0, unlisted.size() + " warm users with a test.tsv rating have no list (user "
                    + catalog.userIds().get(unlisted.first()) + " first); the protocol gives each one (PROTOCOL.md)");
        }
    }


    /**
     * Reads one id per line; every id must be in the catalog and appear once.
     *
     * @return each id's index, in file order, with its line number
     */
    private static Map<Integer, Integer> ids(Path file, String entity, ToIntFunction<String> index) {
        Map<Integer, Integer> indices = new LinkedHashMap<>();
        for (TextFile.Line line : TextFile.read(file, StandardCharsets.UTF_8)) {
            String id = line.text().strip();
            int i = index.applyAsInt(id);
            if (i < 0) {
                throw new DataException(file.toString(), line.number(), entity + " id '" + id + "' is not in u." + entity);
            }
            if (indices.putIfAbsent(i, line.number()) != null) {
                throw new DataException(file.toString(), line.number(), entity + " id " + id + " appears twice");
            }
        }
        return indices;
    }

    /** The lists of rank_candidates.tsv, with the line each is on. */
    private record Lists(RankingCandidates candidates, int[] lines) {}

    private static Lists rankings(Path file, MovieLensCatalog catalog) {
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
        int[] numbers = new int[n];
        for (int k = 0; k < n; k++) {
            TextFile.Line line = lines.get(k + 1);
            numbers[k] = line.number();
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
        return new Lists(new RankingCandidates(users, positives, negatives), numbers);
    }

    private static int known(String file, int line, String entity, String id, int index) {
        if (index < 0) {
            throw new DataException(file, line, entity + " id '" + id + "' is not in u." + entity);
        }
        return index;
    }
}
