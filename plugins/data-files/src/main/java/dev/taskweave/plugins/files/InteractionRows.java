package dev.taskweave.plugins.files;

import dev.taskweave.api.DataException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The rows of one interactions file: raw user and item ids, label values ({@code NaN} for an
 * empty cell), timestamps (seconds since 1970 or the file's own unit, as the sum of two doubles so
 * that any number the file writes keeps its exact order; {@code NaN} without a timestamp column) and the
 * context columns' cells (categorical as text, empty for an empty cell; numeric parsed, {@code NaN}
 * for an empty cell), by column; and where each row was read (its file and line), for errors about it.
 */
final class InteractionRows {
    final Path file;
    final String[] users;
    final String[] items;
    final Map<String, float[]> labels;
    final double[] timestamps;
    /** What {@link #timestamps} rounded off: a timestamp is exactly {@code timestamps[r] + timestampRest[r]}. */
    final double[] timestampRest;
    final Map<String, String[]> categorical;
    final Map<String, double[]> numeric;
    /** The file each row was read from ({@link #concat} joins files). */
    final Path[] rowFiles;
    /** The 1-based line each row was read from (where its record starts). */
    final int[] lines;
    /** The form of the file's timestamps, as its first row writes them; null without a timestamp column or rows. */
    final TimeForm timeForm;

    /**
     * How a file writes its timestamps: numbers (in a unit of their own) or ISO-8601 dates; a column
     * holds one of the two, which do not order against each other.
     *
     * @param file   the file
     * @param line   the line of its first row
     * @param value  the timestamp there
     * @param number whether it is a number
     */
    record TimeForm(Path file, long line, String value, boolean number) {
        /**
         * @param column the timestamp column, for the error
         * @throws DataException at {@code later}'s file and line when it has the other form
         */
        void requireSame(TimeForm later, String column) {
            if (later.number != number) {
                String earlier = later.file.equals(file) ? "earlier rows (line " + line + ")" : "the rows of " + file + " (line " + line + ")";
                throw new DataException(later.file.toString(), later.line, "column '" + column + "': timestamp '" + later.value + "' is "
                        + (later.number ? "a number" : "an ISO date") + " but " + earlier + " hold " + (number ? "numbers" : "ISO dates")
                        + "; a column must use one form (numbers in one unit, or ISO-8601 dates and times)");
            }
        }
    }

    private InteractionRows(Path file, String[] users, String[] items, Map<String, float[]> labels, double[] timestamps,
            double[] timestampRest, Map<String, String[]> categorical, Map<String, double[]> numeric, Path[] rowFiles,
            int[] lines, TimeForm timeForm) {
        this.file = file;
        this.timeForm = timeForm;
        this.rowFiles = rowFiles;
        this.lines = lines;
        this.users = users;
        this.items = items;
        this.labels = labels;
        this.timestamps = timestamps;
        this.timestampRest = timestampRest;
        this.categorical = categorical;
        this.numeric = numeric;
    }

    /** @return the number of rows */
    int size() {
        return users.length;
    }

    /**
     * @return how row {@code a}'s timestamp compares with row {@code b}'s, exactly (0 for equal
     *     timestamps, and without a timestamp column)
     */
    int compareTimes(int a, int b) {
        return compareTimes(this, a, this, b);
    }

    /** As {@link #compareTimes(int, int)}, for rows of two files or splits. */
    static int compareTimes(InteractionRows first, int a, InteractionRows second, int b) {
        int c = Double.compare(first.timestamps[a], second.timestamps[b]);
        return c != 0 ? c : Double.compare(first.timestampRest[a], second.timestampRest[b]);
    }

