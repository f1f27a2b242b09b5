package dev.taskweave.core.plugin;

import static java.util.Objects.requireNonNull;

import ai.djl.engine.Engine;
import com.google.inject.Injector;
import dev.taskweave.api.metric.MetricProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pf4j.CompoundPluginLoader;
import org.pf4j.DefaultPluginLoader;
import org.pf4j.DefaultPluginManager;
import org.pf4j.JarPluginLoader;
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
    private final List<MetricProvider> metricProviders;

    private PluginRuntime(PluginManager manager, ExtensionRegistry registry, List<MetricProvider> metricProviders) {
        this.manager = manager;
        this.registry = registry;
        this.metricProviders = metricProviders;
    }

    /**
     * Starts the engine and the plugins found in {@code roots}.
     *
     * @param roots directories holding plugin jars or directories
     * @param host  the injector whose bindings plugins may inject
     */
    public static PluginRuntime start(List<Path> roots, Injector host) {
        requireNonNull(roots, "roots is null");
        requireNonNull(host, "host is null");
        if (roots.isEmpty()) {
            throw new PluginConflictException("no plugins directory given");
        }
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                throw new PluginConflictException("plugins directory " + root + " does not exist");
            }
        }
        loadEngine();
        GuiceExtensionFactory extensionFactory = new GuiceExtensionFactory(host);
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
        };
        extensionFactory.attach(manager);
        ((DeferredExtensionFactory) manager.getExtensionFactory()).delegate = extensionFactory;
        manager.loadPlugins();
        manager.startPlugins();
        for (PluginWrapper w : manager.getPlugins()) {
            if (w.getPluginState() != PluginState.STARTED) {
                Throwable failure = w.getFailedException();
                throw new PluginConflictException("plugin " + w.getPluginId() + " (" + w.getPluginPath() + ") did not start: "
                        + (failure == null ? w.getPluginState() : failure.getMessage()));
            }
        }
        ExtensionRegistry.Builder builder = ExtensionRegistry.builder();
        for (PluginWrapper w : manager.getPlugins()) {
            PluginDescriptor d = w.getDescriptor();
            builder.plugin(new PluginInfo(d.getPluginId(), d.getVersion(), d.getPluginDescription(),
                    w.getPluginPath().toString(), Map.of()));
        }
        for (ExtensionKind kind : ExtensionKind.values()) {
            for (Object factory : manager.getExtensions(kind.factoryType())) {
                PluginWrapper w = manager.whichPlugin(factory.getClass());
                String pluginId = w == null ? CLASSPATH_PLUGIN : w.getPluginId();
                String version = w == null ? "" : w.getDescriptor().getVersion();
                ClassLoader loader = w == null ? factory.getClass().getClassLoader() : w.getPluginClassLoader();
                String location = w == null ? "class path" : w.getPluginPath().toString();
                String type;
                try (ContextClassLoader ignored = ContextClassLoader.enter(loader)) {
                    type = ExtensionRegistry.typeOf(factory);
                }
                builder.add(kind, new Registered<>(type, factory, pluginId, version, loader), location);
            }
        }
        List<MetricProvider> metrics = new ArrayList<>(manager.getExtensions(MetricProvider.class));
        ExtensionRegistry registry = builder.build();
        LOG.debug("plugins: {}", registry.plugins().keySet());
        return new PluginRuntime(manager, registry, metrics);
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

    /** @return metric providers contributed by plugins */
    public List<MetricProvider> metricProviders() {
        return metricProviders;
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
}
