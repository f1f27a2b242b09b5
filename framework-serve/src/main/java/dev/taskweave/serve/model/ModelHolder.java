package dev.taskweave.serve.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
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
 * finish on the version they started with and none sees a closed model. A load that fails leaves
 * the current version serving; the reason is kept for {@link #lastFailure()}.
 *
 * @param <M> the loaded model; closed when no longer served nor leased
 */
public final class ModelHolder<M extends AutoCloseable> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelHolder.class);

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

    private final AtomicReference<Version<M>> current = new AtomicReference<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicReference<Failure> lastFailure = new AtomicReference<>();
    private final Object loading = new Object();

    /** Loads the first version; a failure propagates. */
    public ModelHolder(Loader<M> loader) throws Exception {
        requireNonNull(loader, "loader is null");
        current.set(new Version<>(loader.load(), sequence.incrementAndGet(), Instant.now()));
    }

    /**
     * Loads a new version and swaps it in. One load runs at a time.
     *
     * @return the new version's sequence number
     * @throws Exception the load's failure; the current version keeps serving
     */
    public long reload(Loader<M> loader) throws Exception {
        synchronized (loading) {
            M model;
            try {
                model = loader.load();
            } catch (Exception | LinkageError e) {
                String reason = e.getMessage() == null ? e.toString() : e.getMessage();
                lastFailure.set(new Failure(Instant.now(), reason));
                LOG.warn("model reload failed; version {} keeps serving: {}", current.get().sequence(), reason);
                throw e;
            }
            Version<M> next = new Version<>(model, sequence.incrementAndGet(), Instant.now());
            Version<M> old = current.getAndSet(next);
            lastFailure.set(null);
            LOG.info("model version {} now serving; version {} retires after {} request(s) in flight", next.sequence(),
                    old.sequence(), old.inFlight());
            old.release();
            return next.sequence();
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

    /** Stops serving; the last version closes when its leases are closed. */
    @Override
    public void close() {
        Version<M> v = current.getAndSet(null);
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
