package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class F1ThresholdTest {
    @Test
    void findsTheCutWithTheBestF1AndPutsTheThresholdHalfwayToTheNextLogit() {
        // two flags set among five; predicting the top k: k=1 F1 2/3, k=2 1/2, k=3 4/5, k=4 2/3, k=5 4/7
        float[] logits = {3, 2, 1, 0, -1};
        float[] labels = {1, 0, 1, 0, 0};
        double threshold = F1Threshold.fit(logits, labels);
        assertEquals(0.5, threshold, 1e-12);
        assertEquals(0.8, F1Threshold.f1(logits, labels, threshold), 1e-12);
        // at logit 0 (probability 0.5) four are set: F1 2/3
        assertEquals(2.0 / 3, F1Threshold.f1(logits, labels, 0), 1e-12);
    }

    @Test
    void theOrderOfTheRowsDoesNotMatter() {
        assertEquals(0.5, F1Threshold.fit(new float[] {0, 3, -1, 1, 2}, new float[] {0, 1, 0, 1, 0}), 1e-12);
    }

    @Test
    void tiedLogitsAreSetOrLeftTogether() {
        // cutting between the two 1s is impossible: k=2 gives 2/3, k=3 gives 1/2
        assertEquals(0.5, F1Threshold.fit(new float[] {1, 1, 0}, new float[] {1, 0, 0}), 1e-12);
    }

    @Test
    void amongEqualF1TheFewestFlagsAreSet() {
        // k=1 and k=4 both give 2/3
        assertEquals(1.5, F1Threshold.fit(new float[] {2, 1, 0, -1}, new float[] {1, 0, 0, 1}), 1e-12);
    }

    @Test
    void whenEveryFlagIsSetTheThresholdIsBelowTheLowestLogit() {
        double threshold = F1Threshold.fit(new float[] {2, 1}, new float[] {1, 1});
        assertEquals(0.0, threshold, 1e-12);
        assertEquals(1.0, F1Threshold.f1(new float[] {2, 1}, new float[] {1, 1}, threshold), 1e-12);
    }

    @Test
    void badInputIsRejected() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> F1Threshold.fit(new float[] {1, 2}, new float[] {0, 0}));
        assertTrue(none.getMessage().contains("at least one set flag"), none.getMessage());
        assertThrows(IllegalArgumentException.class, () -> F1Threshold.fit(new float[] {1}, new float[] {0, 1}));
        assertThrows(IllegalArgumentException.class, () -> F1Threshold.fit(new float[] {1, 2}, new float[] {0, 0.5f}));
        assertThrows(IllegalArgumentException.class, () -> F1Threshold.fit(new float[] {Float.NaN, 2}, new float[] {0, 1}));
    }
}
