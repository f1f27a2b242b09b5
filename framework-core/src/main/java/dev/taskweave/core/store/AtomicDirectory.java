package dev.taskweave.core.store;

import dev.taskweave.core.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Writes a directory so that readers see either the old content or the new, never a half-written
 * one: files go to a hidden sibling directory ({@code .X.tmp-*}), are synced to disk, and the
 * directory is renamed into place. An existing target is first renamed aside ({@code .X.old-*});
 * after the swap it is renamed once more, to {@code .X.trash-*}, and only then deleted, so that
 * a {@code .X.old-*} is always a whole copy. A write that was killed between the two renames
 * leaves no target but its previous content aside: the next write puts it back first, and
 * {@link #previous(Path)} finds it for a reader; one killed while deleting leaves a
 * {@code .X.trash-*}, which is never put back, only deleted. Writers of one directory, in this process or
 * others, take turns: each holds a lock on the hidden file {@code .X.lock} beside it while it
 * writes (the file is left in place; the lock is released when a writer ends or dies).
 */
public final class AtomicDirectory {
    /** Fills the staging directory. */
    public interface Writer {
        void write(Path staging) throws IOException;
    }

    /**
     * What marks a directory as one a caller wrote, and so may replace: a file of a given name that
     * reads as the caller's (a {@code model.json} of another program does not make its directory
     * a Taskweave model's).
     *
     * @param file  the file's name, for the errors
     * @param holds whether a directory's {@code file} is the caller's
     */
    public record Marker(String file, java.util.function.Predicate<Path> holds) {
        /** @return whether {@code dir} holds the marker file, and it reads as the caller's */
        public boolean marks(Path dir) {
            return Files.isRegularFile(dir.resolve(file)) && holds.test(dir.resolve(file));
        }

        /** @return why a directory that holds no such marker may not be replaced, or null when it may (it is empty) */
        public String refusal(Path dir) throws IOException {
            if (marks(dir) || isEmpty(dir)) {
                return null;
            }
            return Files.isRegularFile(dir.resolve(file)) ? "its " + file + " is another program's"
                    : file + " is missing";
        }
    }

    private AtomicDirectory() {}

    /**
     * Writes {@code target} atomically, replacing whatever directory is there.
     *
     * @see #write(Path, String, Writer)
     */
    public static void write(Path target, Writer writer) {
        write(target, null, writer);
    }

    /**
     * Writes {@code target} atomically. An existing non-empty directory is replaced only if it
     * holds {@code marker}, the file every directory this caller writes holds: a directory of
     * something else given by mistake (the current directory, a data directory) is refused, never
     * deleted.
     *
     * @param marker what marks a directory as replaceable; null to replace any
     * @throws ConfigException naming {@code target} when it is a file, or a non-empty directory
     *     without {@code marker}, or cannot be written for lack of permission
     *     (a write waits for another one of the same target, in any process, to end: each tidies
     *     what killed writes of it left)
     */
    public static void write(Path target, Marker marker, Writer writer) {
        Path absolute = resolve(target);
        try {
            createDirectories(absolute.getParent());
        } catch (IOException e) {
            throw writeFailure(absolute, e);
        }
        ReentrantLock inProcess = WRITERS.computeIfAbsent(absolute, p -> new ReentrantLock());
        inProcess.lock();
        try (FileChannel lockFile = FileChannel.open(lockFile(absolute), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = lockFile.lock()) {
            writeLocked(absolute, marker, writer);
        } catch (IOException e) {
            throw writeFailure(absolute, e);
        } finally {
            inProcess.unlock();
        }
    }

    /**
     * The writers of each directory in this process; with the lock file beside the directory
     * (for other processes) they make one write at a time per target, so that a write's tidying of
     * what killed writes left never deletes the staging or the previous content of one running.
     */
    private static final ConcurrentHashMap<Path, ReentrantLock> WRITERS = new ConcurrentHashMap<>();

    /** The targets this process has claimed ({@link #tryClaim}): a file lock does not exclude its own process. */
    private static final java.util.Set<Path> CLAIMED = ConcurrentHashMap.newKeySet();

    /**
     * Claims {@code target} for as long as one job uses it (a training run its checkpoint file),
     * by locking the same {@code .X.lock} beside it that directory writes lock: a second claim, by
     * this process or another, gets null until the first is closed. The operating system releases
     * the lock of a process that dies, so a killed run leaves no claim behind.
     *
     * @return the claim, to close when the job ends; null when another job holds one
     * @throws ConfigException when the lock file cannot be created for lack of permission
     */
    public static Claim tryClaim(Path target) {
        Path absolute = resolve(target);
        if (!CLAIMED.add(absolute)) {
            return null;
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(absolute.getParent());
            channel = FileChannel.open(lockFile(absolute), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (channel.tryLock() == null) {
                channel.close();
                CLAIMED.remove(absolute);
                return null;
            }
            return new Claim(absolute, channel);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            CLAIMED.remove(absolute);
            throw writeFailure(absolute, e);
        }
    }

    /** A claim of a target ({@link #tryClaim}); closing it releases the target to the next job. */
    public static final class Claim implements AutoCloseable {
        private final Path target;
        private final FileChannel channel;

        private Claim(Path target, FileChannel channel) {
            this.target = target;
            this.channel = channel;
        }

        @Override
        public void close() {
            try {
                channel.close(); // releases the lock
            } catch (IOException e) {
                throw new UncheckedIOException("cannot release the lock of " + target, e);
            } finally {
                CLAIMED.remove(target);
            }
        }
    }

    /**
     * @return {@code target} made absolute, and where it is a symbolic link, what it links to: the
     *     new content is written there (renaming the link itself would turn it into a directory and
     *     leave what it pointed to as it was)
     */
    public static Path resolve(Path target) {
        Path absolute = target.toAbsolutePath().normalize();
        if (!Files.isSymbolicLink(absolute)) {
            return absolute;
        }
        try {
            // what the kernel resolves: a link target's "..", after a directory that is itself a link, included
            return absolute.toRealPath();
        } catch (IOException dangling) {
            // a link to what does not exist yet: followed by hand, each hop from the real directory the link is in
        }
        for (int hops = 0; hops < 40 && Files.isSymbolicLink(absolute); hops++) {
            try {
                Path link = Files.readSymbolicLink(absolute);
                Path directory = absolute.getParent();
                try {
                    directory = directory.toRealPath();
                } catch (IOException e) {
                    // as written
                }
                absolute = directory.resolve(link).toAbsolutePath().normalize();
            } catch (IOException e) {
                return absolute;
            }
        }
        return absolute;
    }

    /**
     * Checks a command's output file before anything is computed for it ({@link #requireWritableFile})
     * and says where it is written: where {@code target} is a symbolic link, the file it links to
     * ({@link #resolve}), so that the link stays a link and what it points to gets the new content.
     *
     * @param option the command-line option that named it, for the error when it is empty
     * @return the file to write
     * @throws ConfigException when {@code target} is empty, or cannot be written as a file
     */
    public static Path outputFile(Path target, String option) {
        if (target.toString().isEmpty()) {
            throw new ConfigException("command line", option, 0, "expected a file name, got an empty string");
        }
        Path file = resolve(target);
        requireWritableFile(file);
        return file;
    }

    /**
     * @return whether {@code dir} is where a file system is mounted (a container's bind mount):
     *     the directory cannot be renamed, and an atomic write replaces its target by renaming
     */
    public static boolean isMountPoint(Path dir) {
        Path parent = dir.getParent();
        if (parent == null || !Files.isDirectory(dir)) {
            return false;
        }
        try {
            return !Files.getFileStore(dir).equals(Files.getFileStore(parent));
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** @return why {@code dir}, an existing directory, cannot be replaced by renaming (a mount point), or null */
    public static String unrenamable(Path dir) {
        return isMountPoint(dir) ? "is a mount point, which cannot be renamed, and the write replaces the directory by renaming"
                + " it; name a directory inside it" : null;
    }

    /** @return {@code .X.lock} beside {@code target}: the file its writers lock, one at a time */
    static Path lockFile(Path target) {
        return target.resolveSibling("." + target.getFileName() + ".lock");
    }

    private static void writeLocked(Path absolute, Marker marker, Writer writer) {
        Path parent = absolute.getParent();
        String stamp = Long.toString(System.nanoTime(), 36);
        Path staging = parent.resolve("." + absolute.getFileName() + ".tmp-" + stamp);
        try {
            recover(absolute);
            if (Files.exists(absolute) && !Files.isDirectory(absolute)) {
                throw new ConfigException(absolute.toString(), "", 0, "exists and is not a directory; expected a directory to write");
            }
            String refused = marker != null && Files.isDirectory(absolute) ? marker.refusal(absolute) : null;
            if (refused != null) {
                throw new ConfigException(absolute.toString(), "", 0, "is a directory of other files (" + refused
                        + "), which writing here would delete; name a new directory or one written before");
            }
            String fixed = Files.isDirectory(absolute) ? unrenamable(absolute) : null;
            if (fixed != null) {
                throw new ConfigException(absolute.toString(), "", 0, fixed);
            }
            Files.createDirectory(staging);
            writer.write(staging);
            syncTree(staging);
            Path old = null;
            if (Files.exists(absolute)) {
                old = parent.resolve("." + absolute.getFileName() + OLD + stamp);
                move(absolute, old);
            }
            try {
                move(staging, absolute);
            } catch (IOException | RuntimeException e) {
                if (old != null) {
                    try {
                        move(old, absolute); // the previous content back where it was
                    } catch (IOException back) {
                        e.addSuppressed(back); // left as .X.old-*, which the next write puts back
                    }
                }
                throw e;
            }
            syncDirectory(parent);
            if (old != null) {
                discard(absolute, old);
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(staging, e);
            throw writeFailure(absolute, e);
        }
    }

    /**
     * @return what a failed write of {@code target} throws: bad input (permission denied, a file
     *     where a directory belongs) as a {@link ConfigException} naming it, other I/O failures as
     *     {@link UncheckedIOException}, runtime exceptions as they are
     */
    private static RuntimeException writeFailure(Path target, Exception e) {
        if (e instanceof AccessDeniedException denied) {
            return new ConfigException(target.toString(), "", 0, "cannot write: permission denied (" + denied.getFile() + ")");
        }
        if (e instanceof FileAlreadyExistsException exists) {
            // creating the parent found a file on the way
            return new ConfigException(target.toString(), "", 0, "cannot write: " + exists.getFile() + " is not a directory");
        }
        if (e instanceof java.nio.file.FileSystemException fs) {
            // where it cannot be written (a read-only file system, a path under /proc): the target's problem, not ours
            String reason = fs.getReason() != null ? fs.getReason()
                    : fs instanceof java.nio.file.NoSuchFileException ? "it cannot be created there" : fs.getClass().getSimpleName();
            return new ConfigException(target.toString(), "", 0, "cannot write: " + reason + " (" + fs.getFile() + ")");
        }
        if (e instanceof IOException io) {
            return new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), io);
        }
        return (RuntimeException) e;
    }

    private static void deleteQuietly(Path path, Exception e) {
        try {
            deleteTree(path);
        } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
        }
    }

    /**
     * Deletes {@code old}, the replaced content of {@code target}, renaming it to
     * {@code .X.trash-*} first: a kill while it is being deleted leaves a part of it under a name
     * that recovery deletes and never puts back. When it cannot be renamed it stays whole as
     * {@code .X.old-*}, for the next write to delete.
     */
    private static void discard(Path target, Path old) {
        Path trash = trashFor(target);
        try {
            move(old, trash);
        } catch (IOException e) {
            return; // written all the same: the whole replaced copy goes with the next write
        }
        try {
            deleteTree(trash);
        } catch (IOException e) {
            // written all the same: what is left of the replaced content goes with the next write
        }
    }

    /** @return a new {@code .X.trash-*} name beside {@code target} */
    private static Path trashFor(Path target) {
        return target.resolveSibling("." + target.getFileName() + TRASH + Long.toString(System.nanoTime(), 36)
                + "-" + Long.toString(TRASH_COUNT.incrementAndGet(), 36));
    }

    /**
     * Deletes {@code target} (a directory and all it holds, or a file) as a replaced copy is
     * deleted: renamed to {@code .X.trash-*} first, so that a kill while it is being deleted leaves
     * a part of it under a name nothing reads, never a part under its own name. Trash that earlier
     * deletions of {@code target} left is deleted too.
     */
    public static void delete(Path target) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.exists(absolute, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Path trash = trashFor(absolute);
            move(absolute, trash);
            deleteTree(trash);
        }
        for (Path trash : siblings(absolute, TRASH)) {
            deleteTree(trash);
        }
    }

    private static final String OLD = ".old-";
    private static final String TRASH = ".trash-";
    private static final java.util.concurrent.atomic.AtomicLong TRASH_COUNT = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Tidies what earlier writes of {@code target} that were killed left: when {@code target} is
     * missing, the newest {@code .X.old-*} (its content before a replacement that did not finish,
     * always whole) is renamed back; other {@code .X.old-*} (replaced content not yet deleted) are
     * discarded as a write discards them, and {@code .X.trash-*} (replaced content partly deleted)
     * and {@code .X.tmp-*} (staging never renamed into place) are deleted.
     */
    static void recover(Path target) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        List<Path> olds = siblings(absolute, OLD);
        if (!Files.exists(absolute) && !olds.isEmpty()) {
            Path newest = olds.get(olds.size() - 1);
            move(newest, absolute);
            syncDirectory(absolute.getParent());
            olds = olds.subList(0, olds.size() - 1);
        }
        for (Path old : olds) {
            discard(absolute, old);
        }
        for (Path trash : siblings(absolute, TRASH)) {
            deleteTree(trash);
        }
        for (Path temp : siblings(absolute, ".tmp-")) {
            deleteTree(temp);
        }
    }

    /**
     * @return the content {@code target} had before a replacement that was killed between its two
     *     renames ({@code .X.old-*}, the newest if several), or null when there is none or
     *     {@code target} exists
     */
    public static Path previous(Path target) {
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.exists(absolute)) {
            return null;
        }
        try {
            // never a .X.trash-*: that is a replaced copy partly deleted
            List<Path> olds = siblings(absolute, OLD);
            return olds.isEmpty() ? null : olds.get(olds.size() - 1);
        } catch (IOException e) {
            return null;
        }
    }

    /** @return the hidden siblings {@code .X<kind>*} of {@code target}, oldest first */
    private static List<Path> siblings(Path target, String kind) throws IOException {
        Path parent = target.getParent();
        List<Path> found = new ArrayList<>();
        if (parent == null || !Files.isDirectory(parent)) {
            return found;
        }
        String prefix = "." + target.getFileName() + kind;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, p -> p.getFileName().toString().startsWith(prefix))) {
            entries.forEach(found::add);
        }
        found.sort(Comparator.comparing(AtomicDirectory::modified).thenComparing(Path::toString));
        return found;
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /**
     * @throws ConfigException naming {@code target} when {@code dir}, where it is to be created,
     *     is a file or cannot be written to
     */
    public static void requireWritableDirectory(Path dir, Path target, String option) {
        if (dir == null) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new ConfigException(null, option, 0, "cannot write " + target + ": " + dir + " is not a directory");
        }
        if (!Files.isWritable(dir)) {
            throw new ConfigException(null, option, 0, "cannot write " + target + ": the directory " + dir + " is not writable");
        }
        String refused = probe(dir);
        if (refused != null) {
            throw new ConfigException(null, option, 0, "cannot write " + target + ": no file can be made in " + dir + " (" + refused + ")");
        }
    }

    /**
     * Takes and releases the lock a write of {@code target} holds ({@link #write}), before a long
     * job whose end is that write: a file system without locks (NFS without its lock daemon), or a
     * lock file that cannot be opened, is then found before the job and not after it.
     *
     * @param target an absolute path whose parent exists
     * @return null when the lock could be taken, or is held (by this process or another: the
     *     write waits for it), else why not
     */
    static String probeLock(Path target) {
        try (FileChannel channel = FileChannel.open(lockFile(target), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                lock.release();
            }
            return null;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null;
        } catch (IOException e) {
            return e.getMessage() == null ? e.toString() : e.getMessage();
        }
    }

    /**
     * Makes and removes an empty file in {@code dir}: a directory whose permissions allow writing
     * may still take no file (Linux's {@code /proc} and {@code /sys}, a read-only mount as root).
     *
     * @return null when a file could be made there, else why not
     */
    static String probe(Path dir) {
        try {
            Path file = Files.createTempFile(dir, ".taskweave-probe-", ".tmp");
            Files.deleteIfExists(file);
            return null;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            String reason = e.getMessage();
            return e.getClass().getSimpleName() + (reason == null || reason.isBlank() ? "" : ": " + reason);
        }
    }

    /**
     * Checks, before anything is computed for it, that {@code target} can be written as a file.
     *
     * @throws ConfigException naming {@code target} when it is a directory, or where its directory
     *     would be is a file, or that directory cannot be written to
     */
    public static void requireWritableFile(Path target) {
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.isDirectory(absolute)) {
            throw new ConfigException(absolute.toString(), "", 0, "is a directory; expected a file to write");
        }
        Path existing = nearestExisting(absolute.getParent());
        if (existing != null && !Files.isDirectory(existing)) {
            throw new ConfigException(absolute.toString(), "", 0, "cannot write: " + existing + " is not a directory");
        }
        if (existing != null && !Files.isWritable(existing)) {
            throw new ConfigException(absolute.toString(), "", 0, "cannot write: permission denied (" + existing + ")");
        }
        String refused = existing == null ? null : probe(existing);
        if (refused != null) {
            throw new ConfigException(absolute.toString(), "", 0, "cannot write: no file can be made in " + existing + " (" + refused + ")");
        }
    }

    /** @return {@code path} or its nearest ancestor that exists (a file or a directory), or null */
    public static Path nearestExisting(Path path) {
        Path p = path == null ? null : path.toAbsolutePath().normalize();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p;
    }

    /** @return whether {@code dir} holds nothing */
    public static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        }
    }

    /** Writes one file atomically (temporary sibling, then rename). */
    public static void writeFile(Path target, byte[] content) {
        writeFile(target, temp -> Files.write(temp, content));
    }

    /**
     * How long a file write's temporary file stays untouched before a later write of the same file
     * takes it for the leftover of a killed write and deletes it: a running write (another process
     * writing the same file) touches its own as it writes.
     */
    static final java.time.Duration STALE_AFTER = java.time.Duration.ofMinutes(10);

    /** Writes one file's content into the temporary file it is given. */
    public interface FileBody {
        void write(Path temp) throws IOException;
    }

    /**
     * Writes a file atomically from a stream: {@code body} fills a hidden temporary sibling, which
     * is synced to disk and renamed into place when it returns. If it throws, the temporary file is
     * deleted, the target keeps its old content and the exception propagates ({@link IOException}
     * as {@link UncheckedIOException}). Temporary files of earlier writes that were killed are
     * deleted first (those untouched for {@link #STALE_AFTER}: a concurrent write of the same file
     * keeps its own, and the last rename wins).
     *
     * <p>Where {@code target} is a symbolic link, the file it links to is written ({@link #resolve}):
     * the link stays a link (renaming over it would replace the link with a file and leave what it
     * pointed to as it was).
     *
     * @throws ConfigException naming {@code target} when it is a directory or cannot be written for
     *     lack of permission (checked before {@code body} runs, where possible)
     */
    public static void writeFile(Path target, FileBody body) {
        Path absolute = resolve(target);
        requireWritableFile(absolute);
        Path temp = absolute.resolveSibling("." + absolute.getFileName() + ".tmp-" + Long.toString(System.nanoTime(), 36));
        try {
            createDirectories(absolute.getParent());
            FileTime before = FileTime.from(java.time.Instant.now().minus(STALE_AFTER));
            for (Path stale : siblings(absolute, ".tmp-")) {
                if (modified(stale).compareTo(before) < 0) {
                    Files.deleteIfExists(stale);
                }
            }
            body.write(temp);
            sync(temp);
            move(temp, absolute);
            syncDirectory(absolute.getParent());
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temp, e);
            throw writeFailure(absolute, e);
        }
    }

    /**
     * Deletes every temporary file {@link #writeFile} left beside {@code target}
     * ({@code .FILE.tmp-*}), whatever its age: for a caller that knows no write of the file is
     * going on (it holds the file's {@link #tryClaim claim}), each is the leftover of a write that
     * was killed.
     *
     * @return the files that could not be deleted (none, as a rule)
     */
    public static List<Path> deleteTemporaryFiles(Path target) {
        Path absolute = target.toAbsolutePath().normalize();
        List<Path> left = new ArrayList<>();
        List<Path> temps;
        try {
            temps = siblings(absolute, ".tmp-");
        } catch (IOException e) {
            return left;
        }
        for (Path temp : temps) {
            try {
                deleteTree(temp);
            } catch (IOException e) {
                left.add(temp);
            }
        }
        return left;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException | DirectoryNotEmptyException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Creates {@code dir} and any missing parents, and forces each new directory's entry in its
     * parent to disk: a file renamed into a new directory is then not lost with the directory in a
     * crash.
     */
    static void createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath().normalize();
        Path existing = nearestExisting(absolute);
        if (absolute.equals(existing) && Files.isDirectory(absolute)) {
            return;
        }
        Files.createDirectories(absolute); // fails where a file stands in the way
        for (Path created = absolute; !created.equals(existing); created = created.getParent()) {
            syncDirectory(created.getParent());
        }
    }

    /** Forces every file under {@code root}, and the directories, to disk before they are renamed into place. */
    private static void syncTree(Path root) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.toList();
        }
        for (Path p : paths) {
            if (Files.isRegularFile(p)) {
                sync(p);
            } else if (Files.isDirectory(p)) {
                syncDirectory(p);
            }
        }
    }

    private static void sync(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /** Forces a directory's entries (a rename) to disk where the system allows opening a directory; elsewhere does nothing. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            // not every system opens directories (Windows): the rename is then as durable as it makes it
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
