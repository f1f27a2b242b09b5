package dev.taskweave.core.run;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import dev.taskweave.api.nn.Scalars;
import dev.taskweave.core.config.ConfigException;
import java.util.List;

/**
 * Knowledge distillation ({@code training.distillation}): the teachers of a model and the targets
 * they give its tasks. On every training batch each teacher scores the very inputs the model reads
 * (the same rows, the same dropped ids and features), in inference mode and without their
 * calibration (the model fits its own after training); a distilled task is then
 * trained towards {@code (1 - w)·label + w·mean(target)} on its labelled rows, where the target is
 * what the teacher's head makes of its output ({@link dev.taskweave.api.model.TaskHead#distillationTarget}).
 *
 * <p>A teacher reads the model's inputs as they are, so it must have been trained on the same data
 * with the same features (the caller checks; {@link #of} checks the tasks). Not thread-safe.
 */
public final class Distillation {
    private final AssembledModel student;
    private final List<AssembledModel> teachers;
    /** Per teacher, per task of the model: the teacher's task giving its target, or -1 (not distilled). */
    private final int[][] sources;
    private final float weight;

    private Distillation(AssembledModel student, List<AssembledModel> teachers, int[][] sources, float weight) {
        this.student = student;
        this.teachers = List.copyOf(teachers);
        this.sources = sources;
        this.weight = weight;
    }

    /**
     * @param student   the model trained
     * @param teachers  the models it learns from
     * @param names     per teacher, how errors name it (for example {@code training.distillation.models[0]})
     * @throws ConfigException at the teacher's name when it lacks a distilled task or predicts it with another head
     */
    public static Distillation of(AssembledModel student, List<AssembledModel> teachers, List<String> names) {
        requireNonNull(student, "student is null");
        if (teachers.isEmpty() || teachers.size() != names.size()) {
            throw new IllegalArgumentException("expected one name per teacher, and at least one teacher");
        }
        Plan plan = student.plan();
        boolean[] distilled = ModelAssembler.distilledTasks(plan, student.tasks());
        int[][] sources = new int[teachers.size()][student.tasks().size()];
        for (int k = 0; k < teachers.size(); k++) {
            AssembledModel teacher = teachers.get(k);
            for (ResolvedTask task : student.tasks()) {
                sources[k][task.index()] = -1;
                if (!distilled[task.index()]) {
                    continue;
                }
                ResolvedTask own = teacher.task(task.name());
                if (own == null) {
                    throw new ConfigException(plan.source(), names.get(k), 0, "has no task '" + task.name() + "' to learn it from;"
                            + " its tasks: " + teacher.tasks().stream().map(ResolvedTask::name).toList()
                            + " (training.distillation.tasks chooses the tasks distilled)");
                }
                if (!own.headType().equals(task.headType()) || own.labelInfo().width() != task.labelInfo().width()) {
                    throw new ConfigException(plan.source(), names.get(k), 0, "predicts task '" + task.name() + "' with head '"
                            + own.headType() + "' (" + own.labelInfo().width() + " label value(s) per row); this experiment with '"
                            + task.headType() + "' (" + task.labelInfo().width() + "): a teacher's task must have the same head");
                }
                sources[k][task.index()] = own.index();
            }
        }
        return new Distillation(student, teachers, sources, (float) plan.config().training.distillation.weight);
    }

    /** @return the number of teachers */
    public int teachers() {
        return teachers.size();
    }

    /**
     * The labels a batch is trained towards: a distilled task's labels mixed with the teachers'
     * mean target by its head ({@link dev.taskweave.api.model.TaskHead#distillationLabels}: for
     * most heads {@code (1 - w)·labels + w·target}); any other task's labels as they are. Values
     * on rows without the task's label are not meaningful (the heads' losses mask them).
     *
     * @param inputs the model's inputs for the batch, which every teacher reads too
     * @param labels per task, the batch's encoded labels (not modified)
     * @param masks  per task, {@code [batch]}: 1 where the row has the task's label
     * @return per task, what to train towards, in the batch's manager
     */
    NDArray[] targets(NDList inputs, NDArray[] labels, NDArray[] masks, ParameterStore ps) {
        NDArray[] sums = new NDArray[labels.length];
        for (int k = 0; k < teachers.size(); k++) {
            AssembledModel teacher = teachers.get(k);
            boolean[] wanted = new boolean[teacher.tasks().size()];
            for (int source : sources[k]) {
                if (source >= 0) {
                    wanted[source] = true;
                }
            }
            NDArray[] outputs = teacher.block().forwardUncalibrated(ps, inputs, wanted);
            for (int t = 0; t < labels.length; t++) {
                int source = sources[k][t];
                if (source < 0) {
                    continue;
                }
                ResolvedTask own = teacher.tasks().get(source);
                NDArray output = outputs[source];
                NDArray target = own.plugin().callRunning(teacher.plan().source(), own.headPath(), "distillationTarget()",
                        () -> own.head().distillationTarget(output));
                checkRows(teacher.plan().source(), own, "distillationTarget()", target, labels[t]);
                sums[t] = sums[t] == null ? target : sums[t].add(target);
            }
        }
        NDArray[] result = labels.clone();
        for (int t = 0; t < labels.length; t++) {
            if (sums[t] != null) {
                NDArray target = Scalars.div(sums[t], teachers.size());
                ResolvedTask task = student.tasks().get(t);
                NDArray label = labels[t];
                NDArray mask = masks[t];
                result[t] = task.plugin().callRunning(student.plan().source(), task.headPath(), "distillationLabels()",
                        () -> task.head().distillationLabels(label, mask, target, weight));
                checkRows(student.plan().source(), task, "distillationLabels()", result[t], label);
            }
        }
        return result;
    }

    /** A head's distillation array must be one of the batch's rows per row, as its labels are. */
    private static void checkRows(String source, ResolvedTask task, String action, NDArray value, NDArray labels) {
        if (value == null) {
            throw task.plugin().failure(source, task.headPath(), action, "returned null");
        }
        long rows = labels.getShape().get(0);
        if (value.getShape().dimension() == 0 || value.getShape().get(0) != rows) {
            throw task.plugin().failure(source, task.headPath(), action, "must return one row per row of the batch (" + rows
                    + "), got shape " + value.getShape());
        }
    }
}
