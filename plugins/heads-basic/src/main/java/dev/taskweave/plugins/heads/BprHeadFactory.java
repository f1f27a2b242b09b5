package dev.taskweave.plugins.heads;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.api.model.TaskContext;
import dev.taskweave.api.model.TaskHead;
import dev.taskweave.api.model.TaskHeadFactory;
import org.pf4j.Extension;

/** {@code head: bpr}: pairwise ranking of a user's positives above sampled unobserved items. */
@Extension
public final class BprHeadFactory implements TaskHeadFactory<BprHeadConfig> {
    @Override
    public String type() {
        return "bpr";
    }

    @Override
    public Class<BprHeadConfig> configClass() {
        return BprHeadConfig.class;
    }

    @Override
    public String description() {
        return "Pairwise ranking (BPR): ReLU tower, one score, -log sigmoid(s_pos - s_neg) over sampled pairs";
    }

    /** @throws InvalidConfigException at {@code threshold} on an implicit-feedback task, whose rows have no value to threshold */
    @Override
    public TaskHead create(BprHeadConfig config, TaskContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        config.validate();
        // (for new experiments: a model trained with one, which pairs nothing above 1, keeps loading)
        if (config.threshold() != null && TaskContext.OBSERVED.equals(context.label()) && !context.stored()) {
            // every observed row is a positive read as 1: a threshold above 1 would leave no positive to pair
            throw new InvalidConfigException("threshold", "an '" + TaskContext.OBSERVED + "' task has no label values to"
                    + " threshold (each observed row is a positive, its negatives are sampled); remove it");
        }
        if (context.attribute() && !context.stored()) {
            // a pair is an interaction row against a sampled item; an attribute's rows are users or items
            throw new InvalidConfigException("", "head bpr pairs an interaction row with a sampled item, and task '" + context.name()
                    + "' reads attribute '" + context.label() + "', whose rows are entities with a 0/1 flag of their own;"
                    + " use head: binary");
        }
        return new BprHead(config, context);
    }
}