    /**
     * Reads a file with the interactions' columns.
     *
     * @param configPath the configuration path of the interactions settings, named in errors
     */
    static InteractionRows read(Path path, InteractionsConfig config, String configPath) {
        DelimitedFile file = DelimitedFile.open(path, config, configPath);
        int user = file.column(config.user(), configPath + ".user");
        int item = file.column(config.item(), configPath + ".item");
        int time = config.timestamp() == null ? -1 : file.column(config.timestamp(), configPath + ".timestamp");
        Map<String, Integer> labelColumns = new LinkedHashMap<>();
        config.labels().forEach((label, column) -> labelColumns.put(label, file.column(column, configPath + ".labels." + label)));
        ContextConfig context = config.context();
        List<String> categoricalNames = context == null ? List.of() : context.categorical();
        List<String> numericNames = context == null ? List.of() : context.numeric();
        List<String> logged = context == null ? List.of() : context.log();
        int[] categoricalColumns = new int[categoricalNames.size()];
        for (int i = 0; i < categoricalColumns.length; i++) {
            categoricalColumns[i] = file.column(categoricalNames.get(i), configPath + ".context.categorical[" + i + "]");
        }
        int[] numericColumns = new int[numericNames.size()];
        for (int i = 0; i < numericColumns.length; i++) {
            numericColumns[i] = file.column(numericNames.get(i), configPath + ".context.numeric[" + i + "]");
        }
        List<List<String>> categoricalCells = new ArrayList<>();
        categoricalNames.forEach(c -> categoricalCells.add(new ArrayList<>()));
        List<DoubleList> numericCells = new ArrayList<>();
        numericNames.forEach(c -> numericCells.add(new DoubleList()));

        List<String> users = new ArrayList<>();
        List<String> items = new ArrayList<>();
        Map<String, DoubleList> labels = new LinkedHashMap<>();
        labelColumns.keySet().forEach(label -> labels.put(label, new DoubleList()));
        DoubleList times = new DoubleList();
        DoubleList timeRests = new DoubleList();
        IntList lines = new IntList();
        TimeForm[] timeForm = {null};
        // one String per distinct id: millions of rows name a few hundred thousand users and items
        Map<String, String> distinct = new HashMap<>();
        file.forEach(row -> {
            String[] f = row.fields();
            lines.add(Math.toIntExact(row.line()));
            users.add(distinct.computeIfAbsent(id(file, row.line(), config.user(), f[user]), k -> k));
            items.add(distinct.computeIfAbsent(id(file, row.line(), config.item(), f[item]), k -> k));
            labelColumns.forEach((label, column) ->
                    labels.get(label).add(label(file, row.line(), config.labels().get(label), f[column])));
            if (time < 0) {
                times.add(Double.NaN);
                timeRests.add(Double.NaN);
            } else {
                BigDecimal t = timestamp(file, row.line(), config.timestamp(), f[time]);
                // read as a number by timestamp() exactly when written in decimal (a decimal it cannot hold is refused there)
                boolean number = dev.taskweave.api.data.TextFiles.isDecimal(f[time]);
                if (timeForm[0] == null) {
                    timeForm[0] = new TimeForm(path, row.line(), f[time], number);
                } else if (timeForm[0].number() != number) {
                    timeForm[0].requireSame(new TimeForm(path, row.line(), f[time], number), config.timestamp());
                }
                double rounded = t.doubleValue();
                times.add(rounded);
                timeRests.add(t.subtract(new BigDecimal(rounded)).doubleValue());
            }
            for (int i = 0; i < categoricalColumns.length; i++) {
                categoricalCells.get(i).add(distinct.computeIfAbsent(f[categoricalColumns[i]], k -> k));
            }
            for (int i = 0; i < numericColumns.length; i++) {
                String column = numericNames.get(i);
                numericCells.get(i).add(ColumnEncodings.number(path.toString(), row.line(), "column '" + column + "'",
                        f[numericColumns[i]], logged.contains(column)));
            }
        });
        Map<String, float[]> labelValues = new LinkedHashMap<>();
        labels.forEach((label, values) -> labelValues.put(label, values.toFloatArray()));
        Map<String, String[]> categorical = new LinkedHashMap<>();
        for (int i = 0; i < categoricalColumns.length; i++) {
            categorical.put(categoricalNames.get(i), categoricalCells.get(i).toArray(String[]::new));
        }
        Map<String, double[]> numeric = new LinkedHashMap<>();
        for (int i = 0; i < numericColumns.length; i++) {
            numeric.put(numericNames.get(i), numericCells.get(i).toArray());
        }
        int[] rowLines = lines.toArray();
        Path[] rowFiles = new Path[rowLines.length];
        Arrays.fill(rowFiles, path);
        return new InteractionRows(path, users.toArray(String[]::new), items.toArray(String[]::new), labelValues, times.toArray(),
                timeRests.toArray(), categorical, numeric, rowFiles, rowLines, timeForm[0]);
    }

    /** @return the rows at the given indices, in that order */
    InteractionRows select(int[] rows) {
        String[] u = new String[rows.length];
        String[] i = new String[rows.length];
        double[] t = new double[rows.length];
        double[] rest = new double[rows.length];
        Path[] f = new Path[rows.length];
        int[] line = new int[rows.length];
        Map<String, float[]> l = new LinkedHashMap<>();
        labels.forEach((name, values) -> l.put(name, new float[rows.length]));
        for (int k = 0; k < rows.length; k++) {
            int r = rows[k];
            u[k] = users[r];
            i[k] = items[r];
            t[k] = timestamps[r];
            rest[k] = timestampRest[r];
            f[k] = rowFiles[r];
            line[k] = lines[r];
            for (Map.Entry<String, float[]> e : l.entrySet()) {
                e.getValue()[k] = labels.get(e.getKey())[r];
            }
        }
        Map<String, String[]> c = new LinkedHashMap<>();
        categorical.forEach((column, cells) -> c.put(column, Arrays.stream(rows).mapToObj(r -> cells[r]).toArray(String[]::new)));
        Map<String, double[]> n = new LinkedHashMap<>();
        numeric.forEach((column, cells) -> n.put(column, Arrays.stream(rows).mapToDouble(r -> cells[r]).toArray()));
        return new InteractionRows(file, u, i, l, t, rest, c, n, f, line, timeForm);
    }

