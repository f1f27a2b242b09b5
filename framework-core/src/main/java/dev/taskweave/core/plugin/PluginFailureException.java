package dev.taskweave.core.plugin;

import dev.taskweave.api.DataException;
import dev.taskweave.api.InvalidConfigException;
import dev.taskweave.core.config.ConfigClassException;
import dev.taskweave.core.config.ConfigException;

/**
 * A plugin's own code failed: an exception that is not one of the framework's (a
 * {@code ConfigException}, {@code InvalidConfigException} or {@code DataException}; an
 * {@code InvalidConfigException} thrown while the model trains or scores is the plugin's too:
 * {@link #callRunning}), an
 * {@link Error} its code raised (a {@link StackOverflowError}, an {@link AssertionError}, a static
 * initializer's {@link ExceptionInInitializerError}, ...; not the JVM's own state: see
 * {@link #pluginsOwn(Error)}), a {@link LinkageError}, or a config class that cannot be created. The
 * message names the plugin and its version, what of it failed and, when known, the file and the
 * config path that chose it. A linkage error means the plugin does not fit this installation
 * (built against another Taskweave API, or a library it needs is not in its jar):
 * {@link #incompatible()}; the command line reports it as bad input (exit 2), other failures as a
 * failure of the plugin (exit 1).
 */
public final class PluginFailureException extends RuntimeException {
    private final boolean incompatible;
    private final String source;
    private final String path;

    PluginFailureException(String message, Throwable cause, boolean incompatible) {
        this(message, cause, incompatible, null, null);
    }

    /**
     * @param source the config file the message starts with ({@code source + ": "}), or null
     * @param path   the config path after it, or null
     */
    PluginFailureException(String message, Throwable cause, boolean incompatible, String source, String path) {
        super(message, cause);
        this.incompatible = incompatible;
        this.source = source;
        this.path = path;
    }

    /** @return the config file the failure names, or null */
    public String source() {
        return source;
    }

    /** @return the config path that chose the failing extension ({@code tasks[0].head}), or null */
    public String path() {
        return path;
    }

    /**
     * @return this failure with {@code line} after its file ({@code exp.yaml:12: tasks[0].head: ...}),
     *     as a configuration error names the line; this one when it names no file
     */
    public PluginFailureException atLine(int line) {
        String start = source + ": ";
        if (source == null || line <= 0 || !getMessage().startsWith(start)) {
            return this;
        }
        PluginFailureException at = new PluginFailureException(source + ":" + line + ": " + getMessage().substring(start.length()),
                getCause(), incompatible, source, path);
        at.setStackTrace(getStackTrace());
        return at;
    }

