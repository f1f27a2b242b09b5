package dev.taskweave.plugins.heads.attributes;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.TaskContext;
import dev.taskweave.api.model.TaskHead;
import dev.taskweave.api.model.TaskHeadFactory;
import org.pf4j.Extension;

/** {@code head: multilabel}: one logit per label, masked per-label BCE with logits, sigmoid scores. */
@Extension
public final class MultiLabelHeadFactory implements TaskHeadFactory<MultiLabelHeadConfig> {
    @Override
    public String type() {
        return "multilabel";
    }

    @Override
    public Class<MultiLabelHeadConfig> configClass() {
        return MultiLabelHeadConfig.class;
    }

    @Override
    public String description() {
        return "Multi-label attribute: ReLU tower, one logit per label offset by the prior, masked BCE with logits";
    }

    /** @throws IllegalArgumentException when the task's label has fewer than 2 flags */
    @Override
    public TaskHead create(MultiLabelHeadConfig config, TaskContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.validate();
        return new MultiLabelHead(config, context);
    }
}
