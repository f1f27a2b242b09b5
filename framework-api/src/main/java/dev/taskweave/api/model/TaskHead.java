package dev.taskweave.api.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import dev.taskweave.api.nn.Scalars;
import java.util.List;

/**
 * One task of a multi-task model: its tower and output layer, its loss, how raw outputs become
 * scores and which metrics it reports by default.
 *
 * <p>Losses are masked: a batch mixes rows labelled for different tasks, and each task's loss is
 * the mean over the rows that carry its label. A batch with no labelled row gives a loss of zero
 * (and so no gradient).
 */
public interface TaskHead {
    /**
     * Creates the tower and output block. Its input is {@code [batch, inputWidth]}; its output is
     * {@code [batch, outputWidth()]} raw values (logits for classification).
     *
     * @return a new, uninitialised block
     */
    Block createBlock();

    /** @return the width of the block's output; 1 for scalar tasks */
    default int outputWidth() {
        return 1;
    }

    /**
     * The masked loss of one batch.
     *
     * @param output the block's output, {@code [batch, outputWidth]}
     * @param labels encoded labels, {@code [batch]} for scalar tasks and class indices,
     *               {@code [batch, labelWidth]} for multi-label attributes (0 where unlabelled)
     * @param mask   1 where the row carries this task's label, else 0, {@code [batch]}
     * @return a scalar: the mean loss over labelled rows, or 0 when there are none
     */
    NDArray loss(NDArray output, NDArray labels, NDArray mask);

    /**
     * Turns raw outputs into the scores that metrics and predictions use (a probability for a
     * binary task, a rating for regression).
     *
     * @param output the block's output, {@code [batch, outputWidth]}
     * @return scores, {@code [batch]} for scalar tasks, {@code [batch, outputWidth]} otherwise
     */
    NDArray scores(NDArray output);

    /**
     * Encodes a raw label column value into the training label (for example a rating into a
     * like/dislike flag). {@code NaN} must stay {@code NaN}. Not called for entity attributes,
     * whose values are used as they are.
     *
     * @param raw the raw column value
     * @return the encoded label
     */
    default float encodeLabel(float raw) {
        return raw;
    }

    /**
     * @return how many negatives to sample per observed row for implicit feedback; 0 when the
     *     task's labels are all explicit
     */
    default int negativesPerPositive() {
        return 0;
    }

    /** @return the metrics reported when the task's YAML does not list any */
    List<String> defaultMetrics();

    /**
     * @return true when each of the block's outputs is a logit whose sigmoid is a probability
     *     (a binary head's one logit, a multi-label head's one per label). Task dependencies that
     *     multiply probabilities (ESMM) or calibrate a task against its parent (AITM) need it, with
     *     one output, on both tasks; {@code calibrate: threshold} needs it.
     */
    default boolean producesLogit() {
        return false;
    }

    /**
     * @return true when the block's one output is the predicted value itself: {@link #scores}
     *     returns it unchanged, or at most clipped to a range (a regression's rating).
     *     {@code calibrate: linear} maps the output by a least-squares line and needs it; a head
     *     whose scores transform the output (a log-rate whose scores are {@code exp}) keeps the
     *     default, and the runtime refuses the calibration rather than map the wrong value
     */
    default boolean predictsValue() {
        return false;
    }

    /**
     * @return true for a pairwise ranking head (BPR): the runtime then pairs every positive
     *     training row with a freshly sampled unobserved item of the same user and trains with
     *     {@link #pairwiseLoss} instead of {@link #loss}. Evaluation still scores single rows (with
     *     {@link #negativesPerPositive} sampled negatives for AUC).
     */
    default boolean pairwise() {
        return false;
    }

    /**
     * The pairwise loss of one batch (only called when {@link #pairwise} is true).
     *
     * @param positive the block's outputs on positive rows, {@code [pairs, outputWidth]}
     * @param negative the block's outputs on the same users' sampled negatives, same shape
     * @return a scalar: the mean loss over the pairs
     */
    default NDArray pairwiseLoss(NDArray positive, NDArray negative) {
        throw new UnsupportedOperationException("not a pairwise head");
    }

    /**
     * Whether a model can learn this task from another model's outputs as well as from its labels
     * (knowledge distillation, {@code training.distillation}): true when {@link #distillationTarget}
     * gives a target that {@link #distillationLabels} can mix with the labels into something
     * {@link #loss} accepts. The runtime trains such a task towards the mix on its labelled rows,
     * the target averaged over the teachers. False by default.
     */
    default boolean distillable() {
        return false;
    }

    /**
     * What a teacher's output on a batch says the label is, in the encoding of the labels
     * {@link #loss} receives (a probability for a 0/1 label, the value itself for a regression);
     * only called when {@link #distillable} is true.
     *
     * @param teacherOutput the teacher's block output for this task, {@code [batch, outputWidth]}
     * @return shaped as the task's labels: {@code [batch]}, or {@code [batch, labelWidth]}
     */
    default NDArray distillationTarget(NDArray teacherOutput) {
        throw new UnsupportedOperationException("this head cannot be distilled");
    }

    /**
     * What a distilled task is trained towards on a batch: its labels and the teachers' mean
     * target mixed with weight {@code w}, in an encoding {@link #loss} accepts. By default
     * {@code (1 - w)·labels + w·target}, which suits labels that are values (a 0/1 label, a
     * rating, multi-label flags); a head whose labels are of another kind (a class index)
     * overrides it and mixes in its own encoding (a class distribution), which its loss must then
     * take as well as its labels. Only called when {@link #distillable} is true.
     *
     * @param labels     the batch's labels, as {@link #loss} receives them
     * @param mask       {@code [batch]}: 1 where the row has the label; the other rows' labels
     *                   are not meaningful (and may not be valid values), and the result's there
     *                   is ignored by the loss's mask
     * @param meanTarget the teachers' {@link #distillationTarget}s averaged
     * @param weight     {@code w} in (0, 1]
     */
    default NDArray distillationLabels(NDArray labels, NDArray mask, NDArray meanTarget, float weight) {
        return Scalars.mul(labels, 1f - weight).add(Scalars.mul(meanTarget.reshape(labels.getShape()), weight));
    }
}
