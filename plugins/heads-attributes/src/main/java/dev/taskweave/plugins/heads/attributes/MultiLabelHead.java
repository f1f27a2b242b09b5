package dev.taskweave.plugins.heads.attributes;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import dev.taskweave.api.model.LabelStatistics;
import dev.taskweave.api.model.TaskContext;
import dev.taskweave.api.model.TaskHead;
import dev.taskweave.api.nn.OffsetBlock;
import dev.taskweave.api.nn.Scalars;
import dev.taskweave.api.nn.Towers;
import java.util.List;

/**
 * A multi-label head: a tower, one logit per label, and a masked binary cross-entropy with logits
 * averaged over the labels of a row, then over labelled rows.
 */
public final class MultiLabelHead implements TaskHead {
    private final List<Integer> tower;
    private final double dropout;
    private final float positiveWeight;
    private final int width;
    private final float offset;

    /**
     * @param config  the validated configuration
     * @param context the task; its label width is the number of logits, and the logit of its mean
     *                flag is the output offset
     * @throws IllegalArgumentException when the label width is below 2
     */
    public MultiLabelHead(MultiLabelHeadConfig config, TaskContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        this.width = Widths.atLeastTwo(context, "multilabel", "labels (a multi-label entity attribute)",
                dev.taskweave.api.data.EntityAttribute.Kind.CLASS);
        this.tower = config.tower();
        this.dropout = config.dropout();
        this.positiveWeight = (float) config.positiveWeight();
        this.offset = priorLogit(context.statistics());
    }

    /**
     * The logit of the mean flag (the share of set flags over all labels of labelled entities). A
     * mean of exactly 0 or 1, or no labelled entity, gives 0.
     */
    static float priorLogit(LabelStatistics statistics) {
        double rate = statistics.mean();
        if (statistics.count() <= 0 || !(rate > 0 && rate < 1)) {
            return 0f;
        }
        return (float) Math.log(rate / (1 - rate));
    }

    /** @return the constant the block adds to every logit */
    public float offset() {
        return offset;
    }

    @Override
    public int outputWidth() {
        return width;
    }

    @Override
    public Block createBlock() {
        SequentialBlock block = Towers.tower(tower, dropout, width);
        block.add(new OffsetBlock(offset));
        return block;
    }

    /**
     * Per label, {@code w·y·softplus(-x) + (1 - y)·softplus(x)} with {@code w = positiveWeight};
     * each softplus is computed as {@code max(±x, 0) + log(1 + exp(-|x|))}, so at {@code w = 1} this
     * is exactly {@code max(x, 0) - x·y + log(1 + exp(-|x|))}. The mean over the labels of a row is
     * then averaged over labelled rows.
     */
    @Override
    public NDArray loss(NDArray output, NDArray labels, NDArray mask) {
        NDArray x = output;
        NDArray y = MaskedLoss.cleanRows(labels.reshape(x.getShape()), mask);
        NDArray tail = x.abs().neg().exp().add(1f).log();
        NDArray whenNegative = Scalars.maximum(x, 0).add(tail);
        NDArray whenPositive = Scalars.maximum(x.neg(), 0).add(tail);
        NDArray perLabel = Scalars.mul(y, positiveWeight).mul(whenPositive).add(y.neg().add(1f).mul(whenNegative));
        return MaskedLoss.mean(perLabel.mean(new int[] {1}), mask);
    }

    /** @return the probability of each label, {@code sigmoid(logit)}, {@code [batch, labels]} */
    @Override
    public NDArray scores(NDArray output) {
        return Activation.sigmoid(output);
    }

    /** @return true: a teacher's probabilities are flags between 0 and 1, which the cross-entropy accepts */
    @Override
    public boolean distillable() {
        return true;
    }

    /** @return the teacher's probability of each label, {@code [batch, labels]} */
    @Override
    public NDArray distillationTarget(NDArray teacherOutput) {
        return Activation.sigmoid(teacherOutput);
    }

    /** @return true: one logit per label */
    @Override
    public boolean producesLogit() {
        return true;
    }

    @Override
    public List<String> defaultMetrics() {
        return List.of("micro_f1", "top1_precision", "map");
    }
}
