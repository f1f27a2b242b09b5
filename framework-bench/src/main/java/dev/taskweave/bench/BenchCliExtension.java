package dev.taskweave.bench;

import dev.taskweave.core.cli.CliExtension;

/** Registers {@code taskweave benchmark} with the command line (found through {@link java.util.ServiceLoader}). */
public final class BenchCliExtension implements CliExtension {
    @Override
    public String name() {
        return "benchmark";
    }

    @Override
    public Object command() {
        return new BenchmarkCommand();
    }
}
