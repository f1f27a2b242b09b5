package dev.taskweave.plugins.heads.attributes;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.TaskContext;
import dev.taskweave.api.model.TaskHead;
import dev.taskweave.api.model.TaskHeadFactory;
import org.pf4j.Extension;

/** {@code head: multiclass}: one logit per class, masked softmax cross-entropy, softmax scores. */
@Extension
public final class MultiClassHeadFactory implements TaskHeadFactory<MultiClassHeadConfig> {
    @Override
    public String type() {
        return "multiclass";
    }

    @Override
    public Class<MultiClassHeadConfig> configClass() {
        return MultiClassHeadConfig.class;
    }

    @Override
    public String description() {
        return "Class attribute: ReLU tower, one logit per class, masked softmax cross-entropy with optional label smoothing";
    }

    /** @throws IllegalArgumentException when the task's label has fewer than 2 classes */
    @Override
    public TaskHead create(MultiClassHeadConfig config, TaskContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.validate();
        return new MultiClassHead(config, context);
    }
}
