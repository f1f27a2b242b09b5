package dev.taskweave.serve.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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

    private static Fake track(List<Fake> all, Fake f) {
        synchronized (all) {
            all.add(f);
        }
        return f;
    }
}
