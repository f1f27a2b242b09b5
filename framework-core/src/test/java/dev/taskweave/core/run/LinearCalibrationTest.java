package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LinearCalibrationTest {
    @Test
    void fitsTheLeastSquaresLine() {
        // means 2.5 and 4; sum dx^2 = 5, sum dx dy = 7: a = 1.4, b = 4 - 1.4 * 2.5 = 0.5
        assertArrayEquals(new double[] {1.4, 0.5}, LinearCalibration.fit(new float[] {1, 2, 3, 4}, new float[] {2, 3, 5, 6}), 1e-9);
        // outputs spread twice as wide as their labels, about the same centre: a = 0.5
        assertArrayEquals(new double[] {0.5, 1.5}, LinearCalibration.fit(new float[] {1, 5}, new float[] {2, 4}), 1e-9);
        // exact labels: the identity
        assertArrayEquals(new double[] {1, 0}, LinearCalibration.fit(new float[] {3, 1, 4}, new float[] {3, 1, 4}), 1e-9);
    }

    @Test
    void refusesWhatHasNoLine() {
        assertThrows(IllegalArgumentException.class, () -> LinearCalibration.fit(new float[] {1, 2}, new float[] {1}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LinearCalibration.fit(new float[] {3}, new float[] {3}));
        assertTrue(e.getMessage().contains("at least two"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LinearCalibration.fit(new float[] {2, 2, 2}, new float[] {1, 2, 3}));
        assertTrue(e.getMessage().contains("do not vary"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LinearCalibration.fit(new float[] {1, Float.NaN}, new float[] {1, 2}));
        assertTrue(e.getMessage().contains("row 1"), e.getMessage());
    }
}
