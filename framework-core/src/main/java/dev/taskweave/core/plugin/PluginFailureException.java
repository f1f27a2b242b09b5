package dev.taskweave.core.plugin;

import dev.taskweave.api.DataException;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.core.config.ConfigException;

/**
 * A plugin's own code failed: an exception that is not one of the framework's (a
 * {@code ConfigException}, {@code InvalidConfigException} or {@code DataException}), or a
 * {@link LinkageError}. The message names the plugin and its version, what of it failed and, when
 * known, the file and the config path that chose it. A linkage error means the plugin does not
 * fit this installation (built against another Taskweave API, or a library it needs is not in
 * its jar): {@link #incompatible()}; the command line reports it as bad input (exit 2), other
 * failures as a failure of the plugin (exit 1).
 */
public final class PluginFailureException extends RuntimeException {
    private final boolean incompatible;

    PluginFailureException(String message, Throwable cause, boolean incompatible) {
        super(message, cause);
        this.incompatible = incompatible;
    }

    /** @return whether the cause is a {@link LinkageError}: the plugin does not fit the host */
    public boolean incompatible() {
        return incompatible;
    }

    /**
     * @param what    what failed, for example {@code type 'poisson'} or {@code metric 'mape'}
     * @param plugin  the plugin's id
     * @param version the plugin's version, may be empty
     * @param action  the method that failed, for example {@code create()}, or null
     * @param source  the config file, or null
     * @param path    the config path that chose the extension, or null
     * @param cause   the plugin's exception or error
     */
    public static PluginFailureException of(String what, String plugin, String version, String action, String source, String path,
            Throwable cause) {
        StringBuilder sb = new StringBuilder();
        if (source != null) {
            sb.append(source).append(": ");
        }
        if (path != null && !path.isEmpty()) {
            sb.append(path).append(": ");
        }
        sb.append(what).append(' ').append(owner(plugin, version)).append(" failed");
        if (action != null) {
            sb.append(" in ").append(action);
        }
        sb.append(": ").append(cause.getClass().getSimpleName());
        if (cause.getMessage() != null) {
            sb.append(": ").append(cause.getMessage().replace('\n', ' '));
        }
        boolean linkage = cause instanceof LinkageError;
        if (linkage) {
            sb.append(" (the plugin does not fit this Taskweave: it was probably built against another version of the"
                    + " Taskweave API than this one's ").append(PluginRuntime.apiVersion())
                    .append(", or it needs a library that is not packed into its jar)");
        }
        return new PluginFailureException(sb.toString(), cause, linkage);
    }

    /** @return {@code of plugin ID VERSION}, or {@code from the class path} */
    static String owner(String plugin, String version) {
        if (plugin == null || PluginRuntime.CLASSPATH_PLUGIN.equals(plugin)) {
            return "from the class path";
        }
        return "of plugin " + plugin + (version == null || version.isEmpty() ? "" : " " + version);
    }

    /** @return whether the framework reports {@code e} itself: its own exceptions pass a plugin call unchanged */
    static boolean framework(RuntimeException e) {
        if (e instanceof ConfigException || e instanceof InvalidConfigException || e instanceof DataException
                || e instanceof PluginFailureException || e instanceof PluginConflictException) {
            return true;
        }
        // the runtime's other exceptions (a checkpoint's, a suspended training), thrown through a plugin's call
        return e.getClass().getName().startsWith("dev.taskweave.core.")
                && e.getClass().getClassLoader() == PluginFailureException.class.getClassLoader();
    }

    /**
     * Runs plugin code with {@code loader}, the plugin's class loader, as the context class loader,
     * as {@link #guard} does.
     */
    static <T> T callIn(ClassLoader loader, String what, String plugin, String version, String action, String source, String path,
            java.util.function.Supplier<T> body) {
        try (ContextClassLoader ignored = ContextClassLoader.enter(loader)) {
            return guard(what, plugin, version, action, source, path, body);
        }
    }

    /**
     * Runs plugin code and turns what is not the framework's own exception into a
     * {@code PluginFailureException}.
     */
    public static <T> T guard(String what, String plugin, String version, String action, String source, String path,
            java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (RuntimeException e) {
            if (framework(e)) {
                throw e;
            }
            throw of(what, plugin, version, action, source, path, e);
        } catch (LinkageError e) {
            throw of(what, plugin, version, action, source, path, e);
        }
    }
}
