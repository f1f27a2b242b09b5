package dev.taskweave.serve.model;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What identifies one written model directory, and loads that read one written directory only.
 *
 * <p>A model is read file by file ({@code model.json}, {@code experiment.yaml},
 * {@code parameters.bin}, ...), each opened by its path. When the directory is replaced while it
 * is read (a {@code train --output} renaming a new model into place), the load can mix one
 * model's manifest with another's parameters. {@link #load} compares the directory's stamp taken
 * before and after a load and loads again when they differ.
 */
public final class DirectoryStamp {
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryStamp.class);

    private DirectoryStamp() {}

    /**
     * A model loaded from one unchanged directory.
     *
     * @param model the model
     * @param stamp the directory's stamp before and after the load
     */
    public record Loaded<M>(M model, String stamp) {}

    /** The directory kept changing while it was loaded; nothing was loaded. */
    public static final class ChangedException extends IllegalStateException {
        ChangedException(String message) {
            super(message);
        }
    }

    /**
     * Returns the stamp of a directory: its file key (the inode on Linux) and change time and, for
     * every file in it, the name, file key, size, modification and change time. Replacing the directory (a rename) or any
     * file in it (a rename or a write) changes the stamp.
     *
     * @return the stamp, or null while the directory is missing or cannot be listed
     */
    public static String of(Path dir) {
        try {
            StringBuilder b = new StringBuilder();
            b.append(Files.readAttributes(dir, BasicFileAttributes.class).fileKey()).append('/').append(changed(dir));
            List<Path> files;
            try (Stream<Path> list = Files.list(dir)) {
                files = list.sorted().toList();
            }
            for (Path f : files) {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                b.append('|').append(f.getFileName()).append('/').append(a.fileKey()).append('/').append(a.size()).append('/')
                        .append(a.lastModifiedTime().toInstant()).append('/').append(changed(f));
            }
            return b.toString();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * @return the time the file's inode last changed (created, renamed, written) where the file
     *     system says (Linux: {@code unix:ctime}), else an empty string. A copy keeps a model's
     *     modification times and a file system reuses inodes, so a model replaced by another and
     *     back again during one load can show the same names, inodes, sizes and modification times;
     *     its change times are new.
     */
    private static String changed(Path path) {
        try {
            return String.valueOf(Files.getAttribute(path, "unix:ctime"));
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            return "";
        }
    }

    /**
     * Loads a model directory and checks that it did not change meanwhile: when its stamp after the
     * load differs from the one before (or the load failed and the stamp changed), the loaded model
     * is closed and the load is tried again, up to {@code attempts} times, {@code pauseMillis}
     * apart.
     *
     * @return the model and the stamp of the directory it was read from
     * @throws ChangedException when the directory changed during every attempt
     * @throws Exception        the load's own failure, when the directory did not change during it
     */
    public static <M extends AutoCloseable> Loaded<M> load(Path dir, ModelHolder.Loader<M> loader, int attempts, long pauseMillis)
            throws Exception {
        requireNonNull(dir, "dir is null");
        requireNonNull(loader, "loader is null");
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1, got " + attempts);
        }
        for (int attempt = 1; ; attempt++) {
            String before = of(dir);
            M model;
            try {
                model = loader.load();
            } catch (Exception e) {
                if (java.util.Objects.equals(before, of(dir))) {
                    throw e; // the load's own failure (a missing directory too): loading again changes nothing
                }
                if (attempt >= attempts) {
                    throw changed(dir, attempts, e);
                }
                LOG.info("model directory {} changed while it was loaded, and the load failed ({}); loading again", dir, e.getMessage());
                pause(pauseMillis);
                continue;
            }
            String after = of(dir);
            if (before != null && before.equals(after)) {
                return new Loaded<>(model, after);
            }
            closeQuietly(model);
            if (attempt >= attempts) {
                throw changed(dir, attempts, null);
            }
            LOG.info("model directory {} changed while it was loaded; the mixed model is discarded and loaded again", dir);
            pause(pauseMillis);
        }
    }

    private static ChangedException changed(Path dir, int attempts, Exception last) {
        ChangedException e = new ChangedException("the model directory " + dir + " changed while it was being loaded, " + attempts
                + " times in a row; nothing was loaded (reload again once it is written)");
        if (last != null) {
            e.addSuppressed(last);
        }
        return e;
    }

    private static void pause(long millis) throws InterruptedException {
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    private static void closeQuietly(AutoCloseable model) {
        try {
            model.close();
        } catch (Exception e) {
            LOG.warn("closing a discarded model failed: {}", e.toString());
        }
    }
}
