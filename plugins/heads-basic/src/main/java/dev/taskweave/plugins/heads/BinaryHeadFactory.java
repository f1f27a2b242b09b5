package dev.taskweave.plugins.heads;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.InvalidConfigException;
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

    /**
     * @throws InvalidConfigException at {@code threshold} on an implicit-feedback task, whose rows have no value to
     *     threshold, and at {@code negatives} when such a task samples none (its rows would all be positives)
     */
    @Override
    public TaskHead create(BinaryHeadConfig config, TaskContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.validate();
        if (config.threshold() != null && TaskContext.OBSERVED.equals(context.label())) {
            // every observed row is a positive read as 1: a threshold above 1 would make them all negatives
            throw new InvalidConfigException("threshold", "an '" + TaskContext.OBSERVED + "' task has no label values to"
                    + " threshold (each observed row is a positive, its negatives are sampled); remove it");
        }
        // (refused for new experiments only: a model trained with them ignored them, and keeps loading)
        if (context.attribute() && config.threshold() != null && !context.stored()) {
            // an attribute's flag is read as it is (0 or 1)
            throw new InvalidConfigException("threshold", "task '" + context.name() + "' reads attribute '" + context.label()
                    + "', whose flags are 0 or 1 as they are; remove it");
        }
        if (context.attribute() && config.negatives() > 0 && !context.stored()) {
            // negatives are sampled items for interaction rows; an attribute's rows are entities
            throw new InvalidConfigException("negatives", "task '" + context.name() + "' reads attribute '" + context.label()
                    + "', whose rows are entities with their own 0/1 flag: nothing is sampled; remove it");
        }
        if (config.negatives() == 0 && TaskContext.OBSERVED.equals(context.label()) && !context.attribute() && !context.stored()) {
            // every row a positive: the loss learns a constant and AUC is undefined on every split
            throw new InvalidConfigException("negatives", "an '" + TaskContext.OBSERVED + "' task's rows are all positives;"
                    + " expected negatives >= 1 unobserved items sampled per observed row (4 is common)");
        }
        return new BinaryHead(config, context);
    }
}
