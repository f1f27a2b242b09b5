package dev.taskweave.serve.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ModelHolderTest {
    /** A model that fails any use after close. */
    static final class Fake implements AutoCloseable {
        final int id;
        volatile boolean closed;

        Fake(int id) {
            this.id = id;
        }

        int use() {
            if (closed) {
                throw new IllegalStateException("model " + id + " used after close");
            }
            return id;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void oldVersionClosesOnlyWhenItsLastLeaseCloses() throws Exception {
        Fake a = new Fake(1);
        ModelHolder<Fake> holder = new ModelHolder<>(() -> a);
        ModelHolder.Lease<Fake> lease = holder.acquire();
        Fake b = new Fake(2);
        assertEquals(2, holder.reload(() -> b));
        assertFalse(a.closed, "a lease is still open");
        assertEquals(1, lease.model().use());
        try (ModelHolder.Lease<Fake> next = holder.acquire()) {
            assertSame(b, next.model());
        }
        lease.close();
        lease.close(); // idempotent
        assertTrue(a.closed);
        assertFalse(b.closed);
        holder.close();
        assertTrue(b.closed);
    }

    @Test
    void failedLoadKeepsTheCurrentVersionAndRecordsTheReason() throws Exception {
        Fake a = new Fake(1);
        ModelHolder<Fake> holder = new ModelHolder<>(() -> a);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> holder.reload(() -> {
            throw new IllegalStateException("parameters do not match");
        }));
        assertEquals("parameters do not match", e.getMessage());
        assertEquals("parameters do not match", holder.lastFailure().reason());
        assertEquals(1, holder.current().sequence());
        assertFalse(a.closed);
        holder.reload(() -> new Fake(2));
        assertNull(holder.lastFailure());
        assertTrue(a.closed);
    }

    @Test
    void noRequestSeesAClosedModelWhileVersionsSwapConcurrently() throws Exception {
        AtomicInteger ids = new AtomicInteger();
        List<Fake> all = new ArrayList<>();
        ModelHolder<Fake> holder = new ModelHolder<>(() -> track(all, new Fake(ids.incrementAndGet())));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger uses = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            workers.add(pool.submit(() -> {
                while (running.get()) {
                    try (ModelHolder.Lease<Fake> lease = holder.acquire()) {
                        lease.model().use();
                        Thread.onSpinWait();
                        lease.model().use();
                        uses.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (int i = 0; i < 200; i++) {
            holder.reload(() -> track(all, new Fake(ids.incrementAndGet())));
        }
        running.set(false);
        for (Future<?> f : workers) {
            f.get(30, TimeUnit.SECONDS); // rethrows a use after close
        }
        pool.shutdown();
        assertTrue(uses.get() > 0);
        assertEquals(201, holder.current().sequence());
        synchronized (all) {
            for (Fake f : all.subList(0, all.size() - 1)) {
                assertTrue(f.closed, "version " + f.id + " leaked");
            }
            assertFalse(all.get(all.size() - 1).closed);
        }
        holder.close();
    }

    /** A loader that counts its loads and holds each until released. */
    static final class GatedLoader implements ModelHolder.Loader<Fake> {
        final AtomicInteger loads = new AtomicInteger();
        final Semaphore entered = new Semaphore(0);
        final Semaphore gate = new Semaphore(0);
        final List<Fake> loaded = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public Fake load() throws Exception {
            int id = loads.incrementAndGet();
            entered.release();
            gate.acquire();
            Fake f = new Fake(100 + id);
            loaded.add(f);
            return f;
        }

        void awaitEntered() throws InterruptedException {
            assertTrue(entered.tryAcquire(30, TimeUnit.SECONDS), "no load began");
        }
    }

    @Test
    void reloadsAskedForWhileOneRunsShareOneLoadAfterIt() throws Exception {
        ModelHolder<Fake> holder = new ModelHolder<>(() -> new Fake(1));
        GatedLoader loader = new GatedLoader();
        ExecutorService loads = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<Long> first = holder.reloadAsync(loader, loads);
            loader.awaitEntered();
            // 40 more while the first load runs: they all wait for the one load that starts after it
            List<CompletableFuture<Long>> later = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                later.add(holder.reloadAsync(loader, loads));
            }
            for (CompletableFuture<Long> f : later) {
                assertSame(later.get(0), f);
                assertFalse(f.isDone());
            }
            assertEquals(1, loader.loads.get());
            loader.gate.release();
            assertEquals(2, first.get(30, TimeUnit.SECONDS));
            loader.awaitEntered(); // the second load began after the first ended
            assertFalse(later.get(0).isDone());
            loader.gate.release();
            assertEquals(3, later.get(0).get(30, TimeUnit.SECONDS));
            assertEquals(2, loader.loads.get(), "41 reloads, two loads");
            assertEquals(3, holder.current().sequence());
            assertTrue(loader.loaded.get(0).closed, "the version the second load replaced is closed");

            // callers blocked in reload() share loads the same way: 20 callers, two loads
            List<Thread> threads = new ArrayList<>();
            List<Long> versions = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int i = 0; i < 20; i++) {
                Thread t = new Thread(() -> {
                    try {
                        versions.add(holder.reload(loader));
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                threads.add(t);
                t.start();
            }
            loader.awaitEntered();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // every caller waits for a load (the load itself runs on a thread of its own)
            while (!threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            loader.gate.release(2);
            for (Thread t : threads) {
                t.join(30_000);
            }
            assertEquals(20, versions.size());
            assertEquals(4, loader.loads.get(), "20 more reloads, two more loads");
            // the first caller's load, then the one the 19 others asked for while it ran
            assertEquals(1, versions.stream().filter(v -> v == 4).count(), versions.toString());
            assertEquals(19, versions.stream().filter(v -> v == 5).count(), versions.toString());
        } finally {
            loads.shutdownNow();
            holder.close();
        }
    }

    @Test
    void anErrorOfALoadIsAFailedReloadAndTheQueuedLoadStillRuns() throws Exception {
        Fake a = new Fake(1);
        ModelHolder<Fake> holder = new ModelHolder<>(() -> a);
        OutOfMemoryError oom = assertThrows(OutOfMemoryError.class, () -> holder.reload(() -> {
            throw new OutOfMemoryError("Java heap space");
        }));
        assertEquals("Java heap space", oom.getMessage());
        assertEquals("java.lang.OutOfMemoryError: Java heap space", holder.lastFailure().reason());
        assertEquals(1, holder.current().sequence());
        assertFalse(a.closed);

        // an error while another load waits behind it: that load runs and serves
        GatedLoader gated = new GatedLoader();
        ExecutorService loads = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<Long> failing = holder.reloadAsync(() -> {
                gated.entered.release();
                gated.gate.acquire();
                throw new NoClassDefFoundError("dev/taskweave/plugins/Gone");
            }, loads);
            gated.awaitEntered();
            CompletableFuture<Long> next = holder.reloadAsync(gated, loads);
            gated.gate.release(2);
            ExecutionException e = assertThrows(ExecutionException.class, () -> failing.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof NoClassDefFoundError, e.toString());
            assertEquals(2, next.get(30, TimeUnit.SECONDS));
            assertNull(holder.lastFailure());
            assertTrue(a.closed);
        } finally {
            loads.shutdownNow();
            holder.close();
        }
    }

    @Test
    void aLoadThatEndsAfterTheHolderClosedIsReleasedNotServed() throws Exception {
        Fake a = new Fake(1);
        ModelHolder<Fake> holder = new ModelHolder<>(() -> a);
        GatedLoader loader = new GatedLoader();
        ExecutorService loads = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<Long> running = holder.reloadAsync(loader, loads);
            loader.awaitEntered();
            CompletableFuture<Long> queued = holder.reloadAsync(loader, loads);
            holder.close();
            assertTrue(a.closed, "the serving version closes with the holder");
            ExecutionException e = assertThrows(ExecutionException.class, () -> queued.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof ModelHolder.ClosedException, e.toString());
            loader.gate.release();
            e = assertThrows(ExecutionException.class, () -> running.get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof ModelHolder.ClosedException, e.toString());
            assertEquals(1, loader.loaded.size());
            assertTrue(loader.loaded.get(0).closed, "the model loaded after the close is released");
            assertNull(holder.current());
            assertEquals(1, loader.loads.get(), "the queued load never ran");
            assertThrows(ModelHolder.ClosedException.class, () -> holder.reload(() -> new Fake(9)));
            assertThrows(IllegalStateException.class, holder::acquire);
        } finally {
            loads.shutdownNow();
        }
    }

    private static Fake track(List<Fake> all, Fake f) {
        synchronized (all) {
            all.add(f);
        }
        return f;
    }
}
