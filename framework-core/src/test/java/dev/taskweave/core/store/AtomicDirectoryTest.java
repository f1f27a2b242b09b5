package dev.taskweave.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.core.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicDirectoryTest {
    @TempDir
    Path tmp;

    /** A marker any model.json satisfies: these tests write their own content. */
    static final AtomicDirectory.Marker ANY_MODEL_JSON = new AtomicDirectory.Marker("model.json", file -> true);

    @Test
    void replacesWholeDirectoryAndLeavesNoStaging() throws IOException {
        Path target = tmp.resolve("model");
        AtomicDirectory.write(target, dir -> Files.writeString(dir.resolve("a.txt"), "one"));
        AtomicDirectory.write(target, dir -> Files.writeString(dir.resolve("b.txt"), "two"));
        assertFalse(Files.exists(target.resolve("a.txt")));
        assertEquals("two", Files.readString(target.resolve("b.txt")));
        assertEquals(List.of(".model.lock", "model"), listing(), "no staging is left; the writers' lock file stays");
    }

    /** @return the names in the test's directory, sorted */
    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void failedWriteKeepsTheOldContent() throws IOException {
        Path target = tmp.resolve("model");
        AtomicDirectory.write(target, dir -> Files.writeString(dir.resolve("a.txt"), "one"));
        assertThrows(UncheckedIOException.class, () -> AtomicDirectory.write(target, dir -> {
            Files.writeString(dir.resolve("partial.txt"), "half");
            throw new IOException("disk full");
        }));
        assertEquals("one", Files.readString(target.resolve("a.txt")));
        assertFalse(Files.exists(target.resolve("partial.txt")));
        assertEquals(List.of(".model.lock", "model"), listing());
    }

    @Test
    void streamedFileIsReplacedWholeOrNotAtAll() throws IOException {
        Path target = tmp.resolve("recs.tsv");
        AtomicDirectory.writeFile(target, temp -> Files.writeString(temp, "first\n"));
        assertEquals("first\n", Files.readString(target));
        // an IOException and any other exception from the body: the old file stays, no temporary file is left
        assertThrows(UncheckedIOException.class, () -> AtomicDirectory.writeFile(target, temp -> {
            Files.writeString(temp, "half");
            throw new IOException("disk full");
        }));
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> AtomicDirectory.writeFile(target, temp -> {
            Files.writeString(temp, "half");
            throw new IllegalStateException("unknown user");
        }));
        assertEquals("unknown user", thrown.getMessage());
        assertEquals("first\n", Files.readString(target));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(1, s.count());
        }
        AtomicDirectory.writeFile(target, temp -> Files.writeString(temp, "second\n"));
        assertEquals("second\n", Files.readString(target));
    }

    @Test
    void aCommandsOutputFileThatIsALinkIsWrittenWhereItPoints() throws IOException {
        Path real = Files.writeString(Files.createDirectories(tmp.resolve("shared")).resolve("recs.tsv"), "old\n");
        Path link = Files.createSymbolicLink(tmp.resolve("recs.tsv"), Path.of("shared/recs.tsv"));
        Path file = AtomicDirectory.outputFile(link, "--output");
        assertEquals(real.toRealPath(), file);
        AtomicDirectory.writeFile(file, temp -> Files.writeString(temp, "new\n"));
        assertTrue(Files.isSymbolicLink(link), "the link stays a link");
        assertEquals("new\n", Files.readString(real));
        // a link whose target's ".." starts from a directory that is itself a link: resolved as the kernel does
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere/deep"));
        Path viaLink = Files.createSymbolicLink(tmp.resolve("via"), elsewhere);
        Path target = Files.writeString(tmp.resolve("elsewhere/metrics.json"), "{}");
        Files.createSymbolicLink(elsewhere.resolve("m.json"), Path.of("../metrics.json"));
        assertEquals(target.toRealPath(), AtomicDirectory.outputFile(viaLink.resolve("m.json"), "--output"));
        // a link to a file not written yet
        Path dangling = Files.createSymbolicLink(tmp.resolve("next.tsv"), Path.of("shared/next.tsv"));
        assertEquals(real.toRealPath().resolveSibling("next.tsv"), AtomicDirectory.outputFile(dangling, "--output"));
        // a path that is not a link is the path itself
        assertEquals(tmp.resolve("plain.tsv").toAbsolutePath().normalize(), AtomicDirectory.outputFile(tmp.resolve("plain.tsv"), "--output"));
        ConfigException empty = assertThrows(ConfigException.class, () -> AtomicDirectory.outputFile(Path.of(""), "--output"));
        assertEquals("command line: --output: expected a file name, got an empty string", empty.getMessage());
    }

    @Test
    void aFileWrittenThroughALinkKeepsTheLink() throws IOException {
        // a results.json or checkpoint a user linked elsewhere (a shared disk): written where it points
        Path real = Files.writeString(Files.createDirectories(tmp.resolve("disk")).resolve("results.json"), "old\n");
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path link = Files.createSymbolicLink(out.resolve("results.json"), Path.of("../disk/results.json"));
        AtomicDirectory.writeFile(link, "new\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(Files.isSymbolicLink(link), "the link stays a link");
        assertEquals("new\n", Files.readString(real));
        // a dangling link: the file is created where it points
        Path next = Files.createSymbolicLink(out.resolve("report.md"), Path.of("../disk/report.md"));
        AtomicDirectory.writeFile(next, temp -> Files.writeString(temp, "# report\n"));
        assertTrue(Files.isSymbolicLink(next));
        assertEquals("# report\n", Files.readString(tmp.resolve("disk/report.md")));
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(2, s.count(), "no temporary file left beside the links");
        }
    }

    @Test
    void deleteRemovesATreeAndTheTrashEarlierDeletionsLeft() throws IOException {
        Path teachers = Files.createDirectories(tmp.resolve("run.teachers/teacher-1"));
        Files.writeString(teachers.resolve("model.json"), "{}");
        // what a deletion killed halfway left: a part of the tree under a trash name
        Path leftover = Files.createDirectories(tmp.resolve(".run.teachers.trash-old/teacher-2"));
        Files.writeString(leftover.resolve("parameters.bin"), "x");
        Files.writeString(tmp.resolve("run.teachers.keep"), "a neighbour of another name");
        AtomicDirectory.delete(tmp.resolve("run.teachers"));
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of("run.teachers.keep"), left.map(p -> p.getFileName().toString()).toList());
        }
        AtomicDirectory.delete(tmp.resolve("run.teachers")); // nothing there: nothing to do
    }

    @Test
    void missingParentsAreCreatedForFilesAndDirectories() throws IOException {
        Path file = tmp.resolve("runs/2026/12/results.json");
        AtomicDirectory.writeFile(file, temp -> Files.writeString(temp, "{}"));
        assertEquals("{}", Files.readString(file));
        Path dir = tmp.resolve("models/shop/next");
        AtomicDirectory.write(dir, staging -> Files.writeString(staging.resolve("model.json"), "{}"));
        assertEquals("{}", Files.readString(dir.resolve("model.json")));
        // existing directories are left as they are
        AtomicDirectory.createDirectories(tmp.resolve("runs"));
        assertTrue(Files.isRegularFile(file));
    }

    @Test
    void aDirectoryOfOtherFilesIsRefusedNotDeleted() throws IOException {
        Path target = tmp.resolve("project");
        Files.createDirectories(target);
        Files.writeString(target.resolve("experiment.yaml"), "seed: 1\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> AtomicDirectory.write(target, ANY_MODEL_JSON, dir -> Files.writeString(dir.resolve("model.json"), "{}")));
        assertEquals(target + ": is a directory of other files (model.json is missing), which writing here would delete; "
                + "name a new directory or one written before", e.getMessage());
        assertEquals("seed: 1\n", Files.readString(target.resolve("experiment.yaml")));
        assertEquals(List.of(".project.lock", "project"), listing(), "no staging is left");
        // an empty directory, and one holding the marker, are replaced
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        AtomicDirectory.write(empty, ANY_MODEL_JSON, dir -> Files.writeString(dir.resolve("model.json"), "{}"));
        AtomicDirectory.write(empty, ANY_MODEL_JSON, dir -> Files.writeString(dir.resolve("model.json"), "{\"v\": 2}"));
        assertEquals("{\"v\": 2}", Files.readString(empty.resolve("model.json")));
        Path file = Files.writeString(tmp.resolve("file"), "x");
        ConfigException notDirectory = assertThrows(ConfigException.class, () -> AtomicDirectory.write(file, ANY_MODEL_JSON, dir -> {}));
        assertEquals(file + ": exists and is not a directory; expected a directory to write", notDirectory.getMessage());
    }

    @Test
    void aReplacementKilledBetweenItsRenamesIsPutBackByTheNextWrite() throws IOException {
        Path target = tmp.resolve("model");
        // what a write killed after moving the old model aside and before moving the new one in leaves
        Path old = Files.createDirectories(tmp.resolve(".model.old-abc"));
        Files.writeString(old.resolve("model.json"), "previous");
        Path staging = Files.createDirectories(tmp.resolve(".model.tmp-abc"));
        Files.writeString(staging.resolve("model.json"), "half");
        assertEquals(old, AtomicDirectory.previous(target));
        // a write that fails still put the previous content back first
        assertThrows(UncheckedIOException.class, () -> AtomicDirectory.write(target, ANY_MODEL_JSON, dir -> {
            throw new IOException("disk full");
        }));
        assertEquals("previous", Files.readString(target.resolve("model.json")));
        assertNull(AtomicDirectory.previous(target));
        assertEquals(List.of(".model.lock", "model"), listing(), "the stale staging is deleted");
        // killed after the swap, before deleting the old content: the next write deletes it
        Files.createDirectories(tmp.resolve(".model.old-def")).resolve("model.json").toFile().createNewFile();
        AtomicDirectory.write(target, ANY_MODEL_JSON, dir -> Files.writeString(dir.resolve("model.json"), "new"));
        assertEquals("new", Files.readString(target.resolve("model.json")));
        assertEquals(List.of(".model.lock", "model"), listing());
    }

    @Test
    void aReplacedCopyPartlyDeletedIsNeverPutBack() throws IOException {
        Path target = tmp.resolve("model");
        AtomicDirectory.write(target, ANY_MODEL_JSON, dir -> {
            Files.writeString(dir.resolve("model.json"), "first");
            Files.writeString(dir.resolve("parameters.bin"), "first");
        });
        AtomicDirectory.write(target, ANY_MODEL_JSON, dir -> Files.writeString(dir.resolve("model.json"), "second"));
        assertEquals(List.of(".model.lock", "model"), listing(), "the replaced copy is deleted, under whatever name");
        // what a write killed while deleting the copy it replaced leaves (deleted in reverse order:
        // model.json went first), then the model moved away by hand (promoted with mv)
        Path trash = Files.createDirectories(tmp.resolve(".model.trash-k1ll3d"));
        Files.writeString(trash.resolve("experiment.yaml"), "seed: 1\n");
        Files.writeString(trash.resolve("entities.bin"), "half");
        Files.move(target, tmp.resolve("promoted"));
        assertNull(AtomicDirectory.previous(target), "a copy being deleted is not the previous content");
        // before: the half-deleted copy was put back as the model, and the write refused it as a
        // directory of other files (after training)
        AtomicDirectory.write(target, ANY_MODEL_JSON, dir -> Files.writeString(dir.resolve("model.json"), "third"));
        assertEquals(List.of("model.json"), names(target));
        assertEquals("third", Files.readString(target.resolve("model.json")));
        assertEquals(List.of(".model.lock", "model", "promoted"), listing(), "the partly deleted copy is deleted");
    }

    @Test
    void recoveryPutsBackAWholeCopyAndDeletesTheTrash() throws IOException {
        Path target = tmp.resolve("model");
        // killed between the renames: the whole previous model aside; and an older write's trash
        Path old = Files.createDirectories(tmp.resolve(".model.old-abc"));
        Files.writeString(old.resolve("model.json"), "previous");
        Files.writeString(old.resolve("parameters.bin"), "previous");
        Path trash = Files.createDirectories(tmp.resolve(".model.trash-def"));
        Files.writeString(trash.resolve("entities.bin"), "half");
        Files.setLastModifiedTime(trash, FileTime.from(Instant.now().plusSeconds(60))); // newer than the copy: still never restored
        assertEquals(old, AtomicDirectory.previous(target));
        AtomicDirectory.recover(target);
        assertEquals(List.of("model.json", "parameters.bin"), names(target));
        assertEquals("previous", Files.readString(target.resolve("model.json")));
        assertEquals(List.of("model"), listing());
        // a second whole copy beside an existing model (killed after the swap): discarded, not kept
        Path second = Files.createDirectories(tmp.resolve(".model.old-ghi"));
        Files.writeString(second.resolve("model.json"), "older");
        AtomicDirectory.recover(target);
        assertEquals("previous", Files.readString(target.resolve("model.json")));
        assertEquals(List.of("model"), listing());
    }

    @Test
    void temporaryFilesOfAClaimedFileAreDeletedWhateverTheirAge() throws IOException {
        Path checkpoint = tmp.resolve("run.checkpoint");
        Files.writeString(checkpoint, "state");
        Path killed = Files.write(tmp.resolve(".run.checkpoint.tmp-abc"), new byte[1 << 16]);
        Path other = Files.writeString(tmp.resolve(".other.tmp-abc"), "not this file's");
        assertEquals(List.of(), AtomicDirectory.deleteTemporaryFiles(checkpoint));
        assertFalse(Files.exists(killed), "recent, yet the leftover of a killed write");
        assertTrue(Files.exists(other));
        assertEquals("state", Files.readString(checkpoint));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFileIsNotWrittenOverADirectory() throws IOException {
        Path target = Files.createDirectories(tmp.resolve("out"));
        boolean[] ran = {false};
        ConfigException e = assertThrows(ConfigException.class, () -> AtomicDirectory.writeFile(target, temp -> ran[0] = true));
        assertEquals(target + ": is a directory; expected a file to write", e.getMessage());
        assertFalse(ran[0], "nothing is computed for a file that cannot be written");
        // a temporary file of a killed write is deleted by the next; one being written (recent) is not
        Path stale = Files.writeString(tmp.resolve(".recs.tsv.tmp-abc"), "half");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(AtomicDirectory.STALE_AFTER).minusSeconds(1)));
        Path running = Files.writeString(tmp.resolve(".recs.tsv.tmp-def"), "being written");
        AtomicDirectory.writeFile(tmp.resolve("recs.tsv"), "rows\n".getBytes());
        assertFalse(Files.exists(stale));
        assertEquals("being written", Files.readString(running));
        assertEquals("rows\n", Files.readString(tmp.resolve("recs.tsv")));
        Path file = Files.writeString(tmp.resolve("file"), "x");
        ConfigException underFile = assertThrows(ConfigException.class,
                () -> AtomicDirectory.writeFile(file.resolve("recs.tsv"), "rows".getBytes()));
        assertTrue(underFile.getMessage().startsWith(file.resolve("recs.tsv") + ": cannot write: "), underFile.getMessage());
    }

    @Test
    void writersOfOneDirectoryTakeTurns() throws Exception {
        // before the lock: a second writer's start (it tidies what killed writes left) moved the first
        // one's previous content back or deleted its staging, and one of them failed or lost the model
        Path target = tmp.resolve("model");
        AtomicDirectory.write(target, ANY_MODEL_JSON, dir -> Files.writeString(dir.resolve("model.json"), "0"));
        int writers = 4;
        int rounds = 10;
        List<String> inside = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int r = 0; r < rounds; r++) {
                        String value = writer + "-" + r;
                        AtomicDirectory.write(target, ANY_MODEL_JSON, dir -> {
                            inside.add("enter");
                            Files.writeString(dir.resolve("model.json"), value);
                            Files.writeString(dir.resolve("parameters.bin"), value);
                            try {
                                Thread.sleep(2);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            inside.add("leave");
                        });
                        String seen = Files.readString(target.resolve("model.json"));
                        assertEquals(seen, Files.readString(target.resolve("parameters.bin")), "a whole model is in place");
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2 * writers * rounds, inside.size());
        for (int i = 0; i < inside.size(); i += 2) {
            assertEquals(List.of("enter", "leave"), inside.subList(i, i + 2), "one writer at a time");
        }
        assertEquals(List.of(".model.lock", "model"), listing());
    }

    @Test
    void aWriteWaitsForAnotherProcessHoldingTheLock() throws Exception {
        Path target = tmp.resolve("model");
        Path lock = AtomicDirectory.lockFile(target);
        assertEquals(tmp.resolve(".model.lock"), lock);
        Process holder = holdLock(lock);
        try {
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<?> write = pool.submit(() -> {
                    AtomicDirectory.write(target, ANY_MODEL_JSON, dir -> Files.writeString(dir.resolve("model.json"), "mine"));
                    return null;
                });
                Thread.sleep(500);
                assertFalse(write.isDone(), "the write waits while another process holds the lock");
                assertFalse(Files.exists(target));
                holder.getOutputStream().write('\n');
                holder.getOutputStream().flush();
                write.get(30, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            assertEquals("mine", Files.readString(target.resolve("model.json")));
        } finally {
            holder.destroyForcibly();
        }
    }

    /** @return a child JVM holding the lock on {@code lock} until it reads a line on stdin */
    private Process holdLock(Path lock) throws IOException {
        // another process holds the lock: a child JVM that locks the file and waits for a line on stdin
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path source = Files.writeString(tmp.resolve("Hold.java"), """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Hold {
                    public static void main(String[] a) throws Exception {
                        try (FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                                var l = c.lock()) {
                            System.out.println("held");
                            System.out.flush();
                            System.in.read();
                        }
                    }
                }
                """);
        Process holder = new ProcessBuilder(java, source.toString(), lock.toString()).redirectErrorStream(true).start();
        var out = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream()));
        assertEquals("held", out.readLine());
        return holder;
    }

    @Test
    void aClaimExcludesEveryOtherUntilClosed() throws Exception {
        Path checkpoint = tmp.resolve("runs/train.ckpt");
        try (AtomicDirectory.Claim claim = AtomicDirectory.tryClaim(checkpoint)) {
            assertNotNull(claim);
            assertNull(AtomicDirectory.tryClaim(checkpoint), "this process again");
            assertNull(AtomicDirectory.tryClaim(tmp.resolve("runs/../runs/train.ckpt")), "the same file by another path");
            try (AtomicDirectory.Claim other = AtomicDirectory.tryClaim(tmp.resolve("runs/other.ckpt"))) {
                assertNotNull(other, "another file");
            }
        }
        AtomicDirectory.tryClaim(checkpoint).close();
        // another process's claim (a lock on the same file)
        Process holder = holdLock(AtomicDirectory.lockFile(checkpoint));
        try {
            assertNull(AtomicDirectory.tryClaim(checkpoint));
        } finally {
            holder.getOutputStream().write('\n');
            holder.getOutputStream().flush();
            holder.waitFor(30, TimeUnit.SECONDS);
            holder.destroyForcibly();
        }
        try (AtomicDirectory.Claim claim = AtomicDirectory.tryClaim(checkpoint)) {
            assertNotNull(claim, "released when the process ended");
        }
        // a place no file can be made (Linux's /proc) is bad input naming it, not an internal error
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "no /proc here");
        dev.taskweave.core.config.ConfigException e = assertThrows(dev.taskweave.core.config.ConfigException.class,
                () -> AtomicDirectory.tryClaim(Path.of("/proc/nope/train.ckpt")));
        assertTrue(e.getMessage().startsWith("/proc/nope/train.ckpt: cannot write: "), e.getMessage());
    }
}
