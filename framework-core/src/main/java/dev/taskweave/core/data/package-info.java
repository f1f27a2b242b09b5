/**
 * From a dataset to batches: per-task labels and masks, negative sampling for implicit-feedback
 * tasks, feature gathering from the entity tables, and the data fingerprint.
 */
package dev.taskweave.core.data;
