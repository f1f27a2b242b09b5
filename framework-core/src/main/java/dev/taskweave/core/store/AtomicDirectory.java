package dev.taskweave.core.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes a directory so that readers see either the old content or the new, never a half-written
 * one: files go to a hidden sibling directory, which is then renamed into place. An existing
 * target is first renamed aside and deleted after the swap.
 */
public final class AtomicDirectory {
    /** Fills the staging directory. */
    public interface Writer {
        void write(Path staging) throws IOException;
    }

    private AtomicDirectory() {}

    /** Writes {@code target} atomically. */
    public static void write(Path target, Writer writer) {
        Path absolute = target.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        String stamp = Long.toString(System.nanoTime(), 36);
        Path staging = parent.resolve("." + absolute.getFileName() + ".tmp-" + stamp);
        try {
            Files.createDirectories(parent);
            if (Files.exists(absolute) && !Files.isDirectory(absolute)) {
                throw new FileAlreadyExistsException(absolute.toString(), null, "exists and is not a directory");
            }
            Files.createDirectory(staging);
            writer.write(staging);
            Path old = null;
            if (Files.exists(absolute)) {
                old = parent.resolve("." + absolute.getFileName() + ".old-" + stamp);
                move(absolute, old);
            }
            move(staging, absolute);
            if (old != null) {
                deleteTree(old);
            }
        } catch (IOException e) {
            try {
                deleteTree(staging);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("cannot write " + absolute + ": " + e.getMessage(), e);
        }
    }

    /** Writes one file atomically (temporary sibling, then rename). */
    public static void writeFile(Path target, byte[] content) {
        writeFile(target, temp -> Files.write(temp, content));
    }

    /** Writes one file's content into the temporary file it is given. */
    public interface FileBody {
        void write(Path temp) throws IOException;
    }

    /**
     * Writes a file atomically from a stream: {@code body} fills a hidden temporary sibling, which
     * is renamed into place when it returns. If it throws, the temporary file is deleted, the
     * target keeps its old content and the exception propagates ({@link IOException} as
     * {@link UncheckedIOException}).
     */
    public static void writeFile(Path target, FileBody body) {
        Path absolute = target.toAbsolutePath().normalize();
        Path temp = absolute.resolveSibling("." + absolute.getFileName() + ".tmp-" + Long.toString(System.nanoTime(), 36));
        try {
            Files.createDirectories(absolute.getParent());
            body.write(temp);
            move(temp, absolute);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot write " + absolute + ": " + e.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException | DirectoryNotEmptyException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
