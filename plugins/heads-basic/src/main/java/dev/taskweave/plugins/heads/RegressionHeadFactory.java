package dev.taskweave.plugins.heads;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.TaskContext;
import dev.taskweave.api.model.TaskHead;
import dev.taskweave.api.model.TaskHeadFactory;
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
}
