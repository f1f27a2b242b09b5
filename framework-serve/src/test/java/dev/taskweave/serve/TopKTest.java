package dev.taskweave.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.taskweave.core.formula.Formula;
import org.junit.jupiter.api.Test;

/** /v1/recommend's choice of the k best candidates by the fused score. */
class TopKTest {
    @Test
    void numbersRankByScoreThenPositionAndNaNComesAfterMinusInfinity() {
        // log(x): x = 0 gives -infinity, a negative x NaN
        Formula log = Formula.parse("log(x)");
        float[][] scores = {{-1f, 0f, 2f, 1f, -2f, 0f, 2f}};
        int[] candidates = {10, 11, 12, 13, 14, 15, 16};
        // 2 (positions 2 and 6, in candidate order), 1 (3), -infinity (1 and 5), NaN (0 and 4)
        assertArrayEquals(new int[] {2, 6, 3, 1, 5, 0, 4}, ScoringService.top(log, scores, candidates, new int[0], 7));
        assertArrayEquals(new int[] {2, 6, 3}, ScoringService.top(log, scores, candidates, new int[0], 3));
        // seen items are left out, whatever their score (sorted item ids)
        assertArrayEquals(new int[] {3, 1, 5, 4}, ScoringService.top(log, scores, candidates, new int[] {10, 12, 16}, 7));
    }
}
