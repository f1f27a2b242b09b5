package dev.taskweave.core.metric;

import dev.taskweave.api.metric.Metric;
import dev.taskweave.api.metric.MetricInput;
import java.util.Arrays;
import java.util.List;

/** The metrics the runtime ships: rmse, mae, auc, logloss and accuracy. */
public final class BuiltinMetrics {
    private BuiltinMetrics() {}

    /** @return every built-in metric */
    public static List<Metric> all() {
        return List.of(
                simple("rmse", false, BuiltinMetrics::rmse),
                simple("mae", false, BuiltinMetrics::mae),
                simple("auc", true, in -> auc(in.scores(), in.labels())),
                simple("logloss", false, BuiltinMetrics::logloss),
                simple("accuracy", true, BuiltinMetrics::accuracy));
    }

    private interface Body {
        double apply(MetricInput input);
    }

    private static Metric simple(String name, boolean higherIsBetter, Body body) {
        return new Metric() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean higherIsBetter() {
                return higherIsBetter;
            }

            @Override
            public double compute(MetricInput input) {
                return input.size() == 0 ? Double.NaN : body.apply(input);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    static double rmse(MetricInput in) {
        double sum = 0;
        for (int i = 0; i < in.size(); i++) {
            double d = in.scores()[i] - in.labels()[i];
            sum += d * d;
        }
        return Math.sqrt(sum / in.size());
    }

    static double mae(MetricInput in) {
        double sum = 0;
        for (int i = 0; i < in.size(); i++) {
            sum += Math.abs(in.scores()[i] - in.labels()[i]);
        }
        return sum / in.size();
    }

    static double logloss(MetricInput in) {
        double sum = 0;
        double eps = 1e-7;
        for (int i = 0; i < in.size(); i++) {
            double p = Math.min(1 - eps, Math.max(eps, in.scores()[i]));
            sum += in.labels()[i] > 0.5 ? -Math.log(p) : -Math.log(1 - p);
        }
        return sum / in.size();
    }

    static double accuracy(MetricInput in) {
        int correct = 0;
        for (int i = 0; i < in.size(); i++) {
            if ((in.scores()[i] >= 0.5f) == (in.labels()[i] > 0.5f)) {
                correct++;
            }
        }
        return (double) correct / in.size();
    }

    /**
     * Area under the ROC curve by the rank-sum formula; tied scores share their mean rank.
     *
     * @return AUC, or NaN when only one class is present
     */
    public static double auc(float[] scores, float[] labels) {
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]));
        double rankSumPositive = 0;
        long positives = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double meanRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (labels[order[k]] > 0.5f) {
                    rankSumPositive += meanRank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }
}
