package dev.taskweave.serve;

import dev.taskweave.core.cli.CliExtension;

/** Registers {@code taskweave serve} with the command line (found through {@link java.util.ServiceLoader}). */
public final class ServeCliExtension implements CliExtension {
    @Override
    public String name() {
        return "serve";
    }

    @Override
    public Object command() {
        return new ServeCommand();
    }
}
