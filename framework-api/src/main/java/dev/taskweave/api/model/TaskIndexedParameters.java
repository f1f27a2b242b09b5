package dev.taskweave.api.model;

import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Objects;

/**
 * Implemented by a sharing or loss-weighting block whose parameters are laid out by task position
 * without belonging to one task alone in {@link TaskOwnedParameters}' sense (other tasks read them
 * through a mixture, so their gradients are shared): a cross-stitch network's per-task columns and
 * its {@code T x T} mixing matrices, PLE's inner-level task experts and its shared gate's rows over
 * them, uncertainty weighting's vector of log-variances.
 *
 * <p>When a trained model starts a new one ({@code training.initFrom}) whose tasks were inserted,
 * removed or moved, the runtime carries what this declares by the tasks' names, as it carries
 * each task's own parameters: a task's slice or parameter goes to the same task wherever it now
 * stands, and a new task's keeps its initialisation. A parameter laid out by task position that a
 * block does not declare is copied by position (so reordering the tasks would hand one task
 * another's values). This changes nothing else: gradients, gradient surgery and telemetry treat the
 * parameters as before.
 */
public interface TaskIndexedParameters {
    /**
     * One axis of a parameter that runs over the tasks.
     *
     * @param parameter the parameter (the same object as in the block's {@code getParameters()})
     * @param axis      the axis, from 0
     * @param width     the entries each task has along it: task {@code t} holds
     *                  {@code [t * width, (t + 1) * width)}; the entries after the tasks'
     *                  ({@code tasks * width} on: a gate's shared experts) belong to no task and are
     *                  carried as they are
     */
    record TaskAxis(Parameter parameter, int axis, int width) {
        public TaskAxis {
            Objects.requireNonNull(parameter, "parameter is null");
            if (axis < 0 || width < 0) {
                throw new IllegalArgumentException("axis and width must be >= 0, got " + axis + " and " + width);
            }
        }
    }

    /**
     * @param task a task index, in the order of the block's tasks
     * @return the parameters that stand at task {@code task}'s position, in a fixed order (the same
     *     for every task of a block of one configuration), or an empty list
     */
    default List<Parameter> taskPositionParameters(int task) {
        return List.of();
    }

    /** @return every axis that runs over the tasks; a parameter with two (a mixing matrix) is listed once per axis */
    default List<TaskAxis> taskAxes() {
        return List.of();
    }
}
