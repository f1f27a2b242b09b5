package dev.taskweave.plugins.movielens;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.DataException;
import dev.taskweave.api.data.Interactions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Rating rows (user and item entity indices, the 1-5 rating) read from a MovieLens rating file:
 * u.data, uN.base and uN.test have no header; the benchmark's .tsv files start with
 * {@code user item rating timestamp}.
 *
 * @param times the timestamp of each row (seconds since 1970)
 * @param lines the 1-based line of each row in its file, for messages
 */
record Ratings(int[] users, int[] items, float[] ratings, long[] times, int[] lines) {
    /** The header line of the benchmark's rating files. */
    static final String HEADER = "user\titem\trating\ttimestamp";

    private static final Pattern NUMBER = Pattern.compile("[0-9]+(\\.[0-9]+)?");

    Ratings {
        requireNonNull(users, "users is null");
        requireNonNull(items, "items is null");
        requireNonNull(ratings, "ratings is null");
        requireNonNull(times, "times is null");
        requireNonNull(lines, "lines is null");
    }

    int size() {
        return users.length;
    }

    /** Reads a rating file; every user and item must be in the catalog. */
    static Ratings read(Path file, boolean header, MovieLensCatalog catalog) {
        String name = file.toString();
        List<TextFile.Line> lines = TextFile.read(file, StandardCharsets.ISO_8859_1);
        int first = 0;
        if (header) {
            if (lines.isEmpty() || lines.get(0).number() != 1 || !lines.get(0).text().strip().equals(HEADER)) {
                String found = lines.isEmpty() ? "an empty file" : "'" + lines.get(0).text() + "'";
                throw new DataException(name, 1, "expected the header line '" + HEADER.replace('\t', ' ')
                        + "' (tab-separated), found " + found);
            }
            first = 1;
        }
        int n = lines.size() - first;
        int[] users = new int[n];
        int[] items = new int[n];
        float[] ratings = new float[n];
        long[] times = new long[n];
        int[] numbers = new int[n];
        for (int r = 0; r < n; r++) {
            TextFile.Line line = lines.get(first + r);
            numbers[r] = line.number();
            String[] f = TextFile.fields(line.text(), '\t');
            if (f.length != 4) {
                throw new DataException(name, line.number(),
                        "expected 4 tab-separated fields (user item rating timestamp), found " + f.length);
            }
            users[r] = catalog.userIndex(f[0]);
            if (users[r] < 0) {
                throw new DataException(name, line.number(), "user id '" + f[0] + "' is not in u.user");
            }
            items[r] = catalog.itemIndex(f[1]);
            if (items[r] < 0) {
                throw new DataException(name, line.number(), "item id '" + f[1] + "' is not in u.item");
            }
            if (!NUMBER.matcher(f[2]).matches()) {
                throw new DataException(name, line.number(), "expected a numeric rating, found '" + f[2] + "'");
            }
            float rating = Float.parseFloat(f[2]);
            if (rating < 1 || rating > 5) {
                throw new DataException(name, line.number(), "expected a rating from 1 to 5, found " + f[2]);
            }
            ratings[r] = rating;
            if (f[3].isEmpty() || f[3].length() > 18 || !f[3].chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new DataException(name, line.number(), "expected a numeric timestamp, found '" + f[3] + "'");
            }
            times[r] = Long.parseLong(f[3]);
        }
        return new Ratings(users, items, ratings, times, numbers);
    }

    /** @return the rows whose positions are flagged (true) or not flagged (false), in order */
    Ratings select(boolean[] flagged, boolean which) {
        int n = 0;
        for (boolean f : flagged) {
            n += f == which ? 1 : 0;
        }
        int[] u = new int[n];
        int[] i = new int[n];
        float[] r = new float[n];
        long[] t = new long[n];
        int[] l = new int[n];
        int k = 0;
        for (int row = 0; row < users.length; row++) {
            if (flagged[row] == which) {
                u[k] = users[row];
                i[k] = items[row];
                r[k] = ratings[row];
                t[k] = times[row];
                l[k] = lines[row];
                k++;
            }
        }
        return new Ratings(u, i, r, t, l);
    }

    /** @return the rows as interactions with {@code rating} and {@code like} (rating >= 4) labels */
    Interactions toInteractions() {
        return toInteractions(Map.of());
    }

    /**
     * @param features per-interaction feature columns, one value per row
     * @return the rows as interactions with {@code rating} and {@code like} (rating >= 4) labels
     */
    Interactions toInteractions(Map<String, float[]> features) {
        float[] like = new float[ratings.length];
        for (int r = 0; r < ratings.length; r++) {
            like[r] = ratings[r] >= 4 ? 1f : 0f;
        }
        Map<String, float[]> labels = new LinkedHashMap<>();
        labels.put("rating", ratings.clone());
        labels.put("like", like);
        return new Interactions(users.clone(), items.clone(), labels, features);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ratings other && Arrays.equals(users, other.users) && Arrays.equals(items, other.items)
                && Arrays.equals(ratings, other.ratings) && Arrays.equals(times, other.times) && Arrays.equals(lines, other.lines);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(users) + Arrays.hashCode(items)) + Arrays.hashCode(ratings);
    }

    @Override
    public String toString() {
        return "Ratings[" + users.length + " rows]";
    }
}
