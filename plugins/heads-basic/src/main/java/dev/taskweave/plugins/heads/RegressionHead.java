package dev.taskweave.plugins.heads;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import dev.taskweave.api.model.LabelStatistics;
import dev.taskweave.api.model.TaskContext;
import dev.taskweave.api.model.TaskHead;
import dev.taskweave.api.nn.OffsetBlock;
import dev.taskweave.api.nn.Towers;
import java.util.List;

/** A scalar regression head: a tower, one output, masked mean squared error. */
public final class RegressionHead implements TaskHead {
    private final List<Integer> tower;
    private final double dropout;
    private final float offset;
    private final Double minScore;
    private final Double maxScore;

    /**
     * @param config  the validated configuration
     * @param context the task; its label mean is the output offset when {@code centerOnMean}
     */
    public RegressionHead(RegressionHeadConfig config, TaskContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        this.tower = config.tower();
        this.dropout = config.dropout();
        this.offset = config.centerOnMean() ? labelMean(context.statistics()) : 0f;
        this.minScore = config.minScore();
        this.maxScore = config.maxScore();
    }

    private static float labelMean(LabelStatistics statistics) {
        double mean = statistics.mean();
        return statistics.count() > 0 && Double.isFinite(mean) ? (float) mean : 0f;
    }

    /** @return the constant the block adds to its output (the label mean, or 0) */
    public float offset() {
        return offset;
    }

    @Override
    public Block createBlock() {
        return Towers.tower(tower, dropout, 1).add(new OffsetBlock(offset));
    }

    @Override
    public NDArray loss(NDArray output, NDArray labels, NDArray mask) {
        NDArray error = MaskedLoss.flat(output).sub(MaskedLoss.cleanLabels(labels, mask));
        return MaskedLoss.mean(error.square(), mask);
    }

    /** @return true: the squared error takes any value as its label */
    @Override
    public boolean distillable() {
        return true;
    }

    /** @return the teacher's value as it is (not clipped to the score range), {@code [batch]} */
    @Override
    public NDArray distillationTarget(NDArray teacherOutput) {
        return MaskedLoss.flat(teacherOutput);
    }

    @Override
    public boolean predictsValue() {
        return true; // the output is the rating; scores clip it at most
    }

    /** Returns the raw output as {@code [batch]}, clipped to {@code [minScore, maxScore]} when set. */
    @Override
    public NDArray scores(NDArray output) {
        NDArray flat = MaskedLoss.flat(output);
        return minScore == null ? flat : flat.clip(minScore, maxScore);
    }

    @Override
    public List<String> defaultMetrics() {
        return List.of("rmse", "mae");
    }
}
