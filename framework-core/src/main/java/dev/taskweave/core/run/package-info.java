/**
 * A run from configuration to numbers: validation and assembly of the model from plugins, the
 * training loop with early stopping, and evaluation.
 */
package dev.taskweave.core.run;
