package dev.taskweave.core.plugin;

import static java.util.Objects.requireNonNull;

import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.core.config.ConfigException;
import java.util.function.Supplier;

/**
 * A factory found at start-up, with the plugin that provides it.
 *
 * @param type          the factory's type name
 * @param factory       the factory
 * @param pluginId      the providing plugin's id ({@code builtin} for the runtime's own)
 * @param pluginVersion the providing plugin's version
 * @param classLoader   the loader to make current while calling into the plugin
 * @param <F>           the factory kind
 */
public record Registered<F>(String type, F factory, String pluginId, String pluginVersion, ClassLoader classLoader) {
    public Registered {
        requireNonNull(type, "type is null");
        requireNonNull(factory, "factory is null");
        requireNonNull(pluginId, "pluginId is null");
        requireNonNull(pluginVersion, "pluginVersion is null");
        requireNonNull(classLoader, "classLoader is null");
    }

    /**
     * Calls into the plugin with its class loader as the context class loader.
     *
     * @throws PluginFailureException naming the plugin and the type when the plugin throws
     *     anything but the framework's own exceptions, or a {@link LinkageError}
     */
    public <T> T call(Supplier<T> body) {
        return call(null, null, null, body);
    }

    /**
     * As {@link #call(Supplier)}, with what a failure message names.
     *
     * @param source the config file, or null
     * @param path   the config path that chose this type ({@code tasks[0].head}), or null
     * @param action the method called ({@code create()}), or null
     */
    public <T> T call(String source, String path, String action, Supplier<T> body) {
        return PluginFailureException.callIn(classLoader, "type '" + type + "'", pluginId, pluginVersion, action, source, path, body);
    }

    /**
     * As {@link #call(String, String, String, Supplier)}, for a call made while the model trains or
     * scores (a head's {@code loss()} or {@code scores()}, a block's forward pass, a combiner's
     * {@code combine()}): an {@link dev.taskweave.api.InvalidConfigException} thrown now is the
     * plugin's failure, named as its other exceptions are, not a configuration error, and a
     * {@link dev.taskweave.api.DataException} stays a data error but names the plugin, the path and
     * the method as they do. Calls that check the configuration ({@code validate()},
     * {@code create()}, {@code load()}) use {@link #call(String, String, String, Supplier)}, whose
     * callers put its path under the params; those that build the model from it after
     * {@code create()} ({@code createBlock()}, a block's {@code initialize()}, {@code warnings()})
     * use {@link #callBuilding}.
     */
    public <T> T callRunning(String source, String path, String action, Supplier<T> body) {
        return PluginFailureException.callRunning(classLoader, "type '" + type + "'", pluginId, pluginVersion, action, source, path,
                body);
    }

    /**
     * As {@link #call(String, String, String, Supplier)}, for a call that builds the model from its
     * configuration after the factory's {@code create()} accepted it ({@code createBlock()}, a
     * block's {@code initialize()}, a head factory's {@code warnings()}): an
     * {@link InvalidConfigException} it throws refuses a value of the params, reported as
     * {@link #refusal} words it.
     *
     * @param path the config path that chose this type ({@code tasks[0].head}, {@code sharing.type})
     */
    public <T> T callBuilding(String source, String path, String action, Supplier<T> body) {
        try {
            return call(source, path, action, body);
        } catch (InvalidConfigException e) {
            throw refusal(source, path, action, e);
        }
    }

    /**
     * A value of the configuration that this type refused in {@code action}, one of the calls that
     * build the model after {@code create()} accepted the params ({@code createBlock()}, a block's
     * {@code initialize()}, a head factory's {@code warnings()}, a head's {@code encodeLabel()}): a
     * configuration error (exit 2) at the exception's path under the params beside {@code path}
     * ({@code tasks[0].head} gives {@code tasks[0].params.tower[1]}), as one of {@code validate()}
     * or {@code create()} is, that also names the type, its plugin and the method, since the check
     * is the plugin's own: {@code exp.yaml: tasks[0].params.tower[1]: must be at most 64 (type 'x'
     * of plugin acme 1.0.0, in createBlock())}. An empty exception path refuses the type as a whole,
     * at {@code path}.
     *
     * @param source the config file, or null
     * @param path   the config path that chose this type ({@code tasks[0].head}, {@code sharing.type}), or null
     * @param action the method that refused ({@code createBlock()})
     */
    public ConfigException refusal(String source, String path, String action, InvalidConfigException e) {
        requireNonNull(action, "action is null");
        String at = path == null ? e.path() : e.path().isEmpty() ? path : e.under(params(path)).path();
        ConfigException refused = new ConfigException(source, at, 0, e.reason() + " (" + describe() + ", in " + action + ")");
        refused.initCause(e);
        return refused;
    }

    /**
     * @return the params path beside a type's path: {@code tasks[0].head} gives {@code tasks[0].params},
     *     {@code sharing.type} {@code sharing.params}
     */
    static String params(String typePath) {
        int dot = typePath.lastIndexOf('.');
        return (dot < 0 ? "" : typePath.substring(0, dot + 1)) + "params";
    }

    /**
     * The failure of a call into the plugin that returned what the API does not allow (null, an
     * array of another shape): reported as a failure of the plugin, worded as one of its
     * exceptions is ({@code exp.yaml: tasks[0].head: type 'poisson' of plugin acme-mtl 1.0.0
     * failed in loss(): must return a scalar, got shape (256)}), without a cause.
     *
     * @param source  the config file, or null
     * @param path    the config path that chose this type, or null
     * @param action  the method called ({@code loss()})
     * @param problem what it returned against what was expected
     */
    public PluginFailureException failure(String source, String path, String action, String problem) {
        requireNonNull(action, "action is null");
        requireNonNull(problem, "problem is null");
        StringBuilder sb = PluginFailureException.where(source, path);
        sb.append("type '").append(type).append("' ").append(PluginFailureException.owner(pluginId, pluginVersion))
                .append(" failed in ").append(action).append(": ").append(problem);
        return new PluginFailureException(sb.toString(), null, false, source, path);
    }

    /**
     * @return {@code type 'T' of plugin ID VERSION} (or {@code from the class path}), for a message
     *     about this type that is not a failure
     */
    public String describe() {
        return "type '" + type + "' " + PluginFailureException.owner(pluginId, pluginVersion);
    }
}
