package dev.taskweave.bench;

import dev.taskweave.core.cli.CliExtension;

/** Registers {@code taskweave tune} with the command line (found through {@link java.util.ServiceLoader}). */
public final class TuneCliExtension implements CliExtension {
    @Override
    public String name() {
        return "tune";
    }

    @Override
    public Object command() {
        return new TuneCommand();
    }
}
