package dev.taskweave.plugins.movielens;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.DataException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The users and items of MovieLens-100K with their side features, read from u.genre, u.occupation,
 * u.user and u.item (ISO-8859-1). Entity index = line order in u.user / u.item.
 */
final class MovieLensCatalog {
    /** Upper bounds (inclusive) of the age buckets &lt;18, 18-24, 25-34, 35-44, 45-49, 50-55; 56+ is the last. */
    static final int[] AGE_BUCKET_MAX = {17, 24, 34, 44, 49, 55};
    /** Age bucket codes 1..7, plus 0. */
    static final int AGE_VOCABULARY = AGE_BUCKET_MAX.length + 2;
    /** Gender codes: M = 1, F = 2. */
    static final List<String> GENDERS = List.of("M", "F");
    /** Zip region codes: first digit d = d + 1, anything else = 11, empty = 0. */
    static final int ZIP_OTHER = 11;
    static final int ZIP_VOCABULARY = 12;

    private static final DateTimeFormatter RELEASE_DATE =
            DateTimeFormatter.ofPattern("d-MMM-uuuu", Locale.ENGLISH).withResolverStyle(ResolverStyle.STRICT);

    private final List<String> genres;
    private final List<String> occupations;
    private final List<String> userIds;
    private final Map<String, Integer> userIndex;
    private final int[] gender;
    private final int[] ageBucket;
    private final int[] occupation;
    private final int[] zipRegion;
    private final List<String> itemIds;
    private final Map<String, Integer> itemIndex;
    private final List<String> titles;
    private final float[] genreFlags;
    private final int[] releaseYear;

    private MovieLensCatalog(Builder b) {
        this.genres = List.copyOf(b.genres);
        this.occupations = List.copyOf(b.occupations);
        this.userIds = List.copyOf(b.userIds);
        this.userIndex = Map.copyOf(b.userIndex);
        this.gender = b.gender.stream().mapToInt(Integer::intValue).toArray();
        this.ageBucket = b.ageBucket.stream().mapToInt(Integer::intValue).toArray();
        this.occupation = b.occupation.stream().mapToInt(Integer::intValue).toArray();
        this.zipRegion = b.zipRegion.stream().mapToInt(Integer::intValue).toArray();
        this.itemIds = List.copyOf(b.itemIds);
        this.itemIndex = Map.copyOf(b.itemIndex);
        this.titles = List.copyOf(b.titles);
        this.genreFlags = new float[b.itemIds.size() * b.genres.size()];
        for (int i = 0; i < b.genreRows.size(); i++) {
            System.arraycopy(b.genreRows.get(i), 0, genreFlags, i * b.genres.size(), b.genres.size());
        }
        this.releaseYear = b.releaseYear.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Reads the catalog from an ml-100k directory. */
    static MovieLensCatalog read(Path directory) {
        requireNonNull(directory, "directory is null");
        Builder b = new Builder();
        readGenres(directory.resolve("u.genre"), b);
        readOccupations(directory.resolve("u.occupation"), b);
        readUsers(directory.resolve("u.user"), b);
        readItems(directory.resolve("u.item"), b);
        return new MovieLensCatalog(b);
    }

    private static void readGenres(Path file, Builder b) {
        for (TextFile.Line line : TextFile.read(file, StandardCharsets.ISO_8859_1)) {
            String[] f = TextFile.fields(line.text(), '|');
            if (f.length != 2 || f[0].isEmpty()) {
                throw new DataException(file.toString(), line.number(), "expected 'name|index', found '" + line.text() + "'");
            }
            int index = TextFile.parseInt(file, line.number(), "the genre index", f[1]);
            if (index != b.genres.size()) {
                throw new DataException(file.toString(), line.number(), "expected genre index " + b.genres.size()
                        + " (genres are numbered in file order from 0), found " + index);
            }
            if (b.genres.contains(f[0])) {
                throw new DataException(file.toString(), line.number(), "genre " + f[0] + " appears twice");
            }
            b.genres.add(f[0]);
        }
        if (b.genres.isEmpty()) {
            throw new DataException(file.toString(), 0, "expected at least one genre, found none");
        }
    }

    private static void readOccupations(Path file, Builder b) {
        for (TextFile.Line line : TextFile.read(file, StandardCharsets.ISO_8859_1)) {
            String name = line.text().strip();
            if (b.occupations.contains(name)) {
                throw new DataException(file.toString(), line.number(), "occupation " + name + " appears twice");
            }
            b.occupations.add(name);
        }
        if (b.occupations.isEmpty()) {
            throw new DataException(file.toString(), 0, "expected at least one occupation, found none");
        }
    }

    private static void readUsers(Path file, Builder b) {
        String name = file.toString();
        for (TextFile.Line line : TextFile.read(file, StandardCharsets.ISO_8859_1)) {
            String[] f = TextFile.fields(line.text(), '|');
            if (f.length != 5) {
                throw new DataException(name, line.number(),
                        "expected 5 '|'-separated fields (id|age|gender|occupation|zip), found " + f.length);
            }
            String id = f[0];
            TextFile.parseInt(file, line.number(), "the user id", id);
            if (b.userIndex.putIfAbsent(id, b.userIds.size()) != null) {
                throw new DataException(name, line.number(), "user id " + id + " appears twice (first on an earlier line)");
            }
            b.userIds.add(id);
            b.ageBucket.add(ageBucket(TextFile.parseInt(file, line.number(), "the age", f[1])));
            int g = GENDERS.indexOf(f[2]);
            if (g < 0) {
                throw new DataException(name, line.number(), "expected gender M or F, found '" + f[2] + "'");
            }
            b.gender.add(g + 1);
            int o = b.occupations.indexOf(f[3]);
            if (o < 0) {
                throw new DataException(name, line.number(), "expected an occupation listed in u.occupation, found '" + f[3] + "'");
            }
            b.occupation.add(o + 1);
            b.zipRegion.add(zipRegion(f[4]));
        }
        if (b.userIds.isEmpty()) {
            throw new DataException(name, 0, "expected at least one user, found none");
        }
    }

    private static void readItems(Path file, Builder b) {
        String name = file.toString();
        int genres = b.genres.size();
        for (TextFile.Line line : TextFile.read(file, StandardCharsets.ISO_8859_1)) {
            String[] f = TextFile.fields(line.text(), '|');
            if (f.length != 5 + genres) {
                throw new DataException(name, line.number(), "expected " + (5 + genres)
                        + " '|'-separated fields (id|title|release date|video release date|url|" + genres
                        + " genre flags), found " + f.length);
            }
            String id = f[0];
            TextFile.parseInt(file, line.number(), "the item id", id);
            if (b.itemIndex.putIfAbsent(id, b.itemIds.size()) != null) {
                throw new DataException(name, line.number(), "item id " + id + " appears twice (first on an earlier line)");
            }
            b.itemIds.add(id);
            b.titles.add(f[1]);
            b.releaseYear.add(releaseYear(file, line.number(), f[2]));
            float[] flags = new float[genres];
            for (int g = 0; g < genres; g++) {
                String flag = f[5 + g];
                if (!flag.equals("0") && !flag.equals("1")) {
                    throw new DataException(name, line.number(), "expected genre flag 0 or 1 for "
                            + b.genres.get(g) + " (field " + (6 + g) + "), found '" + flag + "'");
                }
                flags[g] = flag.equals("1") ? 1f : 0f;
            }
            b.genreRows.add(flags);
        }
        if (b.itemIds.isEmpty()) {
            throw new DataException(name, 0, "expected at least one item, found none");
        }
    }

    /** The raw values of the age bucket codes 1..7, as a new user gives them at serving time. */
    static final List<String> AGE_LABELS = List.of("1-17", "18-24", "25-34", "35-44", "45-49", "50-55", "56+");
    /** The raw values of the zip region codes 1..11: the zip code's first digit, or "other". */
    static final List<String> ZIP_LABELS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "other");

