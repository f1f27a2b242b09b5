package dev.taskweave.plugins.heads;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import dev.taskweave.api.model.TaskContext;
import dev.taskweave.api.model.TaskHead;
import dev.taskweave.api.nn.OffsetBlock;
import dev.taskweave.api.nn.Scalars;
import dev.taskweave.api.nn.Towers;
import java.util.List;

/**
 * Bayesian personalised ranking (Rendle et al. 2009) for implicit feedback: a tower and one
 * ranking score per (user, item); each positive row is paired with an item the user has not
 * interacted with and the loss is {@code -log sigmoid(s_pos - s_neg)}, so only the order of a
 * user's items is learned, not a probability.
 */
public final class BprHead implements TaskHead {
    private final List<Integer> tower;
    private final double dropout;
    private final Double threshold;
    private final int evaluationNegatives;

    public BprHead(BprHeadConfig config, TaskContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        this.tower = config.tower();
        this.dropout = config.dropout();
        this.threshold = config.threshold();
        this.evaluationNegatives = config.evaluationNegatives();
    }

    @Override
    public Block createBlock() {
        return Towers.tower(tower, dropout, 1).add(new OffsetBlock(0f));
    }

    /**
     * The pointwise fallback (used by gradient telemetry, not by training): logistic loss of the
     * score against the row's label, {@code softplus(s)} for negatives and {@code softplus(-s)}
     * for positives, averaged over labelled rows.
     */
    @Override
    public NDArray loss(NDArray output, NDArray labels, NDArray mask) {
        NDArray x = MaskedLoss.flat(output);
        NDArray y = MaskedLoss.cleanLabels(labels, mask);
        NDArray signed = x.mul(Scalars.mul(y, 2).sub(1f));
        return MaskedLoss.mean(Activation.softPlus(signed.neg()), mask);
    }

    @Override
    public boolean pairwise() {
        return true;
    }

    /** {@code mean(softplus(-(s_pos - s_neg)))}, i.e. {@code -mean(log sigmoid(s_pos - s_neg))}. */
    @Override
    public NDArray pairwiseLoss(NDArray positive, NDArray negative) {
        NDArray difference = MaskedLoss.flat(positive).sub(MaskedLoss.flat(negative));
        return Activation.softPlus(difference.neg()).mean();
    }

    /** @return the raw ranking score, {@code [batch]}: comparable within a user, not a probability */
    @Override
    public NDArray scores(NDArray output) {
        return MaskedLoss.flat(output);
    }

    /**
     * {@code observed} rows are positives; on a label column, {@code raw >= threshold} is a
     * positive and anything else a labelled non-positive (never used as a pair's positive).
     */
    @Override
    public float encodeLabel(float raw) {
        return BinaryHead.binaryLabel(raw, threshold, "bpr");
    }

    /** @return the negatives drawn per observed row in evaluation splits, so that AUC is defined */
    @Override
    public int negativesPerPositive() {
        return evaluationNegatives;
    }

    @Override
    public List<String> defaultMetrics() {
        return List.of("auc");
    }
}
