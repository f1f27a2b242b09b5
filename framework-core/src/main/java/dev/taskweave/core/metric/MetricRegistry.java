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

    /** What a task's head outputs per row, which decides the metrics that mean something on it. */
    public enum Output {
        /** One predicted value (regression). */
        VALUE("one predicted value"),
        /** One probability, the sigmoid of a logit (binary). */
        PROBABILITY("one probability"),
        /** One score whose order alone counts (a pairwise ranking head such as bpr). */
        SCORE("one ranking score"),
        /** A probability per label of a multi-label attribute. */
        MULTI_LABEL("a probability per label"),
        /** A score per class of a one-class-per-entity attribute. */
        MULTI_CLASS("a score per class");

        private final String description;

        Output(String description) {
            this.description = description;
        }

        /** @return how an error names the output, for example {@code one predicted value} */
        public String description() {
            return description;
        }
    }

    /*
     * The built-in metrics' outputs: the others compute NaN or a number that means nothing (a
     * log-loss of a rating, an AUC of a regression whose labels are all above 0.5). A plugin's
     * metric is not listed and fits every head.
     */
    private static final Map<String, java.util.Set<Output>> BUILTIN_OUTPUTS = Map.of(
            "rmse", java.util.EnumSet.of(Output.VALUE, Output.PROBABILITY),
            "mae", java.util.EnumSet.of(Output.VALUE, Output.PROBABILITY),
            "auc", java.util.EnumSet.of(Output.PROBABILITY, Output.SCORE),
            "logloss", java.util.EnumSet.of(Output.PROBABILITY),
            "ece", java.util.EnumSet.of(Output.PROBABILITY),
            "accuracy", java.util.EnumSet.of(Output.PROBABILITY, Output.MULTI_LABEL, Output.MULTI_CLASS),
            "micro_f1", java.util.EnumSet.of(Output.MULTI_LABEL),
            "top1_precision", java.util.EnumSet.of(Output.MULTI_LABEL),
            "map", java.util.EnumSet.of(Output.MULTI_LABEL),
            "macro_f1", java.util.EnumSet.of(Output.MULTI_CLASS));

    /** @return whether the metric means something on a head's output (every plugin metric does, as far as the runtime knows) */
    public boolean fits(String name, Output output) {
        java.util.Set<Output> outputs = byName.get(name) == null ? null : BUILTIN_OUTPUTS.get(name);
        return outputs == null || outputs.contains(output);
    }

    /** @return the metrics that fit the output, sorted */
    public List<String> namesFor(Output output) {
        return byName.keySet().stream().filter(n -> fits(n, output)).toList();
    }
}
