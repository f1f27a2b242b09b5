package dev.taskweave.api.metric;

import java.util.List;
import org.pf4j.ExtensionPoint;

/** Contributes metrics from a plugin. */
public interface MetricProvider extends ExtensionPoint {
    /** @return the metrics this plugin provides */
    List<Metric> metrics();
}
