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

    /*
     * The built-in metrics' outputs: the others compute NaN or a number that means nothing (a
     * log-loss of a rating, an AUC of a regression whose labels are all above 0.5). A plugin's
     * metric says which it fits itself ({@link Metric#outputs()}).
     */
    private static final Map<String, java.util.Set<MetricOutput>> BUILTIN_OUTPUTS = Map.of(
            "rmse", java.util.EnumSet.of(MetricOutput.VALUE, MetricOutput.PROBABILITY),
            "mae", java.util.EnumSet.of(MetricOutput.VALUE, MetricOutput.PROBABILITY),
            "auc", java.util.EnumSet.of(MetricOutput.PROBABILITY, MetricOutput.SCORE),
            "logloss", java.util.EnumSet.of(MetricOutput.PROBABILITY),
            "ece", java.util.EnumSet.of(MetricOutput.PROBABILITY),
            "accuracy", java.util.EnumSet.of(MetricOutput.PROBABILITY, MetricOutput.MULTI_LABEL, MetricOutput.MULTI_CLASS),
            "micro_f1", java.util.EnumSet.of(MetricOutput.MULTI_LABEL),
            "top1_precision", java.util.EnumSet.of(MetricOutput.MULTI_LABEL),
            "map", java.util.EnumSet.of(MetricOutput.MULTI_LABEL),
            "macro_f1", java.util.EnumSet.of(MetricOutput.MULTI_CLASS));

    /** @return whether the metric means something on a head's output (a plugin's metric says so itself: {@link Metric#outputs()}) */
    public boolean fits(String name, MetricOutput output) {
        Metric metric = byName.get(name);
        if (metric == null) {
            return true;
        }
        // a built-in name is never a plugin's (a clash stops start-up)
        return BUILTIN_OUTPUTS.getOrDefault(name, metric.outputs()).contains(output);
    }

    /** @return the metrics that fit the output, sorted */
    public List<String> namesFor(MetricOutput output) {
        return byName.keySet().stream().filter(n -> fits(n, output)).toList();
    }
}