    /**
     * @return whether the cause is a {@link LinkageError} other than a static initializer's: the
     *     plugin does not fit the host
     */
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
        StringBuilder sb = where(source, path);
        sb.append(what).append(' ').append(owner(plugin, version)).append(" failed");
        if (action != null) {
            sb.append(" in ").append(action);
        }
        sb.append(": ").append(describe(cause));
        if (initializer(cause)) {
            // a LinkageError, but of the plugin's own code: its static initializer threw
            sb.append(" (a static initializer of the plugin failed)");
        }
        boolean linkage = cause instanceof LinkageError && !initializer(cause);
        if (linkage) {
            sb.append(" (the plugin does not fit this Taskweave: it was probably built against another version of the"
                    + " Taskweave API than this one's ").append(PluginRuntime.apiVersion())
                    .append(", or it needs a library that is not packed into its jar)");
        }
        return new PluginFailureException(sb.toString(), cause, linkage, source, path);
    }

    /**
     * @return a config class of a plugin's type that cannot be created, as a failure of the plugin
     *     (not of the user's YAML): {@code SOURCE: PATH: the config class C of type 'huber' of plugin
     *     acme 1.0 cannot be created: no constructor without arguments}
     */
    static PluginFailureException configClass(String what, String plugin, String version, String source, String path,
            ConfigClassException cause) {
        StringBuilder sb = where(source, path);
        if (cause.configClass() == null) {
            sb.append(what).append(' ').append(owner(plugin, version)).append(" has no config class: ").append(cause.reason());
        } else {
            sb.append("the config class ").append(cause.configClass().getName()).append(" of ").append(what).append(' ')
                    .append(owner(plugin, version)).append(" cannot be created: ").append(cause.reason());
        }
        return new PluginFailureException(sb.toString(), cause, false, source, path);
    }

    /** @return {@code "SOURCE: PATH: "}, each part only when known: where a failure's message starts */
    static StringBuilder where(String source, String path) {
        StringBuilder sb = new StringBuilder();
        if (source != null) {
            sb.append(source).append(": ");
        }
        if (path != null && !path.isEmpty()) {
            sb.append(path).append(": ");
        }
        return sb;
    }

    /** @return the class and message of {@code cause}, and of what it wraps when it is an initializer's error */
    private static String describe(Throwable cause) {
        StringBuilder sb = new StringBuilder(cause.getClass().getSimpleName());
        if (cause.getMessage() != null) {
            sb.append(": ").append(cause.getMessage().replace('\n', ' '));
        } else if (cause instanceof ExceptionInInitializerError && cause.getCause() != null) {
            sb.append(": ").append(describe(cause.getCause()));
        }
        return sb.toString();
    }

    /**
     * @return whether {@code cause} is a static initializer's failure: an
     *     {@link ExceptionInInitializerError}, or the {@link NoClassDefFoundError} of a later use of
     *     the class it left uninitialised. Both are {@link LinkageError}s, but of the plugin's own code.
     */
    private static boolean initializer(Throwable cause) {
        return cause instanceof ExceptionInInitializerError
                || cause instanceof NoClassDefFoundError && cause.getMessage() != null
                        && cause.getMessage().startsWith("Could not initialize class");
    }

    /**
     * Whether an {@link Error} raised inside a plugin's code is the plugin's failure, reported
     * naming the plugin: a {@link StackOverflowError} (its recursion; the stack has unwound by the
     * time it is caught), an {@link AssertionError}, a {@link LinkageError} (an initializer's, or
     * one that says the plugin does not fit), and any other error a plugin throws. Not the other
     * {@link VirtualMachineError}s: an {@link OutOfMemoryError} or {@link InternalError} says what
     * state the JVM is in, not what the code that happened to be running did (the plugin may have
     * made the last allocation of a heap that the data or another part filled), and reporting it as
     * the plugin's would blame it wrongly; it passes unchanged, and the command line reports it as
     * an internal error (serving as a failed load, keeping the version it serves).
     */
    static boolean pluginsOwn(Error e) {
        return e instanceof StackOverflowError || !(e instanceof VirtualMachineError);
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
     * As {@link #callIn}, for a call made while the model trains or scores (a head's {@code loss()}
     * or {@code scores()}, a block's forward pass, a combiner's {@code combine()}): an
     * {@link InvalidConfigException} is the plugin's failure here too, and a {@link DataException}
     * stays a data error that names the plugin ({@link #dataError}). Its configuration was
     * accepted before the model was built ({@code validate()}, {@code create()}, where the runtime
     * puts the exception's path under the params), and what it refuses now is not a value the
     * runtime can point to in the YAML: reported bare, it named neither the plugin nor the file
     * ({@code taskweave: failIn: ...}).
     */
    static <T> T callRunning(ClassLoader loader, String what, String plugin, String version, String action, String source,
            String path, java.util.function.Supplier<T> body) {
        try (ContextClassLoader ignored = ContextClassLoader.enter(loader)) {
            try {
                return guard(what, plugin, version, action, source, path, body);
            } catch (InvalidConfigException e) {
                throw of(what, plugin, version, action, source, path, e);
            } catch (DataException e) {
                throw dataError(what, plugin, version, action, source, path, e);
            }
        }
    }

    /**
     * A {@link DataException} a plugin threw while the model trains or scores (a head's
     * {@code loss()} refusing labels it cannot take): still a data error, as the command line
     * reports it (exit 2), now worded as the plugin's other failures are, naming the file, the path,
     * the plugin and the method ({@code exp.yaml: tasks[0].head: type 'poisson' of plugin acme-mtl
     * 1.0.0 failed in loss(): DataException: ...}). Its cause is that failure, whose
     * {@link #atLine} names the line too ({@link #named(DataException)}); one named already (a call
     * inside another) and one of a call that names no place pass unchanged.
     */
    static DataException dataError(String what, String plugin, String version, String action, String source, String path,
            DataException e) {
        if (named(e) != null || source == null && (path == null || path.isEmpty())) {
            return e;
        }
        PluginFailureException failure = of(what, plugin, version, action, source, path, e);
        String at = source != null ? source : path;
        DataException data = new DataException(at, 0, failure.getMessage().substring(at.length() + 2), failure);
        data.setStackTrace(e.getStackTrace());
        return data;
    }

    /**
     * @return the plugin failure a data error of {@link #dataError} was worded from (its message,
     *     which names the file and the path the line can be found by), or null for any other
     */
    public static PluginFailureException named(DataException e) {
        return e.getCause() instanceof PluginFailureException p && p.getMessage().equals(e.getMessage()) ? p : null;
    }

    /**
     * Runs plugin code and turns what is not the framework's own exception into a
     * {@code PluginFailureException}: the plugin's other exceptions, the errors its code raised
     * ({@link #pluginsOwn(Error)}: not an {@link OutOfMemoryError}, which passes unchanged), and a
     * config class of the plugin's that cannot be created ({@link ConfigClassException}).
     */
    public static <T> T guard(String what, String plugin, String version, String action, String source, String path,
            java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (ConfigClassException e) {
            // the plugin's config class, not the user's YAML: a framework exception otherwise
            throw configClass(what, plugin, version, source, path, e);
        } catch (RuntimeException e) {
            if (framework(e)) {
                throw e;
            }
            throw of(what, plugin, version, action, source, path, e);
        } catch (Error e) {
            if (!pluginsOwn(e)) {
                throw e;
            }
            throw of(what, plugin, version, action, source, path, e);
        }
    }
}
