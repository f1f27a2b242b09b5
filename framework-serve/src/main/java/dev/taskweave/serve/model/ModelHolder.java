package dev.taskweave.serve.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the model version being served and swaps in new ones atomically.
 *
 * <p>Requests {@link #acquire()} a lease on the current version and close it when done. A swap
 * publishes the new version first, then drops the holder's own reference to the old one; the old
 * version is closed (its native memory freed) when its last lease is closed, so requests in flight
 * finish on the version they started with and none sees a closed model. A load that fails (an
 * exception, or an error such as {@link OutOfMemoryError}) leaves the current version serving; the
 * reason is kept for {@link #lastFailure()}.
 *
 * <p>Reloads are coalesced: one load runs at a time, and every reload asked for while it runs
 * shares the one load that starts when it ends (it may read a directory replaced after the running
 * load began). However many reloads are asked for at once, at most two loads run, one after the
 * other. Once the holder is closed no reload starts, and a load that ends after the close is
 * released instead of served.
 *
 * @param <M> the loaded model; closed when no longer served nor leased
 */
public final class ModelHolder<M extends AutoCloseable> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelHolder.class);
    /** runs each load on a thread of its own (one at a time): a load that waits for nothing */
    private static final Executor LOAD_THREAD = task -> {
        Thread t = new Thread(task, "taskweave-model-load");
        t.setDaemon(true);
        t.start();
    };

    /** Loads one version. */
    @FunctionalInterface
    public interface Loader<M> {
        M load() throws Exception;
    }

    /**
     * A failed load.
     *
     * @param at     when
     * @param reason the error message
     */
    public record Failure(Instant at, String reason) {}

    /** The holder was closed (the server is stopping): no version is loaded or swapped in any more. */
    public static final class ClosedException extends IllegalStateException {
        ClosedException(String message) {
            super(message);
        }
    }

    /** A load asked for, and everyone waiting for it. */
    private record Load<T>(Loader<T> loader, Executor executor, CompletableFuture<Long> result) {}

    private final AtomicReference<Version<M>> current = new AtomicReference<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicReference<Failure> lastFailure = new AtomicReference<>();
    /** guards {@link #running}, {@link #queued} and {@link #closed} */
    private final Object lock = new Object();
    /** the load in progress, or null */
    private Load<M> running;
    /** the load that starts when {@link #running} ends, shared by every reload asked for meanwhile; or null */
    private Load<M> queued;
    private boolean closed;

    /** Loads the first version; a failure propagates. */
    public ModelHolder(Loader<M> loader) throws Exception {
        requireNonNull(loader, "loader is null");
        current.set(new Version<>(loader.load(), sequence.incrementAndGet(), Instant.now()));
    }

    /**
     * Loads a new version and swaps it in, waiting for the load ({@link #reloadAsync}; the load
     * runs on a thread of its own).
     *
     * @return the new version's sequence number
     * @throws Exception the load's failure (the current version keeps serving), or
     *     {@link ClosedException} once the holder is closed
     * @throws Error     the load's error, such as {@link OutOfMemoryError} (the current version keeps serving)
     */
    public long reload(Loader<M> loader) throws Exception {
        CompletableFuture<Long> result = reloadAsync(loader, LOAD_THREAD);
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /**
     * Asks for a new version: starts a load on {@code executor} when none runs, else joins the load
     * that starts when the running one ends (the first reload asked for meanwhile gives its loader
     * and executor; the others share its result).
     *
     * @return the new version's sequence number once it serves; or the load's failure (an exception
     *     or an error; the current version keeps serving); or {@link ClosedException} when the
     *     holder is closed before the load ends (a model loaded meanwhile is closed)
     */
    public CompletableFuture<Long> reloadAsync(Loader<M> loader, Executor executor) {
        requireNonNull(loader, "loader is null");
        requireNonNull(executor, "executor is null");
        Load<M> start;
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(closed());
            }
            if (running != null) {
                if (queued == null) {
                    queued = new Load<>(loader, executor, new CompletableFuture<>());
                }
                return queued.result();
            }
            running = start = new Load<>(loader, executor, new CompletableFuture<>());
        }
        start(start);
        return start.result();
    }

    private void start(Load<M> load) {
        try {
            load.executor().execute(() -> run(load));
        } catch (RuntimeException e) { // rejected: the executor was shut down
            finish(load, e);
        }
    }

    /** Runs a load: swaps its model in, or records its failure; then starts the load queued behind it. */
    private void run(Load<M> load) {
        Long version = null;
        Throwable failure = null;
        try {
            version = swap(load.loader());
        } catch (Throwable t) {
            failure = t;
        }
        finish(load, failure);
        if (failure == null) {
            load.result().complete(version);
        }
    }

    /** Ends a load: fails its waiters with {@code failure} (when not null), then starts the queued load, if any. */
    private void finish(Load<M> load, Throwable failure) {
        Load<M> next;
        synchronized (lock) {
            next = closed ? null : queued;
            queued = null;
            running = next;
        }
        if (failure != null) {
            load.result().completeExceptionally(failure);
        }
        if (next != null) {
            start(next);
        }
    }

    /**
     * Loads and swaps in one version.
     *
     * @return its sequence number
     */
    private long swap(Loader<M> loader) throws Exception {
        M model;
        try {
            model = loader.load();
        } catch (Exception | Error e) {
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            if (!(e instanceof Exception)) {
                reason = e.getClass().getName() + ": " + reason; // "Java heap space" says little alone
            }
            lastFailure.set(new Failure(Instant.now(), reason));
            Version<M> serving = current.get();
            LOG.warn("model reload failed; {}: {}", serving == null ? "the holder is closed" : "version " + serving.sequence()
                    + " keeps serving", reason);
            throw e;
        }
        Version<M> old;
        Version<M> next;
        synchronized (lock) {
            if (closed) {
                next = null;
                old = null;
            } else {
                next = new Version<>(model, sequence.incrementAndGet(), Instant.now());
                old = current.getAndSet(next);
            }
        }
        if (next == null) {
            closeQuietly(model);
            throw new ClosedException("the model holder closed while the model was loading; the model loaded was released");
        }
        lastFailure.set(null);
        LOG.info("model version {} now serving; version {} retires after {} request(s) in flight", next.sequence(),
                old.sequence(), old.inFlight());
        old.release();
        return next.sequence();
    }

    /**
     * Records a reload that failed before its load began (the watcher could not look at the
     * directory): shown by {@link #lastFailure()} until a load succeeds.
     */
    public void failed(Throwable cause) {
        requireNonNull(cause, "cause is null");
        lastFailure.set(new Failure(Instant.now(), cause.getMessage() == null ? cause.toString() : cause.getMessage()));
    }

    private static ClosedException closed() {
        return new ClosedException("the model holder is closed (the server is stopping); no model is loaded any more");
    }

    private static void closeQuietly(AutoCloseable model) {
        try {
            model.close();
        } catch (Exception e) {
            LOG.warn("closing a model loaded after the holder closed failed: {}", e.toString());
        }
    }

    /** @return a lease on the current version; close it when the request is done */
    public Lease<M> acquire() {
        while (true) {
            Version<M> v = current.get();
            if (v == null) {
                throw new IllegalStateException("the model holder is closed");
            }
            if (v.tryAcquire()) {
                return new Lease<>(v);
            }
        }
    }

    /** @return the version being served (for status; do not use its model without a lease) */
    public Version<M> current() {
        return current.get();
    }

    /** @return the last failed load since the last successful one, or null */
    public Failure lastFailure() {
        return lastFailure.get();
    }

    /**
     * Stops serving; the last version closes when its leases are closed. No reload starts after
     * this: one asked for fails with {@link ClosedException}, so does one queued, and a load still
     * running has its model released when it ends.
     */
    @Override
    public void close() {
        Load<M> dropped;
        Version<M> v;
        synchronized (lock) {
            closed = true;
            dropped = queued;
            queued = null;
            v = current.getAndSet(null);
        }
        if (dropped != null) {
            dropped.result().completeExceptionally(closed());
        }
        if (v != null) {
            v.release();
        }
    }

    /**
     * One loaded version with a reference count: one for the holder while it is current, one per
     * open lease.
     *
     * @param <M> the model
     */
    public static final class Version<M extends AutoCloseable> {
        private final M model;
        private final long sequence;
        private final Instant loadedAt;
        private final AtomicInteger references = new AtomicInteger(1);

        Version(M model, long sequence, Instant loadedAt) {
            this.model = requireNonNull(model, "model is null");
            this.sequence = sequence;
            this.loadedAt = loadedAt;
        }

        boolean tryAcquire() {
            while (true) {
                int r = references.get();
                if (r == 0) {
                    return false;
                }
                if (references.compareAndSet(r, r + 1)) {
                    return true;
                }
            }
        }

        void release() {
            int r = references.decrementAndGet();
            if (r == 0) {
                try {
                    model.close();
                    LOG.info("model version {} closed", sequence);
                } catch (Exception e) {
                    LOG.warn("closing model version {} failed: {}", sequence, e.toString());
                }
            } else if (r < 0) {
                throw new IllegalStateException("model version " + sequence + " released too often");
            }
        }

        /** @return the model */
        public M model() {
            return model;
        }

        /** @return 1 for the first version loaded, then one more per successful reload */
        public long sequence() {
            return sequence;
        }

        /** @return when it was loaded */
        public Instant loadedAt() {
            return loadedAt;
        }

        /** @return the number of open leases (approximate while requests run) */
        public int inFlight() {
            return Math.max(0, references.get() - 1);
        }

        /** @return true once closed */
        public boolean closed() {
            return references.get() == 0;
        }
    }

    /**
     * A request's hold on one version.
     *
     * @param <M> the model
     */
    public static final class Lease<M extends AutoCloseable> implements AutoCloseable {
        private final Version<M> version;
        private boolean closed;

        Lease(Version<M> version) {
            this.version = version;
        }

        /** @return the leased version */
        public Version<M> version() {
            return version;
        }

        /** @return the leased version's model */
        public M model() {
            return version.model();
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                version.release();
            }
        }
    }
}
