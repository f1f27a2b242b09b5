package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PlattScalingTest {
    @Test
    void recoversTheAffineMapThatGeneratedTheLabels() {
        // labels drawn with p = sigmoid(2x - 1): the fit finds a = 2, b = -1 up to sampling noise
        SplittableRandom random = new SplittableRandom(7);
        int n = 200_000;
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextDouble() * 6 - 3);
            y[i] = random.nextDouble() < 1 / (1 + Math.exp(-(2 * x[i] - 1))) ? 1f : 0f;
        }
        double[] ab = PlattScaling.fit(x, y);
        assertEquals(2.0, ab[0], 0.03);
        assertEquals(-1.0, ab[1], 0.03);
    }

    @Test
    void outputsThatRankTheLabelsBackwardsFitASlopeTheTrainerReadsAsReversingTheOrder() {
        // labels drawn with p = sigmoid(-2x): the fit's slope is negative, and the map would reverse the
        // order of the scores, which a calibration never does (Trainer.reorders is what calibrate() asks
        // before it applies a map; this tests that answer, not the skipping itself)
        SplittableRandom random = new SplittableRandom(11);
        int n = 20_000;
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextDouble() * 6 - 3);
            y[i] = random.nextDouble() < 1 / (1 + Math.exp(2 * x[i])) ? 1f : 0f;
        }
        double[] ab = PlattScaling.fit(x, y);
        assertTrue(ab[0] < -1.5, "slope " + ab[0]);
        assertEquals("reverse", Trainer.reorders(ab));
        assertEquals("flatten", Trainer.reorders(new double[] {0, 0.3}));
        assertEquals(null, Trainer.reorders(new double[] {0.8, -0.2}));
    }

    @Test
    void aCalibratedInputIsLeftAsItIs() {
        // two rows per logit value: the labels' mean at x = 0 is 1/2 and at x = ln 3 it is 3/4,
        // exactly sigmoid(x); with n large the target smoothing is negligible
        int copies = 10_000;
        float[] x = new float[8 * copies];
        float[] y = new float[8 * copies];
        float ln3 = (float) Math.log(3);
        for (int c = 0; c < copies; c++) {
            int o = 8 * c;
            float[] xs = {0, 0, ln3, ln3, ln3, ln3, 0, 0};
            float[] ys = {1, 0, 1, 1, 1, 0, 1, 0};
            System.arraycopy(xs, 0, x, o, 8);
            System.arraycopy(ys, 0, y, o, 8);
        }
        double[] ab = PlattScaling.fit(x, y);
        assertEquals(1.0, ab[0], 1e-3);
        assertEquals(0.0, ab[1], 1e-3);
    }

    @Test
    void separableDataStaysFinite() {
        double[] ab = PlattScaling.fit(new float[] {-1, -2, 1, 2}, new float[] {0, 0, 1, 1});
        assertTrue(Double.isFinite(ab[0]) && Double.isFinite(ab[1]) && ab[0] > 0, ab[0] + ", " + ab[1]);
    }

    @Test
    void needsBothClasses() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PlattScaling.fit(new float[] {1, 2}, new float[] {1, 1}));
        assertEquals("calibration needs both classes among the held-out rows; got 2 positive and 0 negative", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PlattScaling.fit(new float[] {1}, new float[] {0.5f}));
    }
}
