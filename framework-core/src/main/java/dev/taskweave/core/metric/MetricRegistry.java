package dev.taskweave.core.metric;

import dev.taskweave.api.metric.Metric;
import dev.taskweave.api.metric.MetricOutput;
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
            Metric previous = byName.putIfAbsent(m.name(), m);
            if (previous != null) {
                throw new PluginConflictException("the metric '" + m.name() + "' is provided twice: by " + origin(previous)
                        + " and by " + origin(m) + "; remove one of them");
            }
        }
    }

    private static String origin(Metric m) {
        return m instanceof dev.taskweave.core.plugin.PluginMetric p ? "plugin " + p.pluginId() + " (" + p.location() + ")"
                : BuiltinMetrics.all().stream().anyMatch(b -> b.getClass() == m.getClass()) ? "the built-in metrics"
                : m.getClass().getName();
    }

    /** @return the metric, or null */
    public Metric find(String name) {
        return byName.get(name);
    }

    /** @return every metric name, sorted */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** @return whether the metric means something on a head's output ({@link Metric#outputs()}: what the built-ins and plugins declare) */
    public boolean fits(String name, MetricOutput output) {
        Metric metric = byName.get(name);
        if (metric == null) {
            return true;
        }
        return metric.outputs().contains(output);
    }

    /** @return the metrics that fit the output, sorted */
    public List<String> namesFor(MetricOutput output) {
        return byName.keySet().stream().filter(n -> fits(n, output)).toList();
    }
}
