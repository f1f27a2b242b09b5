package dev.taskweave.plugins.files;

import dev.taskweave.api.DataException;
import dev.taskweave.api.data.NumericScale;
import java.util.List;
import java.util.Map;

/**
 * How a column's cells become feature values, shared by the side files' features and the
 * interactions file's context columns: categorical vocabularies (values in at least
 * {@code minCount} rows, sorted; code 0 unknown) and numeric scaling (an optional log(1 + x), then
 * standardised over some rows' non-empty cells; an empty cell is 0, the mean).
 */
final class ColumnEncodings {
    private ColumnEncodings() {}

    /** @return the values seen in at least {@code minCount} rows, sorted */
    static List<String> frequent(Map<String, Integer> counts, int minCount) {
        return counts.entrySet().stream().filter(e -> e.getValue() >= minCount).map(Map.Entry::getKey).sorted().toList();
    }

    /** Records how many values, and rows of them, {@code minCount} turned into unknown. */
    static void rare(String name, Map<String, Integer> counts, List<String> kept, int minCount, Map<String, String> description) {
        if (minCount > 1) {
            int values = counts.size() - kept.size();
            int rows = counts.entrySet().stream().filter(e -> e.getValue() < minCount).mapToInt(Map.Entry::getValue).sum();
            description.put("feature." + name + ".rareValues", values + " values in " + rows + " rows read as unknown (minCount "
                    + minCount + ")");
        }
    }

    /**
     * Parses a numeric feature's cell.
     *
     * @param what names the cell in errors, for example {@code column 'Age' (feature user_age)} or {@code column 'hour'}
     * @return NaN for an empty cell, else the number
     * @throws DataException naming the file and line when the cell is not a finite number (in single
     *         precision), or is at
     *         most -1 under {@code log}
     */
    static double number(String file, long line, String what, String cell, boolean log) {
        if (cell.isEmpty()) {
            return Double.NaN;
        }
        double v = InteractionRows.number(cell);
        if (!Float.isFinite((float) v)) { // the model reads single precision: 1e39 is no more finite than 1e400
            throw new DataException(file, line, what + ": expected a finite number or an empty cell, found '" + cell + "'");
        }
        if (log && !(v > -1)) {
            throw new DataException(file, line, what + " is read as log(1 + x), which needs x > -1; found " + cell);
        }
        return v;
    }

    /**
     * Fits a numeric feature's encoding on {@code cells} (NaN for an empty cell) and records its
     * statistics ({@code feature.<name>.mean}, {@code .std}, {@code .standardized}, {@code .transform},
     * {@code .missing}).
     *
     * @return the scale recorded on the feature, so serving reads raw values as training did, or
     *     null when values are read as they are
     */
    static NumericScale scale(String name, double[] cells, boolean log, boolean standardize, Map<String, String> description) {
        double sum = 0;
        int count = 0;
        for (double v : cells) {
            if (!Double.isNaN(v)) {
                sum += log ? Math.log1p(v) : v;
                count++;
            }
        }
        double mean = count == 0 ? 0 : sum / count;
        double squares = 0;
        for (double v : cells) {
            if (!Double.isNaN(v)) {
                double t = log ? Math.log1p(v) : v;
                squares += (t - mean) * (t - mean);
            }
        }
        double std = count == 0 ? 0 : Math.sqrt(squares / count);
        description.put("feature." + name + ".mean", Double.toString(mean));
        description.put("feature." + name + ".std", Double.toString(std));
        description.put("feature." + name + ".standardized", Boolean.toString(standardize));
        if (log) {
            description.put("feature." + name + ".transform", "log1p");
        }
        description.put("feature." + name + ".missing", Integer.toString(cells.length - count));
        // a constant column (std 0) reads as 0 in training
        return standardize ? new NumericScale(log, mean, std > 0 ? std : 1) : log ? new NumericScale(true, 0, 1) : null;
    }

    /** @return the value the model reads for a parsed cell: 0 (the mean) for an empty one */
    static float encode(NumericScale scale, double cell) {
        if (Double.isNaN(cell)) {
            return 0f;
        }
        return (float) (scale == null ? cell : scale.apply(cell));
    }
}
