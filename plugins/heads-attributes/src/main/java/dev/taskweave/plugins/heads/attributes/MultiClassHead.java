package dev.taskweave.plugins.heads.attributes;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import dev.taskweave.api.model.TaskContext;
import dev.taskweave.api.model.TaskHead;
import dev.taskweave.api.nn.Scalars;
import dev.taskweave.api.nn.Towers;
import java.util.List;

/** A multi-class head: a tower, one logit per class, and a masked softmax cross-entropy. */
public final class MultiClassHead implements TaskHead {
    private final List<Integer> tower;
    private final double dropout;
    private final float labelSmoothing;
    private final int classes;

    /**
     * @param config  the validated configuration
     * @param context the task; its label width is the number of classes
     * @throws IllegalArgumentException when there are fewer than 2 classes
     */
    public MultiClassHead(MultiClassHeadConfig config, TaskContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        this.classes = Widths.atLeastTwo(context, "multiclass", "classes (a class entity attribute)",
                dev.taskweave.api.data.EntityAttribute.Kind.MULTI_LABEL);
        this.tower = config.tower();
        this.dropout = config.dropout();
        this.labelSmoothing = (float) config.labelSmoothing();
    }

    @Override
    public int outputWidth() {
        return classes;
    }

    @Override
    public Block createBlock() {
        return Towers.tower(tower, dropout, classes);
    }

    /**
     * {@code -Σ_c t_c · logSoftmax(x)_c} with the target {@code t = (1 - ε)·onehot(y) + ε / C}
     * ({@code ε = labelSmoothing}), averaged over labelled rows. Labels of unlabelled rows are
     * replaced by class 0 before they are read; a labelled class outside {@code [0, C)} fails.
     * Labels given as class distributions ({@code [batch, C]}, what {@link #distillationLabels}
     * makes) are the target {@code t} as they are, smoothed the same way.
     */
    @Override
    public NDArray loss(NDArray output, NDArray labels, NDArray mask) {
        NDArray logProbabilities = output.logSoftmax(1);
        NDArray target = labels.getShape().dimension() == 2 && labels.getShape().get(1) == classes
                ? MaskedLoss.cleanRows(labels, mask).toType(logProbabilities.getDataType(), false)
                : MaskedLoss.cleanLabels(labels, mask).oneHot(classes).toType(logProbabilities.getDataType(), false);
        if (labelSmoothing > 0) {
            target = Scalars.mul(target, 1f - labelSmoothing).add(labelSmoothing / classes);
        }
        NDArray perRow = target.mul(logProbabilities).sum(new int[] {1}).neg();
        return MaskedLoss.mean(perRow, mask);
    }

    /** @return the class probabilities, {@code softmax(logits)}, {@code [batch, classes]} */
    @Override
    public NDArray scores(NDArray output) {
        return output.softmax(1);
    }

    /** A class index mixes with the teachers' class probabilities as a distribution: {@link #distillationLabels}. */
    @Override
    public boolean distillable() {
        return true;
    }

    /** @return the teacher's class probabilities, {@code softmax(logits)}, {@code [batch, classes]} */
    @Override
    public NDArray distillationTarget(NDArray teacherOutput) {
        return teacherOutput.softmax(1);
    }

    /**
     * @return {@code (1 - w)·onehot(y) + w·p}, {@code [batch, classes]}: the class distribution
     *     the loss takes (unlabelled rows read as class 0, which the mask leaves out)
     */
    @Override
    public NDArray distillationLabels(NDArray labels, NDArray mask, NDArray meanTarget, float weight) {
        NDArray onehot = MaskedLoss.cleanLabels(labels, mask).oneHot(classes).toType(meanTarget.getDataType(), false);
        return Scalars.mul(onehot, 1f - weight).add(Scalars.mul(meanTarget.reshape(onehot.getShape()), weight));
    }

    @Override
    public List<String> defaultMetrics() {
        return List.of("accuracy", "macro_f1");
    }
}
