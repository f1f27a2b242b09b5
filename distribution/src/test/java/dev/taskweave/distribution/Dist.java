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

    /**
     * Makes the model in {@code dir} look as releases before file checksums wrote it: drops the
     * lengths and checksums {@code model.json} records, and {@code model.json}'s own checksum
     * beside it, so that its files can be edited or removed as an earlier release's model lacked
     * or had them.
     */
    static void withoutChecksums(Path dir) throws java.io.IOException {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        Path manifest = dir.resolve(dev.taskweave.core.store.ModelStore.MANIFEST);
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(manifest.toFile());
        if (tree.remove("files") == null) {
            throw new IllegalStateException(manifest + " records no checksums");
        }
        json.writerWithDefaultPrettyPrinter().writeValue(manifest.toFile(), tree);
        withoutManifestChecksum(dir);
    }

    /**
     * Makes the model in {@code dir} look as releases before {@code model.json}'s own checksum
     * wrote it (its other files still checked), so that {@code model.json} can be edited as it
     * could be then.
     */
    static void withoutManifestChecksum(Path dir) throws java.io.IOException {
        Path checksum = dir.resolve(dev.taskweave.core.store.ModelStore.MANIFEST_CHECKSUM);
        if (!Files.deleteIfExists(checksum)) {
            throw new IllegalStateException(checksum + " is missing");
        }
    }

    /** @return the shared folder beside the project root */
    static Path shared() {
        return projectRoot().resolve("../shared").normalize();
    }
}
