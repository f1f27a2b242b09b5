/** Built-in metrics and the registry that merges them with plugin metrics. */
package dev.taskweave.core.metric;
