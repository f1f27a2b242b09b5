package dev.taskweave.core.metric;

import dev.taskweave.api.metric.Metric;
import dev.taskweave.api.metric.MetricInput;
import dev.taskweave.api.metric.MetricOutput;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The metrics the runtime ships: rmse, mae, auc, logloss, ece (expected calibration error) and
 * accuracy for scalar tasks; micro_f1, top1_precision and map for multi-label tasks; accuracy and
 * macro_f1 for multi-class tasks. Every one is NaN when a score is NaN (a diverged model): a
 * comparison with NaN is false, so counting such a score would give accuracy, F1 or AUC a value,
 * at best a perfect one, for predictions that were never made.
 */
public final class BuiltinMetrics {
    private BuiltinMetrics() {}

    /** @return every built-in metric */
    public static List<Metric> all() {
        return List.of(
                scalar("rmse", false, outputs(MetricOutput.VALUE, MetricOutput.PROBABILITY), BuiltinMetrics::rmse),
                scalar("mae", false, outputs(MetricOutput.VALUE, MetricOutput.PROBABILITY), BuiltinMetrics::mae),
                scalar("auc", true, outputs(MetricOutput.PROBABILITY, MetricOutput.SCORE), in -> auc(in.ranking(), in.labels())),
                scalar("logloss", false, outputs(MetricOutput.PROBABILITY), BuiltinMetrics::logloss),
                scalar("ece", false, outputs(MetricOutput.PROBABILITY), BuiltinMetrics::ece),
                simple("accuracy", true, outputs(MetricOutput.PROBABILITY, MetricOutput.MULTI_LABEL, MetricOutput.MULTI_CLASS),
                        BuiltinMetrics::accuracy),
                multiLabel("micro_f1", BuiltinMetrics::microF1),
                multiLabel("top1_precision", BuiltinMetrics::top1Precision),
                multiLabel("map", BuiltinMetrics::meanAveragePrecision),
                simple("macro_f1", true, outputs(MetricOutput.MULTI_CLASS), BuiltinMetrics::macroF1));
    }

    /*
     * The outputs each metric means something on: on the others it computes NaN or a number that
     * means nothing (a log-loss of a rating, an AUC of a regression whose labels are all above 0.5).
     */
    private static Set<MetricOutput> outputs(MetricOutput first, MetricOutput... rest) {
        return Collections.unmodifiableSet(EnumSet.of(first, rest));
    }

    /** A metric defined for one score per row; NaN on wider scores. */
    private static Metric scalar(String name, boolean higherIsBetter, Set<MetricOutput> outputs, Body body) {
        return simple(name, higherIsBetter, outputs, in -> in.width() == 1 ? body.apply(in) : Double.NaN);
    }

    /** A metric for multi-label rows (as many 0/1 labels as scores); NaN otherwise. */
    private static Metric multiLabel(String name, Body body) {
        return simple(name, true, outputs(MetricOutput.MULTI_LABEL),
                in -> in.labels().length == in.scores().length && in.width() > 1 ? body.apply(in) : Double.NaN);
    }

    private interface Body {
        double apply(MetricInput input);
    }

    private static Metric simple(String name, boolean higherIsBetter, Set<MetricOutput> outputs, Body body) {
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
                return input.size() == 0 || anyNaN(input.scores()) ? Double.NaN : body.apply(input);
            }

