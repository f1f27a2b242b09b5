package dev.taskweave.serve;

import static java.util.Objects.requireNonNull;

import dev.taskweave.serve.model.ModelHolder;
import dev.taskweave.serve.model.ServedModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The server's meters: {@code taskweave.serve.requests} (a timer with a latency histogram, tagged
 * by endpoint, method and status), {@code taskweave.serve.errors} (by kind),
 * {@code taskweave.serve.requests.active}, the model version and its creation time, reload
 * outcomes, the HTTP thread pool, the process's resident memory, and the JVM's memory, GC, thread,
 * class-loader, CPU and uptime meters.
 */
public final class ServeMetrics implements AutoCloseable {
    private final MeterRegistry registry;
    private final AtomicInteger active = new AtomicInteger();
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public ServeMetrics(MeterRegistry registry, ModelHolder<ServedModel> holder, QueuedThreadPool pool) {
        this.registry = requireNonNull(registry, "registry is null");
        requireNonNull(holder, "holder is null");
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder("taskweave.serve.requests.active", active, AtomicInteger::get)
                .description("requests being handled").register(registry);
        Gauge.builder("taskweave.serve.model.version", holder, h -> h.current() == null ? 0 : h.current().sequence())
                .description("sequence number of the model version serving: 1 at start, +1 per successful reload").register(registry);
        Gauge.builder("taskweave.serve.model.created", holder, ServeMetrics::created).baseUnit("seconds")
                .description("when the serving model was trained (epoch seconds)").register(registry);
        Gauge.builder("taskweave.serve.model.inflight", holder, h -> h.current() == null ? 0 : h.current().inFlight())
                .description("requests holding the serving model version").register(registry);
        Gauge.builder("taskweave.serve.pool.threads", pool, QueuedThreadPool::getThreads).description("HTTP worker threads").register(registry);
        Gauge.builder("taskweave.serve.pool.threads.busy", pool, QueuedThreadPool::getBusyThreads).register(registry);
        Gauge.builder("taskweave.serve.pool.threads.idle", pool, QueuedThreadPool::getIdleThreads).register(registry);
        Gauge.builder("taskweave.serve.pool.threads.max", pool, QueuedThreadPool::getMaxThreads).register(registry);
        Gauge.builder("taskweave.serve.pool.queue", pool, QueuedThreadPool::getQueueSize).description("requests waiting for a thread").register(registry);
        Gauge.builder("taskweave.serve.process.resident", this, m -> residentBytes()).baseUnit("bytes")
                .description("resident set size of the server process (VmRSS)").register(registry);
        // at 0 from the start: a rate or an alert on reloads needs the series before the first one
        for (boolean ok : new boolean[] {true, false}) {
            reloads(ok);
        }
    }

    private Counter reloads(boolean ok) {
        return Counter.builder("taskweave.serve.reloads").description("model reloads by outcome")
                .tag("outcome", ok ? "success" : "failure").register(registry);
    }

    private static double created(ModelHolder<ServedModel> holder) {
        ModelHolder.Version<ServedModel> v = holder.current();
        if (v == null) {
            return 0;
        }
        try {
            return Instant.parse(v.model().loaded().manifest().createdAt).getEpochSecond();
        } catch (DateTimeParseException | NullPointerException e) {
            return 0;
        }
    }

    /** @return the process's resident set size in bytes from /proc/self/status, or -1 */
    public static double residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    void started() {
        active.incrementAndGet();
    }

    void finished(String endpoint, String method, int status, long nanos) {
        active.decrementAndGet();
        Timer.builder("taskweave.serve.requests")
                .description("HTTP requests by endpoint, method and status")
                .tag("endpoint", endpoint).tag("method", method).tag("status", Integer.toString(status))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    void error(String kind, String endpoint) {
        Counter.builder("taskweave.serve.errors").description("refused or failed requests by kind")
                .tag("kind", kind).tag("endpoint", endpoint).register(registry).increment();
    }

    void reload(boolean ok) {
        reloads(ok).increment();
    }

    /** Registers the gauges of the scoring admission: requests waiting for a slot, and free slots. */
    void scoringQueue(java.util.concurrent.Semaphore slots) {
        Gauge.builder("taskweave.serve.scoring.waiting", slots, java.util.concurrent.Semaphore::getQueueLength)
                .description("scoring requests waiting for a free slot").register(registry);
        Gauge.builder("taskweave.serve.scoring.free", slots, java.util.concurrent.Semaphore::availablePermits)
                .description("free scoring slots").register(registry);
    }

    @Override
    public void close() {
        gc.close();
    }
}
