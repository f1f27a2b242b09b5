package dev.taskweave.distribution;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locations of the assembled distribution and of the shared data, for tests. */
final class Dist {
    private Dist() {}

    /** @return the distribution directory with lib/, plugins/ and examples/ */
    static Path home() {
        Path home = Path.of(System.getProperty("taskweave.home", "target/taskweave")).toAbsolutePath();
        if (!Files.isDirectory(home.resolve("plugins"))) {
            throw new IllegalStateException("no plugins in " + home + ": run the tests with 'mvn verify' from the project root");
        }
        return home;
    }

    static Path plugins() {
        return home().resolve("plugins");
    }

    /** @return the project root (the directory holding framework-api) */
    static Path projectRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("framework-api"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the project root from " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /** @return the shared folder beside the project root */
    static Path shared() {
        return projectRoot().resolve("../shared").normalize();
    }
}
