package dev.taskweave.core.run;

import dev.taskweave.api.metric.Metric;
import dev.taskweave.api.model.LabelStatistics;
import dev.taskweave.api.model.TaskHead;
import dev.taskweave.core.data.TaskLabels;
import dev.taskweave.core.plugin.Registered;
import java.util.List;

/**
 * A task with its created head, label handling and metrics.
 *
 * @param index      position in the model
 * @param name       task name
 * @param headType   head type name
 * @param head       the head
 * @param plugin     the head's registration
 * @param labels     label column, encoding and negatives
 * @param metrics    metrics to report
 * @param statistics training label statistics the head was created with
 * @param labelInfo  the shape of the task's labels
 */
public record ResolvedTask(int index, String name, String headType, TaskHead head, Registered<?> plugin,
        TaskLabels labels, List<Metric> metrics, LabelStatistics statistics, LabelInfo labelInfo) {}
