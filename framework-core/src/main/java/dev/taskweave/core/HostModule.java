package dev.taskweave.core;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import dev.taskweave.core.config.ConfigLoader;
import io.micrometer.core.instrument.MeterRegistry;

/** Services of the host that plugins may inject too. */
final class HostModule extends AbstractModule {
    private final MeterRegistry meters;

    HostModule(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    protected void configure() {
        bind(MeterRegistry.class).toInstance(meters);
        bind(ConfigLoader.class).in(Singleton.class);
    }
}
