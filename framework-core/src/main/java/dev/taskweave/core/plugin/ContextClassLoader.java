package dev.taskweave.core.plugin;

/** Sets the thread context class loader for a scope: {@code try (var c = ContextClassLoader.enter(l)) {...}}. */
public final class ContextClassLoader implements AutoCloseable {
    private final Thread thread;
    private final ClassLoader previous;

    private ContextClassLoader(ClassLoader loader) {
        this.thread = Thread.currentThread();
        this.previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
    }

    /** Makes {@code loader} the context class loader until {@link #close()}. */
    public static ContextClassLoader enter(ClassLoader loader) {
        return new ContextClassLoader(loader);
    }

    @Override
    public void close() {
        thread.setContextClassLoader(previous);
    }
}
