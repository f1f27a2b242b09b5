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
        this.classes = Widths.atLeastTwo(context, "multiclass", "classes (a class entity attribute)");
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
     */
    @Override
    public NDArray loss(NDArray output, NDArray labels, NDArray mask) {
        NDArray logProbabilities = output.logSoftmax(1);
        NDArray target = MaskedLoss.cleanLabels(labels, mask).oneHot(classes).toType(logProbabilities.getDataType(), false);
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

    @Override
    public List<String> defaultMetrics() {
        return List.of("accuracy", "macro_f1");
    }
}
