package dev.taskweave.api.data;

import java.nio.file.Path;

/**
 * What the runtime tells a data source when it creates it.
 *
 * @param baseDirectory the directory relative paths in the configuration resolve against (the
 *                      directory of the experiment file)
 * @param seed          the experiment's seed, for sources that generate or shuffle
 */
public record DataContext(Path baseDirectory, long seed) {
    /** Resolves a configured path against {@link #baseDirectory()}. */
    public Path resolve(String path) {
        return baseDirectory.resolve(path).normalize();
    }
}
