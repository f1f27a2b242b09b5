/**
 * Task heads for entity attributes: {@code multilabel} (one logit per label, a masked per-label
 * binary cross-entropy with logits, sigmoid scores) and {@code multiclass} (one logit per class, a
 * masked softmax cross-entropy with optional label smoothing, softmax scores).
 *
 * <p>Each head's block is a {@link ai.djl.nn.SequentialBlock} of {@code Linear + ReLU (+ Dropout)}
 * per tower layer and a {@code Linear(labelWidth)} output. The {@code multilabel} block ends with a
 * constant offset, the logit of the mean label flag, so that training starts at the label density;
 * the offset is stored with the block's parameters.
 */
package dev.taskweave.plugins.heads.attributes;
