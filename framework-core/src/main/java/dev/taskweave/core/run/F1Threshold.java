package dev.taskweave.core.run;

import java.util.Arrays;

/**
 * The decision threshold on a task's logits that maximises F1 on held-out labels, pooled over
 * every label of every row (micro-F1; for a binary task, plain F1). A model trained with
 * log loss predicts a flag when its probability reaches 0.5, which maximises accuracy; F1 rewards
 * recall on sparse flags, and its best threshold is usually lower (at most half the best F1, for
 * calibrated probabilities). Shifting the logits by the fitted threshold moves the decision at
 * probability 0.5 there, and leaves the order of the scores, and so ranking metrics and each row's
 * top label, unchanged.
 */
public final class F1Threshold {
    private F1Threshold() {}

    /**
     * @param logits the raw outputs of held-out rows, every label of every row
     * @param labels 0 or 1 for each logit
     * @return the logit threshold {@code t}: predicting a flag where {@code logit >= t} gives the
     *     highest F1 on these labels. It lies halfway between the lowest logit predicted set and the
     *     highest one left unset (one unit beyond the extreme logit when all or none are set); among
     *     cuts with the same F1, the one that sets fewest flags
     * @throws IllegalArgumentException when the lengths differ, a label is not 0 or 1, or no label is set
     */
    public static double fit(float[] logits, float[] labels) {
        if (logits.length != labels.length) {
            throw new IllegalArgumentException(logits.length + " logits but " + labels.length + " labels");
        }
        int n = logits.length;
        int positives = 0;
        for (int i = 0; i < n; i++) {
            if (labels[i] != 0f && labels[i] != 1f) {
                throw new IllegalArgumentException("labels must be 0 or 1, got " + labels[i]);
            }
            if (!Float.isFinite(logits[i])) {
                throw new IllegalArgumentException("logit " + i + " is not finite: " + logits[i]);
            }
            positives += labels[i] == 1f ? 1 : 0;
        }
        if (positives == 0) {
            throw new IllegalArgumentException("an F1 threshold needs at least one set flag among the held-out rows; got none of "
                    + n);
        }
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        // cut k predicts the k highest logits set; only cuts between distinct values are possible
        int bestCut = 0;
        double bestF1 = 0;
        int truePositives = 0;
        for (int k = 1; k <= n; k++) {
            truePositives += labels[order[k - 1]] == 1f ? 1 : 0;
            if (k < n && logits[order[k]] == logits[order[k - 1]]) {
                continue;
            }
            double f1 = 2.0 * truePositives / (k + positives);
            if (f1 > bestF1) {
                bestF1 = f1;
                bestCut = k;
            }
        }
        float lowestSet = logits[order[bestCut - 1]];
        return bestCut == n ? lowestSet - 1.0 : (lowestSet + (double) logits[order[bestCut]]) / 2;
    }

    /** @return the micro-F1 of predicting a flag where {@code logit >= threshold} */
    public static double f1(float[] logits, float[] labels, double threshold) {
        int truePositives = 0;
        int predicted = 0;
        int positives = 0;
        for (int i = 0; i < logits.length; i++) {
            boolean set = logits[i] >= threshold;
            predicted += set ? 1 : 0;
            positives += labels[i] == 1f ? 1 : 0;
            truePositives += set && labels[i] == 1f ? 1 : 0;
        }
        return predicted + positives == 0 ? 0 : 2.0 * truePositives / (predicted + positives);
    }
}
