package dev.taskweave.plugins.heads;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import dev.taskweave.api.model.LabelStatistics;
import dev.taskweave.api.model.TaskContext;
import dev.taskweave.api.model.TaskHead;
import dev.taskweave.api.nn.OffsetBlock;
import dev.taskweave.api.nn.Scalars;
import dev.taskweave.api.nn.Towers;
import java.util.List;

/** A binary classification head: a tower, one logit, masked binary cross-entropy with logits. */
public final class BinaryHead implements TaskHead {
    private final List<Integer> tower;
    private final double dropout;
    private final Double threshold;
    private final int negatives;
    private final float offset;
    private final float pairwiseWeight;
    private final int pairwiseRows;

    /**
     * @param config  the validated configuration
     * @param context the task; the logit of its positive rate is the output offset
     */
    public BinaryHead(BinaryHeadConfig config, TaskContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        this.tower = config.tower();
        this.dropout = config.dropout();
        this.threshold = config.threshold();
        this.negatives = config.negatives();
        this.offset = priorLogit(context.statistics(), negatives);
        this.pairwiseWeight = (float) config.pairwiseWeight();
        this.pairwiseRows = config.pairwiseRows();
    }

    /**
     * The logit of the positive rate the model sees in training. Statistics are taken before
     * negative sampling, and {@code n} negatives are drawn for every training row, labelled or
     * not: the positives ({@code mean × count}) among the labelled rows and {@code n × rows}
     * negatives, {@code mean / (1 + n)} when every row is labelled. (An ESMM child task's rows
     * where its parent is 0, labelled 0 for it, are not counted.) A rate of exactly 0 or 1 (or no
     * labelled row) gives 0.
     */
    static float priorLogit(LabelStatistics statistics, int negatives) {
        // every row labelled: the expression of releases before rows were counted, to the last bit
        double rate = statistics.rows() == statistics.count() ? statistics.mean() / (1.0 + negatives)
                : statistics.mean() * statistics.count() / (statistics.count() + (double) negatives * statistics.rows());
        if (statistics.count() <= 0 || !(rate > 0 && rate < 1)) {
            return 0f;
        }
        return (float) Math.log(rate / (1 - rate));
    }

    /** @return the constant the block adds to its logit */
    public float offset() {
        return offset;
    }

    @Override
    public Block createBlock() {
        return Towers.tower(tower, dropout, 1).add(new OffsetBlock(offset));
    }

    /**
     * Numerically stable: {@code max(x, 0) - x * y + log(1 + exp(-|x|))}, averaged over labelled
     * rows; with a {@code pairwiseWeight}, plus that weight times {@link #pairwise}.
     */
    @Override
    public NDArray loss(NDArray output, NDArray labels, NDArray mask) {
        NDArray x = MaskedLoss.flat(output);
        NDArray y = MaskedLoss.cleanLabels(labels, mask);
        NDArray perRow = Scalars.maximum(x, 0).sub(x.mul(y)).add(x.abs().neg().exp().add(1f).log());
        NDArray pointwise = MaskedLoss.mean(perRow, mask);
        if (pairwiseWeight == 0) {
            return pointwise;
        }
        return pointwise.add(Scalars.mul(pairwise(x, y, mask.reshape(-1), pairwiseRows), pairwiseWeight));
    }

    /**
     * A RankNet term over pairs of rows (Burges et al. 2005) among the first {@code rows} rows of a
     * batch: {@code sum_ij w_ij softplus(-(x_i - x_j)) / sum_ij w_ij} with {@code w_ij = m_i m_j
     * max(y_i - y_j, 0)}, so every pair of a positive and a negative row counts once with weight 1,
     * a soft label (a teacher's, under distillation) weighs a pair by how much more positive its
     * first row is, and unlabelled rows and equal labels make no pair. 0 when no pair is made.
     * A batch's rows are in shuffled order, so its first rows are a sample of it; the cost is
     * {@code rows^2} per batch.
     */
    static NDArray pairwise(NDArray x, NDArray y, NDArray mask, int rows) {
        long n = Math.min(rows, x.getShape().get(0));
        if (n < x.getShape().get(0)) {
            x = x.get("0:" + n);
            y = y.get("0:" + n);
            mask = mask.get("0:" + n);
        }
        NDArray m = mask.toType(x.getDataType(), false);
        NDArray weights = Scalars.maximum(y.reshape(n, 1).sub(y.reshape(1, n)), 0).mul(m.reshape(n, 1)).mul(m.reshape(1, n));
        NDArray difference = x.reshape(n, 1).sub(x.reshape(1, n));
        NDArray perPair = Activation.softPlus(difference.neg());
        return perPair.mul(weights).sum().div(Scalars.maximum(weights.sum(), 1e-6));
    }

    /** @return the probability {@code sigmoid(logit)}, {@code [batch]} */
    @Override
    public NDArray scores(NDArray output) {
        return Activation.sigmoid(MaskedLoss.flat(output));
    }

    /**
     * With a threshold, {@code raw >= threshold} is 1 and anything else 0; without one the raw
     * value must already be 0 or 1. {@code NaN} stays {@code NaN}.
     */
    @Override
    public float encodeLabel(float raw) {
        return binaryLabel(raw, threshold, "binary");
    }

    /**
     * A 0/1 label: {@code raw >= threshold} with a threshold, else the raw value, which must be 0
     * or 1. {@code NaN} stays {@code NaN}.
     *
     * @param head the head type, named in the error
     */
    static float binaryLabel(float raw, Double threshold, String head) {
        if (Float.isNaN(raw)) {
            return raw;
        }
        if (threshold != null) {
            // in float, as the label is held: 0.7 as a double lies above 0.7f, and a value at the threshold is a 1
            return raw >= threshold.floatValue() ? 1f : 0f;
        }
        if (raw != 0f && raw != 1f) {
            throw new IllegalArgumentException(head + " label must be 0 or 1 (or set params.threshold), got " + raw);
        }
        return raw;
    }

    /** @return true: a teacher's probability is a label between 0 and 1, which the cross-entropy accepts */
    @Override
    public boolean distillable() {
        return true;
    }

    /** @return the teacher's probability {@code sigmoid(logit)}, {@code [batch]} */
    @Override
    public NDArray distillationTarget(NDArray teacherOutput) {
        return Activation.sigmoid(MaskedLoss.flat(teacherOutput));
    }

    @Override
    public int negativesPerPositive() {
        return negatives;
    }

    @Override
    public List<String> defaultMetrics() {
        return List.of("auc", "logloss", "ece");
    }

    @Override
    public boolean producesLogit() {
        return true;
    }
}
