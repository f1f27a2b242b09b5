/**
 * Basic task heads: {@code regression} (a tower, one output and a masked mean squared error) and
 * {@code binary} (a tower, one logit and a masked binary cross-entropy with logits).
 *
 * <p>Each head's block is a {@link ai.djl.nn.SequentialBlock} of {@code Linear + ReLU (+ Dropout)}
 * per tower layer, a {@code Linear(1)} output and a constant offset (the label mean, or the logit of
 * the positive rate) that starts predictions at the training prior. The offset is stored with the
 * block's parameters, so a saved model does not depend on the label statistics at load time.
 */
package dev.taskweave.plugins.heads;
