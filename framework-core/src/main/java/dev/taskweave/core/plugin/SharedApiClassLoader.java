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
 * first. A class under those packages that the host does not have (a library the host does not
 * ship, such as a Jackson data format) is taken from the plugin.
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
                try {
                    return getParent().loadClass(className);
                } catch (ClassNotFoundException e) {
                    // a library under a shared package that the host does not ship (a Jackson module,
                    // a DJL add-on) comes from the plugin's own jar; Taskweave's API never does: a class
                    // of it the host lacks is a plugin built for another API
                    if (prefix.equals("dev.taskweave.api.")) {
                        throw e;
                    }
                    return super.loadClass(className);
                }
            }
        }
        return super.loadClass(className);
    }
}
