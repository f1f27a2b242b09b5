package dev.taskweave.core.plugin;

import static java.util.Objects.requireNonNull;

import com.google.inject.Injector;
import com.google.inject.Module;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.pf4j.ExtensionFactory;
import org.pf4j.Plugin;
import org.pf4j.PluginManager;
import org.pf4j.PluginRuntimeException;
import org.pf4j.PluginWrapper;

/**
 * Creates every extension through a Guice injector that belongs to the extension's plugin: a child
 * of the host injector with the plugin's own bindings (its PF4J {@code Plugin} class may implement
 * {@link Module}). Extensions are singletons per plugin and are created with the plugin's class
 * loader as the thread's context class loader.
 */
final class GuiceExtensionFactory implements ExtensionFactory {
    private final Injector host;
    private final Map<String, Injector> injectors = new ConcurrentHashMap<>();
    private final Map<Class<?>, Object> instances = new ConcurrentHashMap<>();
    private PluginManager pluginManager;

    GuiceExtensionFactory(Injector host) {
        this.host = requireNonNull(host, "host is null");
    }

    void attach(PluginManager manager) {
        this.pluginManager = manager;
    }

    @Override
    public <T> T create(Class<T> extensionClass) {
        Object instance = instances.computeIfAbsent(extensionClass, this::instantiate);
        return extensionClass.cast(instance);
    }

    private Object instantiate(Class<?> extensionClass) {
        PluginWrapper wrapper = pluginManager == null ? null : pluginManager.whichPlugin(extensionClass);
        Injector injector = wrapper == null ? host : injectors.computeIfAbsent(wrapper.getPluginId(), id -> childInjector(wrapper));
        ClassLoader loader = wrapper == null ? extensionClass.getClassLoader() : wrapper.getPluginClassLoader();
        try (ContextClassLoader ignored = ContextClassLoader.enter(loader)) {
            return injector.getInstance(extensionClass);
        } catch (RuntimeException e) {
            String owner = wrapper == null ? "the class path" : "plugin " + wrapper.getPluginId();
            throw new PluginRuntimeException(e, "cannot create extension {} from {}: {}", extensionClass.getName(), owner, e.getMessage());
        }
    }

    private Injector childInjector(PluginWrapper wrapper) {
        Plugin plugin = wrapper.getPlugin();
        try (ContextClassLoader ignored = ContextClassLoader.enter(wrapper.getPluginClassLoader())) {
            if (plugin instanceof Module module) {
                return host.createChildInjector(module);
            }
            return host.createChildInjector();
        }
    }
}
