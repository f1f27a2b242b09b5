package dev.taskweave.core.plugin;

import java.util.List;
import org.pf4j.ClassLoadingStrategy;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;

/**
 * A plugin class loader that always takes the SPI and the libraries it exposes (Taskweave's API,
 * DJL, Jackson, Guice, Micrometer, SLF4J) from the host, so a native engine loaded once by the
 * application class loader is the one every plugin sees, and everything else from the plugin
 * first.
 */
final class SharedApiClassLoader extends PluginClassLoader {
    static final List<String> SHARED_PREFIXES = List.of(
            "dev.taskweave.api.",
            "ai.djl.",
            "com.fasterxml.jackson.",
            "com.google.inject.",
            "jakarta.inject.",
            "javax.inject.",
            "io.micrometer.",
            "org.slf4j.");

    SharedApiClassLoader(PluginManager manager, PluginDescriptor descriptor, ClassLoader parent) {
        super(manager, descriptor, parent, ClassLoadingStrategy.PDA);
    }

    @Override
    public Class<?> loadClass(String className) throws ClassNotFoundException {
        for (String prefix : SHARED_PREFIXES) {
            if (className.startsWith(prefix)) {
                return getParent().loadClass(className);
            }
        }
        return super.loadClass(className);
    }
}
