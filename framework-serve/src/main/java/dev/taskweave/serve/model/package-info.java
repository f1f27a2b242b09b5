/** Loaded model versions and their atomic, reference-counted replacement. */
package dev.taskweave.serve.model;
