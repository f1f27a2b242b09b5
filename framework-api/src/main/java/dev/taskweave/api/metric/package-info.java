/**
 * Evaluation metrics. The runtime ships the common ones (rmse, mae, auc, logloss, accuracy);
 * plugins add more through {@link dev.taskweave.api.metric.MetricProvider}. A metric name must be
 * unique across the runtime and all plugins.
 */
package dev.taskweave.api.metric;
