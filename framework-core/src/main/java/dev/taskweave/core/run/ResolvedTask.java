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
 * @param outputWidth the head's {@link TaskHead#outputWidth()}, read once (at least 1)
 * @param headPath   the config path that chose the head, {@code tasks[i].head}: what a failure of
 *                   the head names, made once rather than at every call
 * @param metricPaths per metric, the config path that chose it ({@code tasks[i].metrics[j]}, or
 *                   {@code tasks[i].head} for a head's default metric)
 */
public record ResolvedTask(int index, String name, String headType, TaskHead head, Registered<?> plugin,
        TaskLabels labels, List<Metric> metrics, LabelStatistics statistics, LabelInfo labelInfo, int outputWidth, String headPath,
        List<String> metricPaths) {
    public ResolvedTask {
        metrics = List.copyOf(metrics);
        metricPaths = List.copyOf(metricPaths);
        if (metricPaths.size() != metrics.size()) {
            throw new IllegalArgumentException(metrics.size() + " metrics but " + metricPaths.size() + " paths");
        }
    }
}