    /** @return the age bucket code 1..7 */
    static int ageBucket(int age) {
        for (int k = 0; k < AGE_BUCKET_MAX.length; k++) {
            if (age <= AGE_BUCKET_MAX[k]) {
                return k + 1;
            }
        }
        return AGE_BUCKET_MAX.length + 1;
    }

    /** @return the zip region code: first digit d = d + 1, another first character = 11, empty = 0 */
    static int zipRegion(String zip) {
        String z = zip.strip();
        if (z.isEmpty()) {
            return 0;
        }
        char c = z.charAt(0);
        return c >= '0' && c <= '9' ? c - '0' + 1 : ZIP_OTHER;
    }

    /** @return the release year, or 0 when the date is empty */
    private static int releaseYear(Path file, int line, String date) {
        if (date.isBlank()) {
            return 0;
        }
        try {
            return LocalDate.parse(date.strip(), RELEASE_DATE).getYear();
        } catch (DateTimeParseException e) {
            throw new DataException(file.toString(), line, "expected a release date like 01-Jan-1995 or nothing, found '" + date + "'", e);
        }
    }

    List<String> genres() {
        return genres;
    }

    List<String> occupations() {
        return occupations;
    }

    int users() {
        return userIds.size();
    }

    int items() {
        return itemIds.size();
    }

    List<String> userIds() {
        return userIds;
    }

    List<String> itemIds() {
        return itemIds;
    }

    /** @return the user's entity index, or -1 */
    int userIndex(String id) {
        return userIndex.getOrDefault(id, -1);
    }

    /** @return the item's entity index, or -1 */
    int itemIndex(String id) {
        return itemIndex.getOrDefault(id, -1);
    }

    int[] gender() {
        return gender.clone();
    }

    int[] ageBucket() {
        return ageBucket.clone();
    }

    int[] occupation() {
        return occupation.clone();
    }

    int[] zipRegion() {
        return zipRegion.clone();
    }

    String title(int item) {
        return titles.get(item);
    }

    /** @return the genre flags, row-major {@code [items, genres]} (a copy) */
    float[] genreFlags() {
        return genreFlags.clone();
    }

    /** @return the release year per item, 0 when unknown (a copy) */
    int[] releaseYear() {
        return releaseYear.clone();
    }

    /** Collects rows while reading. */
    private static final class Builder {
        final List<String> genres = new ArrayList<>();
        final List<String> occupations = new ArrayList<>();
        final List<String> userIds = new ArrayList<>();
        final Map<String, Integer> userIndex = new HashMap<>();
        final List<Integer> gender = new ArrayList<>();
        final List<Integer> ageBucket = new ArrayList<>();
        final List<Integer> occupation = new ArrayList<>();
        final List<Integer> zipRegion = new ArrayList<>();
        final List<String> itemIds = new ArrayList<>();
        final Map<String, Integer> itemIndex = new HashMap<>();
        final List<String> titles = new ArrayList<>();
        final List<float[]> genreRows = new ArrayList<>();
        final List<Integer> releaseYear = new ArrayList<>();
    }
}
