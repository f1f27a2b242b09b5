package dev.taskweave.core.plugin;

import static java.util.Objects.requireNonNull;

import ai.djl.engine.Engine;
import com.google.inject.Injector;
import dev.taskweave.api.ExtensionFactory;
import dev.taskweave.api.metric.MetricProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.pf4j.CompoundPluginLoader;
import org.pf4j.DefaultPluginLoader;
import org.pf4j.DefaultPluginManager;
import org.pf4j.JarPluginLoader;
import org.pf4j.PluginAlreadyLoadedException;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the deep-learning engine, then the plugins, and indexes what they provide.
 *
 * <p>DJL and its PyTorch engine are loaded first, by the application class loader, so the native
 * library is bound once and every plugin shares it. Plugins are jars (or unpacked plugin
 * directories) in the given roots.
 */
public final class PluginRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginRuntime.class);
    /** The plugin id used for extensions found on the class path rather than in a plugin. */
    public static final String CLASSPATH_PLUGIN = "classpath";

    private final PluginManager manager;
    private final ExtensionRegistry registry;
    private final List<PluginMetric> metrics;

    private PluginRuntime(PluginManager manager, ExtensionRegistry registry, List<PluginMetric> metrics) {
        this.manager = manager;
        this.registry = registry;
        this.metrics = metrics;
    }

    /**
     * Starts the engine and the plugins found in {@code roots}.
     *
     * <p>Every extension is created on its own: one whose class cannot be loaded or whose
     * construction fails is left out and recorded ({@link ExtensionRegistry#failures()}), and the
     * rest load. A plugin that provides no extension is recorded as a warning. Start-up fails
     * ({@link PluginConflictException}) on a plugin
     * that does not start, on a plugin built against a newer Taskweave API than the host's or whose
     * {@code Plugin-Requires} range the host's version is outside, and on two plugin files with the
     * same plugin id or a type or metric name provided twice (naming every such clash). A type or metric name that is
     * not a plain token ({@link ExtensionRegistry#typeNameProblem}) is a failed extension.
     *
     * @param roots directories holding plugin jars or directories
     * @param host  the injector whose bindings plugins may inject
     */
    public static PluginRuntime start(List<Path> roots, Injector host) {
        return start(roots, host, apiVersion());
    }

    /**
     * As {@link #start(List, Injector)}, for {@code taskweave plugins}, the command to run when
     * start-up fails on a name provided twice: such a clash is recorded
     * ({@link ExtensionRegistry#clashes()}, the first of the two registered) instead of refused;
     * of two plugin files with one plugin id, the first met is loaded.
     */
    public static PluginRuntime startListing(List<Path> roots, Injector host) {
        return start(roots, host, apiVersion(), true);
    }

    /** As {@link #start(List, Injector)}, with the host's API version given (null: not checked). */
    static PluginRuntime start(List<Path> roots, Injector host, String hostApiVersion) {
        return start(roots, host, hostApiVersion, false);
    }

    /**
     * @param hostApiVersion the host's API version (null: not checked)
     * @param listing        record a plugin id, type or metric name provided twice instead of refusing it
     */
    static PluginRuntime start(List<Path> roots, Injector host, String hostApiVersion, boolean listing) {
        requireNonNull(roots, "roots is null");
        requireNonNull(host, "host is null");
        if (roots.isEmpty()) {
            throw new PluginConflictException("no plugins directory given");
        }
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                throw new PluginConflictException("plugins directory " + root + (Files.exists(root) ? " is not a directory"
                        : " does not exist"));
            }
        }
        loadEngine();
        GuiceExtensionFactory extensionFactory = new GuiceExtensionFactory(host);
        List<String> duplicates = new ArrayList<>();
        List<String> sameIds = new ArrayList<>(); // two plugin files with one plugin id: a clash, listed by taskweave plugins
        List<String> warnings = new ArrayList<>();
        List<String> unloaded = new ArrayList<>();
        DefaultPluginManager manager = new DefaultPluginManager(List.copyOf(roots)) {
            @Override
            protected org.pf4j.ExtensionFactory createExtensionFactory() {
                // called from the super constructor, before any field or captured variable is set
                return new DeferredExtensionFactory();
            }

            @Override
            protected PluginLoader createPluginLoader() {
                return new CompoundPluginLoader()
                        .add(new SharedJarPluginLoader(this), this::isNotDevelopment)
                        .add(new SharedDirectoryPluginLoader(this), this::isNotDevelopment);
            }

            /** @return why a plugin's Plugin-Requires is no version constraint, or null when it is one (or absent) */
            private String malformedRequires(Path pluginPath) {
                PluginDescriptor d;
                try {
                    d = getPluginDescriptorFinder().find(pluginPath);
                } catch (RuntimeException e) {
                    return null; // not a plugin: super says why
                }
                String requires = d == null ? null : d.getRequires();
                if (requires == null || requires.isBlank() || "*".equals(requires.strip()) || getSystemVersion() == null
                        || "0.0.0".equals(getSystemVersion())) {
                    return null;
                }
                try {
                    getVersionManager().checkVersionConstraint(getSystemVersion(), requires);
                    return null;
                } catch (RuntimeException e) {
                    return "plugin " + d.getPluginId() + " " + d.getVersion() + " (" + pluginPath + "): its Plugin-Requires '"
                            + requires.strip() + "' is not a version constraint (" + e.getMessage() + "); expected a range such as"
                            + " >=0.2.0 or >=0.2.0 & <0.3.0";
                }
            }

            @Override
            protected PluginWrapper loadPluginFromPath(Path pluginPath) {
                // PF4J logs these and goes on, keeping whichever file it met first
                PluginWrapper first = null;
                try {
                    PluginDescriptor d = getPluginDescriptorFinder().find(pluginPath);
                    first = d == null || d.getPluginId() == null ? null : getPlugin(d.getPluginId());
                } catch (RuntimeException e) {
                    // not a plugin: super says why
                }
                if (first != null && !first.getPluginPath().equals(pluginPath)) {
                    sameIds.add("plugin id '" + first.getPluginId() + "' is used by two plugin files: " + first.getPluginPath()
                            + " and " + pluginPath + "; remove one of them");
                    return null;
                }
                String malformed = malformedRequires(pluginPath);
                if (malformed != null) {
                    // PF4J's version check would throw its parser's exception out of loadPlugins, naming no plugin
                    duplicates.add(malformed);
                    return null;
                }
                try {
                    return super.loadPluginFromPath(pluginPath);
                } catch (PluginAlreadyLoadedException e) {
                    return null; // the same file, reached through two plugin directories
                } catch (RuntimeException e) {
                    String why = e.getMessage() != null && e.getMessage().startsWith("No PluginDescriptorFinder")
                            ? "it is no readable plugin (a damaged jar, or no manifest naming its Plugin-Id)" : e.getMessage();
                    unloaded.add(pluginPath + " was not loaded as a plugin: " + why);
                    throw e;
                }
            }
        };
        extensionFactory.attach(manager);
        ((DeferredExtensionFactory) manager.getExtensionFactory()).delegate = extensionFactory;
        if (hostApiVersion != null) {
            // a plugin's Plugin-Requires (a range such as >=0.2.0) is checked against it; a
            // qualifier is ignored, as for Taskweave-Api: 0.2.0-SNAPSHOT satisfies >=0.2.0
            manager.setSystemVersion(ApiVersion.numeric(hostApiVersion));
        }
        try {
            manager.loadPlugins();
        } catch (org.pf4j.PluginRuntimeException e) {
            // a Plugin-Dependencies entry that no installed plugin satisfies, or a cycle among them
            StringBuilder declared = new StringBuilder();
            for (PluginWrapper w : manager.getPlugins()) {
                if (!w.getDescriptor().getDependencies().isEmpty()) {
                    declared.append(declared.length() == 0 ? "" : "; ").append("plugin ").append(w.getPluginId()).append(" (")
                            .append(w.getPluginPath()).append(") depends on ").append(w.getDescriptor().getDependencies().stream()
                                    .map(d -> d.getPluginId() + ("*".equals(d.getPluginVersionSupport()) ? "" : " " + d.getPluginVersionSupport())
                                            + (d.isOptional() ? " (optional)" : ""))
                                    .collect(java.util.stream.Collectors.joining(", ")));
                }
            }
            manager.unloadPlugins();
            throw new PluginConflictException("plugins could not be loaded together: " + e.getMessage()
                    + (declared.length() == 0 ? "" : " (" + declared + "; install what they depend on, in the versions they name)"));
        }
        if (!duplicates.isEmpty()) {
            manager.unloadPlugins();
            throw new PluginConflictException(String.join("; ", duplicates));
        }
        for (PluginWrapper w : manager.getPlugins()) {
            String required = ApiVersion.required(w.getPluginPath());
            if (hostApiVersion != null && required != null && ApiVersion.compare(required, hostApiVersion) > 0) {
                String message = "plugin " + w.getPluginId() + " " + w.getDescriptor().getVersion() + " (" + w.getPluginPath()
                        + ") was built against Taskweave API " + required + ", newer than this Taskweave's " + hostApiVersion
                        + "; upgrade Taskweave or use a release of the plugin built for " + hostApiVersion;
                manager.unloadPlugins();
                throw new PluginConflictException(message);
            }
        }
        manager.startPlugins();
        for (PluginWrapper w : manager.getPlugins()) {
            if (w.getPluginState() != PluginState.STARTED) {
                String requires = w.getDescriptor().getRequires();
                if (w.getPluginState() == PluginState.DISABLED && requires != null && !requires.isBlank() && !"*".equals(requires.strip())
                        && !manager.getVersionManager().checkVersionConstraint(manager.getSystemVersion(), requires)) {
                    String message = "plugin " + w.getPluginId() + " " + w.getDescriptor().getVersion() + " (" + w.getPluginPath()
                            + ") requires Taskweave " + requires.strip() + " (its Plugin-Requires), and this Taskweave is "
                            + hostApiVersion + "; use a release of the plugin made for " + hostApiVersion;
                    manager.unloadPlugins();
                    throw new PluginConflictException(message);
                }
                Throwable failure = w.getFailedException();
                // PF4J logs why it could not make the Plugin-Class and hands on null, whose start() is a NullPointerException
                String pluginClass = failure instanceof NullPointerException ? pluginClassProblem(w) : null;
                manager.unloadPlugins();
                throw new PluginConflictException("plugin " + w.getPluginId() + " (" + w.getPluginPath() + ") did not start: "
                        + (pluginClass != null ? pluginClass : failure == null ? w.getPluginState()
                        : failure.getMessage() == null ? failure.toString() : failure.getMessage()));
            }
        }
        // every clash is collected, so that start-up names them all (and taskweave plugins lists what loaded)
        ExtensionRegistry.Builder builder = ExtensionRegistry.builder().recordClashes();
        sameIds.forEach(builder::clash); // the first file met is loaded, the other left out
        for (PluginWrapper w : manager.getPlugins()) {
            PluginDescriptor d = w.getDescriptor();
            builder.plugin(new PluginInfo(d.getPluginId(), d.getVersion(), d.getPluginDescription(),
                    w.getPluginPath().toString(), Map.of()));
        }
        List<PluginMetric> metrics = new ArrayList<>();
        Map<String, PluginMetric> metricNames = new LinkedHashMap<>();
        Map<String, String> metricProviders = new LinkedHashMap<>(); // a plugin metric's name -> its provider's class
        for (dev.taskweave.api.metric.Metric builtin : dev.taskweave.core.metric.BuiltinMetrics.all()) {
            metricNames.put(builtin.name(), null);
        }
        List<PluginWrapper> owners = new ArrayList<>();
        owners.add(null); // the class path
        // by id, not in the order the directory lists its files: which of two clashing plugins is
        // named first (and, for taskweave plugins, registered) does not change from one machine to another
        owners.addAll(manager.getPlugins().stream().sorted(java.util.Comparator.comparing(PluginWrapper::getPluginId)).toList());
        for (PluginWrapper w : owners) {
            String pluginId = w == null ? CLASSPATH_PLUGIN : w.getPluginId();
            String version = w == null ? "" : w.getDescriptor().getVersion();
            ClassLoader loader = w == null ? PluginRuntime.class.getClassLoader() : w.getPluginClassLoader();
            String location = w == null ? "class path" : w.getPluginPath().toString();
            Set<String> classNames = new TreeSet<>(manager.getExtensionClassNames(w == null ? null : pluginId));
            if (w != null && classNames.isEmpty()) {
                warnings.add("plugin " + pluginId + " " + version + " (" + location + ") provides no extension: it has no "
                        + "META-INF/extensions.idx, which PF4J's annotation processor writes for classes annotated @Extension"
                        + " (see docs/writing-a-plugin.md)");
            }
            for (String className : classNames) {
                Class<?> type;
                Object extension;
                try (ContextClassLoader ignored = ContextClassLoader.enter(loader)) {
                    type = loader.loadClass(className);
                    if (!ExtensionFactory.class.isAssignableFrom(type) && !MetricProvider.class.isAssignableFrom(type)) {
                        continue; // an extension point of another program
                    }
                    extension = manager.getExtensionFactory().create(type);
                } catch (ClassNotFoundException | RuntimeException e) {
                    builder.failure(new ExtensionFailure(pluginId, version, location, className, reason(e)));
                    continue;
                } catch (Error e) {
                    // its constructor's or static initializer's; not an OutOfMemoryError (PluginFailureException.pluginsOwn)
                    if (!PluginFailureException.pluginsOwn(e)) {
                        throw e;
                    }
                    builder.failure(new ExtensionFailure(pluginId, version, location, className, reason(e)));
                    continue;
                }
                if (extension == null) {
                    builder.failure(new ExtensionFailure(pluginId, version, location, className, "PF4J created no instance"));
                    continue;
                }
                if (extension instanceof MetricProvider provider) {
                    List<dev.taskweave.api.metric.Metric> provided;
                    try {
                        provided = PluginFailureException.callIn(loader, "metric provider " + type.getSimpleName(), pluginId, version,
                                "metrics()", null, null,
                                provider::metrics);
                    } catch (PluginFailureException e) {
                        builder.failure(new ExtensionFailure(pluginId, version, location, className, e.getMessage()));
                        continue;
                    }
                    for (dev.taskweave.api.metric.Metric m : provided == null ? List.<dev.taskweave.api.metric.Metric>of() : provided) {
                        PluginMetric metric;
                        try {
                            metric = new PluginMetric(m, pluginId, version, location, loader);
                        } catch (PluginFailureException e) {
                            builder.failure(new ExtensionFailure(pluginId, version, location, className, e.getMessage()));
                            continue;
                        }
                        String name = metric.name();
                        String badName = ExtensionRegistry.metricNameProblem(name);
                        if (badName != null) {
                            builder.failure(new ExtensionFailure(pluginId, version, location, className, badName));
                            continue;
                        }
                        if (metricNames.containsKey(name)) {
                            PluginMetric previous = metricNames.get(name);
                            String owner = PluginFailureException.owner(pluginId, version);
                            if (previous == null) {
                                // a built-in cannot be removed: the plugin's metric is what must change
                                builder.clash("the metric '" + name + "' " + owner + " (" + location + ", " + className + ") has the"
                                        + " name of a built-in metric, which a plugin cannot replace; rename the plugin's metric,"
                                        + " or remove the plugin");
                            } else if (previous.pluginId().equals(pluginId)) {
                                String first = metricProviders.get(name);
                                builder.clash("the metric '" + name + "' " + owner + " (" + location + ") is provided twice: "
                                        + (first.equals(className) ? "by " + className + ", which lists it twice"
                                                : "by " + first + " and by " + className)
                                        + "; each metric name may be provided once: rename one of them in the plugin");
                            } else {
                                builder.clash("the metric '" + name + "' is provided by two plugins: " + previous.pluginId() + " ("
                                        + previous.location() + ") and " + pluginId + " (" + location + "); remove one of them");
                            }
                            continue;
                        }
                        metricNames.put(name, metric);
                        metricProviders.put(name, className);
                        metrics.add(metric);
                        builder.metric(pluginId, name);
                    }
                    continue;
                }
                for (ExtensionKind kind : ExtensionKind.values()) {
                    if (kind.factoryType().isInstance(extension)) {
                        String typeName;
                        try (ContextClassLoader ignored = ContextClassLoader.enter(loader)) {
                            typeName = ExtensionRegistry.typeOf(extension);
                        } catch (RuntimeException e) {
                            builder.failure(new ExtensionFailure(pluginId, version, location, className, reason(e)));
                            continue;
                        } catch (Error e) {
                            if (!PluginFailureException.pluginsOwn(e)) {
                                throw e;
                            }
                            builder.failure(new ExtensionFailure(pluginId, version, location, className, reason(e)));
                            continue;
                        }
                        String badName = ExtensionRegistry.typeNameProblem(typeName);
                        if (badName != null) {
                            builder.failure(new ExtensionFailure(pluginId, version, location, className, badName));
                            continue;
                        }
                        builder.add(kind, new Registered<>(typeName, extension, pluginId, version, loader), location);
                    }
                }
            }
        }
        if (!listing && !builder.clashes().isEmpty()) {
            manager.unloadPlugins();
            throw new PluginConflictException(String.join("; ", builder.clashes())
                    + " (taskweave plugins lists what loaded)");
        }
        ExtensionRegistry registry = builder.warnings(warnings).unloaded(unloaded).build();
        for (String warning : registry.warnings()) {
            LOG.warn(warning);
        }
        LOG.debug("plugins: {}", registry.plugins().keySet());
        return new PluginRuntime(manager, registry, List.copyOf(metrics));
    }

    /** @return a one-line reason: the innermost cause that says something, with its class */
    static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t
                && (t instanceof org.pf4j.PluginRuntimeException || t instanceof com.google.inject.ProvisionException
                        || t instanceof com.google.inject.ConfigurationException || t instanceof java.lang.reflect.InvocationTargetException
                        || t instanceof ExceptionInInitializerError)) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? "" : ": " + t.getMessage().strip().replace('\n', ' ');
        if (message.length() > 300) {
            message = message.substring(0, 300) + "...";
        }
        String hint = t instanceof NoClassDefFoundError || t instanceof ClassNotFoundException
                ? " (a library the plugin needs is not packed into its jar, or it was built against another Taskweave API)"
                : t instanceof LinkageError ? " (built against another Taskweave API than this one's " + apiVersion() + "?)" : "";
        return t.getClass().getSimpleName() + message + hint;
    }

    /**
     * @return the version of the Taskweave API on the host's class path (from framework-api's
     *     Maven properties), or null when it is not packed as a jar (a build's classes directory)
     */
    public static String apiVersion() {
        return ApiVersion.host();
    }

    /** Loads DJL's PyTorch engine with the application class loader (idempotent). */
    public static Engine loadEngine() {
        ClassLoader app = PluginRuntime.class.getClassLoader();
        try (ContextClassLoader ignored = ContextClassLoader.enter(app)) {
            return Engine.getEngine("PyTorch");
        }
    }

    /** @return what the plugins provide */
    public ExtensionRegistry registry() {
        return registry;
    }

    /** @return the metrics plugins provide, each naming its plugin in a failure */
    public List<PluginMetric> metrics() {
        return metrics;
    }

    @Override
    public void close() {
        manager.stopPlugins();
        manager.unloadPlugins();
    }

    private static final class DeferredExtensionFactory implements org.pf4j.ExtensionFactory {
        private volatile org.pf4j.ExtensionFactory delegate;

        @Override
        public <T> T create(Class<T> extensionClass) {
            return requireNonNull(delegate, "extension factory not attached").create(extensionClass);
        }
    }

    private static final class SharedJarPluginLoader extends JarPluginLoader {
        SharedJarPluginLoader(PluginManager manager) {
            super(manager);
        }

        @Override
        public ClassLoader loadPlugin(Path pluginPath, PluginDescriptor descriptor) {
            PluginClassLoader loader = new SharedApiClassLoader(pluginManager, descriptor, PluginRuntime.class.getClassLoader());
            loader.addFile(pluginPath.toFile());
            return loader;
        }
    }

    private static final class SharedDirectoryPluginLoader extends DefaultPluginLoader {
        SharedDirectoryPluginLoader(PluginManager manager) {
            super(manager);
        }

        @Override
        protected PluginClassLoader createPluginClassLoader(Path pluginPath, PluginDescriptor descriptor) {
            return new SharedApiClassLoader(pluginManager, descriptor, PluginRuntime.class.getClassLoader());
        }
    }

    /**
     * @return why a plugin's {@code Plugin-Class} could not be made (PF4J logs it and hands on a
     *     null plugin, whose start fails with a NullPointerException), or null when it can be
     */
    private static String pluginClassProblem(PluginWrapper w) {
        String name = w.getDescriptor().getPluginClass();
        if (name == null || name.isBlank() || org.pf4j.Plugin.class.getName().equals(name)) {
            return null;
        }
        Class<?> type;
        try {
            type = Class.forName(name, false, w.getPluginClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return "its Plugin-Class " + name + " cannot be loaded (" + e + "): check the name in its manifest";
        }
        if (!org.pf4j.Plugin.class.isAssignableFrom(type)) {
            return "its Plugin-Class " + name + " is not an org.pf4j.Plugin";
        }
        try {
            // as PF4J makes it: with the PluginWrapper when it takes one, else without arguments
            try {
                type.getConstructor(PluginWrapper.class).newInstance(w);
            } catch (NoSuchMethodException e) {
                type.getConstructor().newInstance();
            }
            return null;
        } catch (java.lang.reflect.InvocationTargetException e) {
            return "its Plugin-Class " + name + " failed in its constructor: " + e.getCause();
        } catch (ReflectiveOperationException | LinkageError e) {
            return "its Plugin-Class " + name + " cannot be made with a public constructor taking a PluginWrapper or nothing (" + e + ")";
        }
    }
}