            @Override
            public Set<MetricOutput> outputs() {
                return outputs;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    private static boolean anyNaN(float[] values) {
        for (float v : values) {
            if (Float.isNaN(v)) {
                return true;
            }
        }
        return false;
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

    /**
     * Binary: share of rows whose score is on the label's side of 0.5. Multi-class (one class
     * index per row): share of rows whose highest score is the label. Multi-label: share of flags
     * predicted right at 0.5.
     */
    static double accuracy(MetricInput in) {
        int w = in.width();
        if (w > 1 && in.labels().length == in.size()) {
            int correct = 0;
            for (int i = 0; i < in.size(); i++) {
                if (argmax(in.scores(), i * w, w) == (int) in.labels()[i]) {
                    correct++;
                }
            }
            return (double) correct / in.size();
        }
        int correct = 0;
        for (int i = 0; i < in.scores().length; i++) {
            if ((in.scores()[i] >= 0.5f) == (in.labels()[i] > 0.5f)) {
                correct++;
            }
        }
        return (double) correct / in.scores().length;
    }

    private static int argmax(float[] values, int from, int width) {
        int best = 0;
        for (int j = 1; j < width; j++) {
            if (values[from + j] > values[from + best]) {
                best = j;
            }
        }
        return best;
    }

    /** Expected calibration error over 10 equal-width probability bins. */
    static double ece(MetricInput in) {
        int bins = 10;
        double[] confidence = new double[bins];
        double[] positives = new double[bins];
        int[] counts = new int[bins];
        for (int i = 0; i < in.size(); i++) {
            double p = in.scores()[i];
            int b = Math.min(bins - 1, Math.max(0, (int) (p * bins)));
            confidence[b] += p;
            positives[b] += in.labels()[i] > 0.5f ? 1 : 0;
            counts[b]++;
        }
        double ece = 0;
        for (int b = 0; b < bins; b++) {
            if (counts[b] > 0) {
                ece += Math.abs(positives[b] - confidence[b]) / in.size();
            }
        }
        return ece;
    }

    /** Micro-averaged F1 of all flags at threshold 0.5. */
    static double microF1(MetricInput in) {
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (int i = 0; i < in.scores().length; i++) {
            boolean predicted = in.scores()[i] >= 0.5f;
            boolean actual = in.labels()[i] > 0.5f;
            if (predicted && actual) {
                tp++;
            } else if (predicted) {
                fp++;
            } else if (actual) {
                fn++;
            }
        }
        return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }

    /** Share of rows whose highest-scored label is one of their labels. */
    static double top1Precision(MetricInput in) {
        int w = in.width();
        int hits = 0;
        for (int i = 0; i < in.size(); i++) {
            if (in.labels()[i * w + argmax(in.scores(), i * w, w)] > 0.5f) {
                hits++;
            }
        }
        return (double) hits / in.size();
    }

    /** Mean over rows with at least one label of the average precision of the label ranking. */
    static double meanAveragePrecision(MetricInput in) {
        int w = in.width();
        double sum = 0;
        int rows = 0;
        Integer[] order = new Integer[w];
        for (int i = 0; i < in.size(); i++) {
            int base = i * w;
            for (int j = 0; j < w; j++) {
                order[j] = j;
            }
            Arrays.sort(order, (a, b) -> Float.compare(in.scores()[base + b], in.scores()[base + a]));
            int found = 0;
            double precisionSum = 0;
            for (int r = 0; r < w; r++) {
                if (in.labels()[base + order[r]] > 0.5f) {
                    found++;
                    precisionSum += (double) found / (r + 1);
                }
            }
            if (found > 0) {
                sum += precisionSum / found;
                rows++;
            }
        }
        return rows == 0 ? Double.NaN : sum / rows;
    }

    /** Multi-class (one class index per row): the unweighted mean over classes of the F1 score. */
    static double macroF1(MetricInput in) {
        int w = in.width();
        if (w < 2 || in.labels().length != in.size()) {
            return Double.NaN;
        }
        long[] tp = new long[w];
        long[] fp = new long[w];
        long[] fn = new long[w];
        for (int i = 0; i < in.size(); i++) {
            int predicted = argmax(in.scores(), i * w, w);
            int actual = (int) in.labels()[i];
            if (predicted == actual) {
                tp[actual]++;
            } else {
                fp[predicted]++;
                if (actual >= 0 && actual < w) {
                    fn[actual]++;
                }
            }
        }
        double sum = 0;
        int classes = 0;
        for (int c = 0; c < w; c++) {
            if (tp[c] + fp[c] + fn[c] > 0) {
                sum += 2.0 * tp[c] / (2.0 * tp[c] + fp[c] + fn[c]);
                classes++;
            }
        }
        return classes == 0 ? Double.NaN : sum / classes;
    }

    /**
     * Area under the ROC curve by the rank-sum formula; tied scores share their mean rank.
     *
     * @return AUC, or NaN when only one class is present or a score is NaN (NaN cannot be ranked)
     */
    public static double auc(float[] scores, float[] labels) {
        if (anyNaN(scores)) {
            return Double.NaN;
        }
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
