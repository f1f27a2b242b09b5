package dev.taskweave.core.metric;

import dev.taskweave.api.metric.Metric;
import dev.taskweave.core.plugin.PluginConflictException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Metrics by name: the built-ins plus every plugin's; a name claimed twice is a start-up error. */
public final class MetricRegistry {
    private final Map<String, Metric> byName = new TreeMap<>();

    public MetricRegistry(Collection<Metric> pluginMetrics) {
        for (Metric m : BuiltinMetrics.all()) {
            byName.put(m.name(), m);
        }
        for (Metric m : pluginMetrics) {
            if (byName.putIfAbsent(m.name(), m) != null) {
                throw new PluginConflictException("metric '" + m.name() + "' is defined twice (" + m.getClass().getName() + ")");
            }
        }
    }

    /** @return the metric, or null */
    public Metric find(String name) {
        return byName.get(name);
    }

    /** @return every metric name, sorted */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }
}
