package dev.taskweave.plugins.heads;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.LabelStatistics;
import dev.taskweave.api.model.TaskContext;
import dev.taskweave.api.model.TaskHead;
import dev.taskweave.api.model.TaskHeadFactory;
import java.util.List;
import java.util.Locale;
import org.pf4j.Extension;

/** {@code head: regression}: a scalar output trained with masked mean squared error. */
@Extension
public final class RegressionHeadFactory implements TaskHeadFactory<RegressionHeadConfig> {
    @Override
    public String type() {
        return "regression";
    }

    @Override
    public Class<RegressionHeadConfig> configClass() {
        return RegressionHeadConfig.class;
    }

    @Override
    public String description() {
        return "Scalar regression: ReLU tower, one output offset by the label mean, masked MSE";
    }

    @Override
    public TaskHead create(RegressionHeadConfig config, TaskContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.validate();
        return new RegressionHead(config, context);
    }

    /**
     * @return a warning when the training labels run outside {@code [minScore, maxScore]}: the
     *     scores are clipped to it, so no prediction reaches those labels (the loss reads the
     *     unclipped output, and is trained towards them in vain); none without the range, or when
     *     the labels' range is not known
     */
    @Override
    public List<String> warnings(RegressionHeadConfig config, TaskContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        LabelStatistics s = context.statistics();
        Double min = config.minScore();
        Double max = config.maxScore();
        if ((min == null && max == null) || context.stored() || s.count() == 0 || !s.hasRange()) {
            return List.of();
        }
        // in float32, as labels are read and the output is clipped: a label 0.3 read as 0.30000001 is not above maxScore 0.3
        boolean below = min != null && (float) s.min() < min.floatValue();
        boolean above = max != null && (float) s.max() > max.floatValue();
        if (!below && !above) {
            return List.of();
        }
        return List.of(String.format(Locale.ROOT, "the %,d training labels of task %s run from %s to %s, outside minScore %s /"
                + " maxScore %s: its scores (predictions and metrics) are clipped to that range, so they cannot reach the labels"
                + " %s it; widen the range or leave it out", s.count(), context.name(), number(s.min()), number(s.max()),
                min == null ? "none" : number(min), max == null ? "none" : number(max),
                below && above ? "beyond" : below ? "below" : "above"));
    }

    /** @return {@code v} in at most six significant digits, without trailing zeros (labels are floats) */
    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.6g", v)).stripTrailingZeros().toPlainString();
    }
}
