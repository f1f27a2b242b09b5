package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The training labels' variance, which decides whether check says a task learns a constant. */
class LabelVarianceTest {
    @Test
    void labelsAllTheSameHaveNoVarianceWhateverTheSumsRoundTo() {
        double label = 0.1f; // as a float column holds it
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < 51; i++) {
            sum += label;
            sumSq += label * label;
        }
        double mean = sum / 51;
        // what the moments alone give: a variance above zero, so the constant would go unnoticed
        assertTrue(sumSq / 51 - mean * mean > 0, Double.toString(sumSq / 51 - mean * mean));
        assertEquals(0.0, ModelAssembler.variance(51, sum, sumSq, label, label));
    }

    @Test
    void otherwiseItIsThePopulationVariance() {
        // 1, 2, 3, 6: mean 3, squares 50 / 4 = 12.5, variance 12.5 - 9 = 3.5
        assertEquals(3.5, ModelAssembler.variance(4, 12, 50, 1, 6), 1e-15);
        assertEquals(0.0, ModelAssembler.variance(0, 0, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY));
    }
}
