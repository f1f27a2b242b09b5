/**
 * The trained-model directory: parameters, the experiment, the encoder's features and entity
 * tables, label statistics, metrics and provenance, written atomically and read back exactly.
 */
package dev.taskweave.core.store;