    /** @return the rows of {@code first}, then those of {@code second} */
    static InteractionRows concat(InteractionRows first, InteractionRows second) {
        int n = first.size();
        int m = second.size();
        String[] u = Arrays.copyOf(first.users, n + m);
        String[] i = Arrays.copyOf(first.items, n + m);
        double[] t = Arrays.copyOf(first.timestamps, n + m);
        double[] rest = Arrays.copyOf(first.timestampRest, n + m);
        System.arraycopy(second.users, 0, u, n, m);
        System.arraycopy(second.items, 0, i, n, m);
        System.arraycopy(second.timestamps, 0, t, n, m);
        System.arraycopy(second.timestampRest, 0, rest, n, m);
        Path[] files = Arrays.copyOf(first.rowFiles, n + m);
        int[] lines = Arrays.copyOf(first.lines, n + m);
        System.arraycopy(second.rowFiles, 0, files, n, m);
        System.arraycopy(second.lines, 0, lines, n, m);
        Map<String, float[]> l = new LinkedHashMap<>();
        first.labels.forEach((name, values) -> {
            float[] joined = Arrays.copyOf(values, n + m);
            System.arraycopy(second.labels.get(name), 0, joined, n, m);
            l.put(name, joined);
        });
        Map<String, String[]> c = new LinkedHashMap<>();
        first.categorical.forEach((column, cells) -> {
            String[] joined = Arrays.copyOf(cells, n + m);
            System.arraycopy(second.categorical.get(column), 0, joined, n, m);
            c.put(column, joined);
        });
        Map<String, double[]> x = new LinkedHashMap<>();
        first.numeric.forEach((column, cells) -> {
            double[] joined = Arrays.copyOf(cells, n + m);
            System.arraycopy(second.numeric.get(column), 0, joined, n, m);
            x.put(column, joined);
        });
        return new InteractionRows(first.file, u, i, l, t, rest, c, x, files, lines, first.timeForm);
    }

    private static String id(DelimitedFile file, long line, String column, String value) {
        if (value.isEmpty()) {
            throw new DataException(file.path().toString(), line, "column '" + column + "' is empty: every row needs a user and an item id");
        }
        return value;
    }

    /** A number, {@code true}/{@code false} (1/0), or an empty cell (NaN: the row has no such label). */
    static float label(DelimitedFile file, long line, String column, String value) {
        if (value.isEmpty()) {
            return Float.NaN;
        }
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.equals("true")) {
            return 1f;
        }
        if (lower.equals("false")) {
            return 0f;
        }
        double v = number(value);
        if (!Float.isFinite((float) v)) { // labels are single precision: 1e39 is no more finite than 1e400
            throw new DataException(file.path().toString(), line, "column '" + column + "': expected a label (a finite number, "
                    + "true or false, or an empty cell for no label), found '" + value + "'");
        }
        return (float) v;
    }

    /**
     * Seconds since 1970-01-01 UTC, exactly: a number as it is written (any unit, only its order
     * matters: nanoseconds since 1970 keep their last digit), or an ISO-8601 instant
     * ({@code 2024-03-01T12:00:00.25Z}), local date-time (read as UTC) or date, with their fractions
     * of a second.
     */
    static BigDecimal timestamp(DelimitedFile file, long line, String column, String value) {
        if (Double.isFinite(number(value))) {
            try {
                return new BigDecimal(value);
            } catch (NumberFormatException ignored) {
                // an exponent beyond what a decimal holds (0e9999999999): reported below
            }
        }
        try {
            Instant t = Instant.parse(value);
            return BigDecimal.valueOf(t.getEpochSecond()).add(BigDecimal.valueOf(t.getNano(), 9));
        } catch (DateTimeException ignored) {
            // next form
        }
        try {
            LocalDateTime t = LocalDateTime.parse(value);
            return BigDecimal.valueOf(t.toEpochSecond(ZoneOffset.UTC)).add(BigDecimal.valueOf(t.getNano(), 9));
        } catch (DateTimeException ignored) {
            // next form
        }
        try {
            return BigDecimal.valueOf(LocalDate.parse(value).toEpochDay() * 86_400L);
        } catch (DateTimeException ignored) {
            // reported below
        }
        throw new DataException(file.path().toString(), line, "column '" + column + "': expected a timestamp (a number, or an "
                + "ISO-8601 date or date-time such as 2024-03-01 or 2024-03-01T12:00:00Z), found '" + value + "'");
    }

    /**
     * @return the value as a number, or NaN when it is not one: a number is written in decimal
     *     ({@code 4}, {@code -0.5}, {@code .5}, {@code 1.}, {@code 1e-3}); NaN, infinities and the
     *     other forms Java reads ({@code 0x1p0}, {@code 1.5f}, {@code 2d}) are not numbers here
     */
    static double number(String value) {
        if (!dev.taskweave.api.data.TextFiles.isDecimal(value)) {
            return Double.NaN;
        }
        return Double.parseDouble(value);
    }

    /** A growable int array. */
    static final class IntList {
        private int[] values = new int[16];
        private int size;

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    /** A growable double array. */
    static final class DoubleList {
        private double[] values = new double[16];
        private int size;

        void add(double v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        double[] toArray() {
            return Arrays.copyOf(values, size);
        }

        float[] toFloatArray() {
            float[] out = new float[size];
            for (int i = 0; i < size; i++) {
                out[i] = (float) values[i];
            }
            return out;
        }
    }
}
