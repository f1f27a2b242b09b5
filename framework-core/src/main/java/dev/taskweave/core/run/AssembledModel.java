package dev.taskweave.core.run;

import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.api.model.LossWeighting;
import dev.taskweave.core.data.TaskLabels;
import dev.taskweave.core.model.MultiTaskBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * An initialised model with everything needed to train, evaluate and save it.
 *
 * @param plan      the validated experiment
 * @param features  encoder input features, in order
 * @param tasks     the tasks, in model order
 * @param block     the graph
 * @param weighting the loss weighting (for epoch callbacks)
 * @param warnings  what the task heads say about their parameters against the training labels
 *                  ({@link dev.taskweave.api.model.TaskHeadFactory#warnings}), each after its
 *                  task's config path ({@code tasks[0].head: ...}); empty for a model trained
 *                  before, whose heads are only made again to load it
 */
public record AssembledModel(Plan plan, List<FeatureSpec> features, List<ResolvedTask> tasks, MultiTaskBlock block,
        LossWeighting weighting, List<String> warnings) {
    public AssembledModel {
        warnings = List.copyOf(warnings);
    }

    /** @return label handling per task, in model order, with entity attributes attached from {@code dataset} */
    public List<TaskLabels> taskLabels(dev.taskweave.api.data.Dataset dataset) {
        List<TaskLabels> labels = new ArrayList<>();
        for (ResolvedTask t : tasks) {
            TaskLabels l = t.labels();
            dev.taskweave.api.data.EntityAttribute attribute = dataset.attributes().get(l.column());
            labels.add(attribute == null ? l : l.withAttribute(attribute));
        }
        return labels;
    }

    /** @return label handling per task, in model order (attributes not attached) */
    public List<TaskLabels> taskLabels() {
        List<TaskLabels> labels = new ArrayList<>();
        for (ResolvedTask t : tasks) {
            labels.add(t.labels());
        }
        return labels;
    }

    /** @return the task with that name, or null */
    public ResolvedTask task(String name) {
        for (ResolvedTask t : tasks) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
