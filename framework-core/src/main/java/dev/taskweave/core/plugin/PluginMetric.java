package dev.taskweave.core.plugin;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.metric.Metric;
import dev.taskweave.api.metric.MetricInput;

/**
 * A plugin's metric: calls it with the plugin's class loader as the context class loader, and
 * reports its own exceptions and linkage errors as a {@link PluginFailureException} naming the
 * metric and the plugin.
 */
public final class PluginMetric implements Metric {
    private final Metric metric;
    private final String name;
    private final boolean higherIsBetter;
    private final java.util.Set<dev.taskweave.api.metric.MetricOutput> outputs;
    private final String pluginId;
    private final String version;
    private final String location;
    private final ClassLoader loader;

    /** @throws PluginFailureException when the metric's name or direction cannot be read */
    public PluginMetric(Metric metric, String pluginId, String version, String location, ClassLoader loader) {
        this.metric = requireNonNull(metric, "metric is null");
        this.pluginId = requireNonNull(pluginId, "pluginId is null");
        this.version = requireNonNull(version, "version is null");
        this.location = requireNonNull(location, "location is null");
        this.loader = requireNonNull(loader, "loader is null");
        String what = "a metric (" + metric.getClass().getName() + ")";
        this.name = call(what, "name()", metric::name);
        if (name == null || name.isBlank()) {
            throw PluginFailureException.of(what, pluginId, version, "name()", null, null,
                    new IllegalStateException("the metric has no name"));
        }
        this.higherIsBetter = call("metric '" + name + "'", "higherIsBetter()", metric::higherIsBetter);
        java.util.Set<dev.taskweave.api.metric.MetricOutput> declared = call("metric '" + name + "'", "outputs()", metric::outputs);
        if (declared == null || declared.isEmpty()) {
            throw PluginFailureException.of("metric '" + name + "'", pluginId, version, "outputs()", null, null,
                    new IllegalStateException("the metric fits no head output (outputs() is " + (declared == null ? "null" : "empty") + ")"));
        }
        this.outputs = java.util.Set.copyOf(declared);
    }

    @Override
    public java.util.Set<dev.taskweave.api.metric.MetricOutput> outputs() {
        return outputs;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    @Override
    public double compute(MetricInput input) {
        return compute(input, null, null);
    }

    /**
     * As {@link #compute(MetricInput)}, a failure naming where the metric was asked for.
     *
     * @param source the config file, or null
     * @param path   the config path that asked for the metric ({@code tasks[0].metrics[1]}), or null
     */
    public double compute(MetricInput input, String source, String path) {
        return PluginFailureException.callIn(loader, "metric '" + name + "'", pluginId, version, "compute()", source, path,
                () -> metric.compute(input));
    }

    /** @return the providing plugin's id */
    public String pluginId() {
        return pluginId;
    }

    /** @return the plugin's jar or directory */
    public String location() {
        return location;
    }

    /** @return the plugin's metric */
    public Metric delegate() {
        return metric;
    }

    private <T> T call(String what, String action, java.util.function.Supplier<T> body) {
        return PluginFailureException.callIn(loader, what, pluginId, version, action, null, null, body);
    }
}
