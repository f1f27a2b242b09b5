package dev.taskweave.api.data;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * A table of {@code rows x width} floats that stores only its non-zero entries (compressed sparse
 * rows): for row {@code r}, the entries {@code start(r) .. start(r + 1) - 1} of {@link #columns()}
 * and {@link #values()}, columns ascending. A history ({@link Histories#sparse}) is such a table:
 * a user's row has one entry per item the user interacted with, so it takes memory in proportion to
 * the interactions (8 bytes each) rather than to users x items. Immutable.
 */
public final class SparseRows {
    private final int width;
    private final int[] starts;
    private final int[] columns;
    private final float[] values;

    private SparseRows(int width, int[] starts, int[] columns, float[] values) {
        this.width = width;
        this.starts = starts;
        this.columns = columns;
        this.values = values;
    }

    /**
     * @param width   the number of columns
     * @param starts  {@code rows + 1} offsets: row {@code r}'s entries are {@code starts[r] ..
     *                starts[r + 1] - 1}; {@code starts[0] == 0}, non-decreasing, and the last is the
     *                number of entries
     * @param columns each entry's column, ascending within a row and in {@code [0, width)}
     * @param values  each entry's value, finite and not 0
     * @return the table (the arrays are kept, not copied)
     * @throws IllegalArgumentException when the arrays do not describe such a table
     */
    public static SparseRows of(int width, int[] starts, int[] columns, float[] values) {
        requireNonNull(starts, "starts is null");
        requireNonNull(columns, "columns is null");
        requireNonNull(values, "values is null");
        if (width < 0) {
            throw new IllegalArgumentException("width " + width + " < 0");
        }
        if (starts.length == 0 || starts[0] != 0 || starts[starts.length - 1] != columns.length || columns.length != values.length) {
            throw new IllegalArgumentException("starts must run from 0 to the number of entries (" + columns.length + "), with "
                    + values.length + " values; got " + (starts.length == 0 ? "none" : starts[0] + " .. " + starts[starts.length - 1]));
        }
        for (int r = 0; r + 1 < starts.length; r++) {
            if (starts[r + 1] < starts[r]) {
                throw new IllegalArgumentException("row " + r + " ends before it starts (" + starts[r] + " > " + starts[r + 1] + ")");
            }
            for (int k = starts[r]; k < starts[r + 1]; k++) {
                if (columns[k] < 0 || columns[k] >= width || k > starts[r] && columns[k] <= columns[k - 1]) {
                    throw new IllegalArgumentException("row " + r + ": column " + columns[k] + " at entry " + k + " is outside [0, " + width
                            + ") or not above the one before it");
                }
                if (values[k] == 0f || !Float.isFinite(values[k])) {
                    throw new IllegalArgumentException("row " + r + ", column " + columns[k] + ": an entry must be finite and not 0, got "
                            + values[k]);
                }
            }
        }
        return new SparseRows(width, starts, columns, values);
    }

    /** @return the table of a row-major dense one, {@code values.length / width} rows, without its zeros */
    public static SparseRows fromDense(float[] dense, int width) {
        requireNonNull(dense, "dense is null");
        if (width <= 0 ? dense.length != 0 : dense.length % width != 0) {
            throw new IllegalArgumentException(dense.length + " values are not whole rows of width " + width);
        }
        int rows = width == 0 ? 0 : dense.length / width;
        int[] starts = new int[rows + 1];
        int n = 0;
        for (float v : dense) {
            if (v != 0f) {
                n++;
            }
        }
        int[] columns = new int[n];
        float[] values = new float[n];
        int k = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < width; c++) {
                float v = dense[r * width + c];
                if (v != 0f) {
                    columns[k] = c;
                    values[k++] = v;
                }
            }
            starts[r + 1] = k;
        }
        return of(width, starts, columns, values);
    }

    /** @return the number of rows */
    public int rows() {
        return starts.length - 1;
    }

    /** @return the number of columns */
    public int width() {
        return width;
    }

    /** @return the number of stored (non-zero) entries */
    public int entries() {
        return columns.length;
    }

    /** @return the first entry of row {@code row}; its entries end at {@code start(row + 1)} */
    public int start(int row) {
        return starts[row];
    }

    /** @return every entry's column (do not modify) */
    public int[] columns() {
        return columns;
    }

    /** @return every entry's value (do not modify) */
    public float[] values() {
        return values;
    }

    /** @return the value at ({@code row}, {@code column}), 0 when it is not stored */
    public float get(int row, int column) {
        int k = Arrays.binarySearch(columns, starts[row], starts[row + 1], column);
        return k >= 0 ? values[k] : 0f;
    }

    /** Writes row {@code row} into {@code out} from {@code offset}: its {@code width} values, zeros included. */
    public void copyRow(int row, float[] out, int offset) {
        Arrays.fill(out, offset, offset + width, 0f);
        for (int k = starts[row]; k < starts[row + 1]; k++) {
            out[offset + columns[k]] = values[k];
        }
    }

    /**
     * @return the table as {@code rows x width} row-major floats, zeros included (for tests and
     *     small tables: it takes {@code 4 x rows x width} bytes)
     * @throws IllegalStateException when that is more than one array holds
     */
    public float[] toDense() {
        long cells = (long) rows() * width;
        if (cells > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(this + " has " + cells + " cells, more than one array holds");
        }
        float[] out = new float[(int) cells];
        for (int r = 0; r < rows(); r++) {
            copyRow(r, out, r * width);
        }
        return out;
    }

    /** @return the bytes the table takes on the heap (its three arrays) */
    public long bytes() {
        return 4L * starts.length + 8L * columns.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparseRows s && width == s.width && Arrays.equals(starts, s.starts) && Arrays.equals(columns, s.columns)
                && Arrays.equals(values, s.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(starts) + Arrays.hashCode(columns)) + Arrays.hashCode(values) + width;
    }

    @Override
    public String toString() {
        return "SparseRows[" + rows() + " x " + width + ", " + entries() + " entries]";
    }
}
