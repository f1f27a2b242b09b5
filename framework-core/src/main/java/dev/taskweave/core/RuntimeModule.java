package dev.taskweave.core;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.MapBinder;
import dev.taskweave.api.metric.Metric;
import dev.taskweave.core.metric.MetricRegistry;
import dev.taskweave.core.plugin.ExtensionKind;
import dev.taskweave.core.plugin.ExtensionRegistry;
import dev.taskweave.core.plugin.PluginRuntime;
import dev.taskweave.core.plugin.Registered;
import dev.taskweave.core.run.ModelAssembler;
import dev.taskweave.core.run.Trainer;
import dev.taskweave.core.store.ModelStore;
import java.util.ArrayList;

/**
 * Wires a run: the registry of plugin factories (also exposed as one Guice map per kind, keyed by
 * type name), metrics, the assembler, the trainer and the model store. Names no concrete plugin.
 */
final class RuntimeModule extends AbstractModule {
    private final PluginRuntime runtime;

    RuntimeModule(PluginRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    protected void configure() {
        bind(PluginRuntime.class).toInstance(runtime);
        bind(ExtensionRegistry.class).toInstance(runtime.registry());
        for (ExtensionKind kind : ExtensionKind.values()) {
            MapBinder binder = MapBinder.newMapBinder(binder(), String.class, (Class) Registered.class,
                    com.google.inject.name.Names.named(kind.name()));
            for (String type : runtime.registry().types(kind)) {
                binder.addBinding(type).toInstance(runtime.registry().find(kind, type));
            }
        }
        bind(ModelAssembler.class).in(Singleton.class);
        bind(Trainer.class).in(Singleton.class);
        bind(ModelStore.class).in(Singleton.class);
    }

    @Provides
    @Singleton
    MetricRegistry metrics() {
        // PluginRuntime.start has refused a name provided twice, with a message naming both plugins
        return new MetricRegistry(new ArrayList<Metric>(runtime.metrics()));
    }
}
