package dev.taskweave.api.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SparseRowsTest {
    // 3 rows x 4 columns: [0 2 0 1], [0 0 0 0], [5 0 0 0]
    static final float[] DENSE = {0, 2, 0, 1, 0, 0, 0, 0, 5, 0, 0, 0};

    @Test
    void storesTheNonZeroEntriesOfEachRowInColumnOrder() {
        SparseRows rows = SparseRows.fromDense(DENSE, 4);
        assertEquals(3, rows.rows());
        assertEquals(4, rows.width());
        assertEquals(3, rows.entries());
        assertArrayEquals(new int[] {1, 3, 0}, rows.columns());
        assertArrayEquals(new float[] {2, 1, 5}, rows.values());
        assertEquals(0, rows.start(0));
        assertEquals(2, rows.start(1));
        assertEquals(2, rows.start(2));
        assertEquals(3, rows.start(3));
        assertEquals(1f, rows.get(0, 3));
        assertEquals(0f, rows.get(0, 2));
        assertEquals(0f, rows.get(1, 1));
        assertEquals(5f, rows.get(2, 0));
        assertArrayEquals(DENSE, rows.toDense());
        float[] row = {9, 9, 9, 9, 9, 9};
        rows.copyRow(0, row, 1);
        assertArrayEquals(new float[] {9, 0, 2, 0, 1, 9}, row);
        assertEquals(4 * 4 + 8 * 3, rows.bytes());
        assertEquals(rows, SparseRows.of(4, new int[] {0, 2, 2, 3}, new int[] {1, 3, 0}, new float[] {2, 1, 5}));
    }

    @Test
    void refusesArraysThatDescribeNoSuchTable() {
        for (Runnable bad : List.<Runnable>of(
                () -> SparseRows.of(4, new int[] {0, 2, 1, 3}, new int[] {1, 3, 0}, new float[] {2, 1, 5}), // a row ends before it starts
                () -> SparseRows.of(4, new int[] {0, 2, 2, 3}, new int[] {3, 1, 0}, new float[] {2, 1, 5}), // columns not ascending
                () -> SparseRows.of(4, new int[] {0, 2, 2, 3}, new int[] {1, 4, 0}, new float[] {2, 1, 5}), // a column outside
                () -> SparseRows.of(4, new int[] {0, 2, 2, 3}, new int[] {1, 3, 0}, new float[] {2, 0, 5}), // a stored 0
                () -> SparseRows.of(4, new int[] {0, 2, 2, 3}, new int[] {1, 3, 0}, new float[] {2, Float.NaN, 5}),
                () -> SparseRows.of(4, new int[] {0, 2, 2, 2}, new int[] {1, 3, 0}, new float[] {2, 1, 5}), // entries left over
                () -> SparseRows.fromDense(new float[5], 4))) {
            assertThrows(IllegalArgumentException.class, bad::run);
        }
    }

    @Test
    void aTableReadsASparseFeatureByRowAndRefusesItAsDense() {
        EntityTable table = EntityTable.builder(Entity.USER, List.of("a", "b", "c")).sparse("h", SparseRows.fromDense(DENSE, 4)).build();
        assertTrue(table.has("h"));
        assertTrue(table.isSparse("h"));
        assertArrayEquals(new float[] {5, 0, 0, 0}, table.row("h", 2, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> table.dense("h"));
        assertEquals("USER table has no dense feature h (it is stored sparsely: read it with sparse() or row())", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> EntityTable.builder(Entity.USER, List.of("a", "b")).sparse("h", SparseRows.fromDense(DENSE, 4)));
    }
}
