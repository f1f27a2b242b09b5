package dev.taskweave.serve;

import dev.taskweave.core.cli.CliExtension;

/** Registers {@code taskweave recommend} with the command line (found through {@link java.util.ServiceLoader}). */
public final class RecommendCliExtension implements CliExtension {
    @Override
    public String name() {
        return "recommend";
    }

    @Override
    public Object command() {
        return new RecommendCommand();
    }
}
