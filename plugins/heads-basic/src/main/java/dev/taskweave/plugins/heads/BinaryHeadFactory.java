package dev.taskweave.plugins.heads;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.model.TaskContext;
import dev.taskweave.api.model.TaskHead;
import dev.taskweave.api.model.TaskHeadFactory;
import org.pf4j.Extension;

/** {@code head: binary}: one logit trained with masked binary cross-entropy, scored by sigmoid. */
@Extension
public final class BinaryHeadFactory implements TaskHeadFactory<BinaryHeadConfig> {
    @Override
    public String type() {
        return "binary";
    }

    @Override
    public Class<BinaryHeadConfig> configClass() {
        return BinaryHeadConfig.class;
    }

    @Override
    public String description() {
        return "Binary classification: ReLU tower, one logit offset by the prior, masked BCE with logits";
    }

    @Override
    public TaskHead create(BinaryHeadConfig config, TaskContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.validate();
        return new BinaryHead(config, context);
    }
}
