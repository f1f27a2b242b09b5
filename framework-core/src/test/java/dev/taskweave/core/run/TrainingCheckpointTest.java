package dev.taskweave.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.core.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint file: lengths checked before anything is allocated, a CRC over the content, the checks before training. */
class TrainingCheckpointTest {
    private static final Checkpointing.Identity IDENTITY = new Checkpointing.Identity("experiment", "data");

    @TempDir
    Path tmp;

    private static TrainingCheckpoint checkpoint() {
        byte[] parameters = new byte[1000];
        for (int i = 0; i < parameters.length; i++) {
            parameters[i] = (byte) (i * 7);
        }
        EpochRecord epoch = new EpochRecord(1, Map.of("rating", 0.5), Map.of("rating", 1.0), Map.of(), 1.5, 100.0, Map.of(),
                Map.of(), Map.of());
        return new TrainingCheckpoint(IDENTITY, 1, false, 1.5, parameters, 3, new float[] {1, 2}, new float[] {3, 4}, 0L, null,
                null, 42L, 0.25, 1, 0, null, List.of(epoch));
    }

    /** The offset of the parameters' length field: after the magic, the version, two UTF strings, epoch, finished, elapsed. */
    private static int parametersOffset() {
        return 4 + 4 + (2 + "experiment".length()) + (2 + "data".length()) + 4 + 1 + 8;
    }

    @Test
    void readsBackWhatItWrote() {
        Path file = tmp.resolve("run.checkpoint");
        TrainingCheckpoint written = checkpoint();
        written.write(file);
        TrainingCheckpoint read = TrainingCheckpoint.read(file, IDENTITY);
        assertArrayEquals(written.parameters(), read.parameters());
        assertArrayEquals(written.variances(), read.variances());
        assertEquals(written.history(), read.history());
        assertEquals(42L, read.dropoutState());
        assertTrue(TrainingCheckpoint.isCheckpoint(file));
    }

    /** @return the checkpoint in {@code file} rewritten in format 1 (no CRC), whose lengths alone guard it */
    private static byte[] formerFormat(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        byte[] former = java.util.Arrays.copyOf(bytes, bytes.length - Integer.BYTES);
        ByteBuffer.wrap(former).putInt(4, 1);
        return former;
    }

    @Test
    void aLengthBeyondTheFileIsRefusedBeforeAllocating() throws Exception {
        // in format 2 the CRC, checked first, finds any changed length; format 1 has only the lengths
        Path file = tmp.resolve("run.checkpoint");
        checkpoint().write(file);
        byte[] bytes = formerFormat(file);
        ByteBuffer.wrap(bytes).putInt(parametersOffset(), 0x7fffff00);
        Files.write(file, bytes);
        // before: an OutOfMemoryError from allocating 2 GB
        CheckpointException e = assertThrows(CheckpointException.class, () -> TrainingCheckpoint.read(file, IDENTITY));
        int left = bytes.length - parametersOffset() - 4;
        assertEquals(file + " is truncated or corrupt: a field of 2147483392 bytes at byte " + parametersOffset() + ", and the file has "
                + left + " left (delete it to train from the start)", e.getMessage());

        // Adam's moments: floats, 4 bytes each (an OutOfMemoryError before)
        checkpoint().write(file);
        bytes = formerFormat(file);
        int means = parametersOffset() + 4 + 1000 + 4;
        ByteBuffer.wrap(bytes).putInt(means, 0x7fffff00);
        Files.write(file, bytes);
        CheckpointException floats = assertThrows(CheckpointException.class, () -> TrainingCheckpoint.read(file, IDENTITY));
        assertEquals(file + " is truncated or corrupt: a field of " + 0x7fffff00L * 4 + " bytes at byte " + means + ", and the file has "
                + (bytes.length - means - 4) + " left (delete it to train from the start)", floats.getMessage());

        checkpoint().write(file);
        bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).putInt(means, 0x7fffff00);
        Files.write(file, bytes);
        assertEquals(file + " is truncated or corrupt: its CRC-32 does not match its content (delete it to train from the start)",
                assertThrows(CheckpointException.class, () -> TrainingCheckpoint.read(file, IDENTITY)).getMessage());
    }

    @Test
    void aDamagedIdentityIsDamageNotAnotherExperiment() throws Exception {
        Path file = tmp.resolve("run.checkpoint");
        checkpoint().write(file);
        byte[] bytes = Files.readAllBytes(file);
        bytes[4 + 4 + 2] ^= 0x01; // the first letter of "experiment"
        Files.write(file, bytes);
        // before: "... was written by another experiment (its configuration differs from this one)"
        assertEquals(file + " is truncated or corrupt: its CRC-32 does not match its content (delete it to train from the start)",
                assertThrows(CheckpointException.class, () -> TrainingCheckpoint.read(file, IDENTITY)).getMessage());
        Files.write(file, java.util.Arrays.copyOf(bytes, 10));
        assertEquals(file + " ends early: the checkpoint is truncated",
                assertThrows(CheckpointException.class, () -> TrainingCheckpoint.read(file, IDENTITY)).getMessage());
    }

    @Test
    void flippedBytesAreFoundByTheChecksum() throws Exception {
        Path file = tmp.resolve("run.checkpoint");
        checkpoint().write(file);
        byte[] bytes = Files.readAllBytes(file);
        for (int i = 0; i < 400; i++) {
            bytes[parametersOffset() + 4 + 100 + i] ^= 0x5a;
        }
        Files.write(file, bytes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> TrainingCheckpoint.read(file, IDENTITY));
        assertEquals(file + " is truncated or corrupt: its CRC-32 does not match its content (delete it to train from the start)",
                e.getMessage());
    }

    @Test
    void aCheckpointOfTheFormerFormatStillResumes() throws Exception {
        // format 1 (an earlier release, perhaps mid-run when it was upgraded): the same fields, no CRC
        Path file = tmp.resolve("run.checkpoint");
        TrainingCheckpoint written = checkpoint();
        written.write(file);
        byte[] former = formerFormat(file);
        Files.write(file, former);
        TrainingCheckpoint read = TrainingCheckpoint.read(file, IDENTITY);
        assertArrayEquals(written.parameters(), read.parameters());
        assertEquals(written.history(), read.history());
        ByteBuffer.wrap(former).putInt(4, 3);
        Files.write(file, former);
        CheckpointException e = assertThrows(CheckpointException.class, () -> TrainingCheckpoint.read(file, IDENTITY));
        assertEquals(file + " is a checkpoint of format 3; this version reads formats 1 and 2", e.getMessage());
    }

    @Test
    void aRunThatDoesNotResumeOverwritesNoFile() throws Exception {
        Path file = tmp.resolve("run.checkpoint");
        Checkpointing fresh = new Checkpointing(file, false, null);
        fresh.checkNothingOverwritten("--checkpoint");
        checkpoint().write(file);
        CheckpointException interrupted = assertThrows(CheckpointException.class, () -> fresh.checkNothingOverwritten("--checkpoint"));
        assertEquals("--checkpoint: " + file + " holds the checkpoint of an interrupted run: pass --resume to continue it, "
                + "or delete it", interrupted.getMessage());
        new Checkpointing(file, true, null).checkNothingOverwritten("--checkpoint");

        Path yaml = Files.writeString(tmp.resolve("experiment.yaml"), "seed: 1\n");
        CheckpointException foreign = assertThrows(CheckpointException.class,
                () -> new Checkpointing(yaml, false, null).checkNothingOverwritten("--checkpoint"));
        assertEquals("--checkpoint: " + yaml + " exists and is not a Taskweave training checkpoint, which training would "
                + "overwrite and then delete; name another file", foreign.getMessage());
        assertEquals("seed: 1\n", Files.readString(yaml));
        assertFalse(TrainingCheckpoint.isCheckpoint(yaml));

        // teachers saved by a run stopped before its first checkpoint; an empty directory of them is none
        Path other = tmp.resolve("other.checkpoint");
        Path teachers = Files.createDirectories(Checkpointing.teachers(other));
        new Checkpointing(other, false, null).checkNothingOverwritten("--checkpoint");
        // nor is what a save killed before its rename left (its hidden staging directory)
        Files.createDirectories(teachers.resolve(".teacher-1.tmp-k1ll3d"));
        new Checkpointing(other, false, null).checkNothingOverwritten("--checkpoint");
        Files.createDirectories(teachers.resolve("teacher-1"));
        CheckpointException saved = assertThrows(CheckpointException.class,
                () -> new Checkpointing(other, false, null).checkNothingOverwritten("--checkpoint"));
        assertEquals("--checkpoint: " + teachers + " holds the distillation teachers of an interrupted run: pass --resume to continue"
                + " it (they are read back, not trained again), or delete it", saved.getMessage());
        new Checkpointing(other, true, null).checkNothingOverwritten("--checkpoint");
    }

    @Test
    void aDirectoryOrAnUnwritablePlaceIsRefused() throws Exception {
        ConfigException directory = assertThrows(ConfigException.class,
                () -> new Checkpointing(tmp, false, null).checkWritable("--checkpoint"));
        assertEquals("--checkpoint: " + tmp + " is a directory; expected a checkpoint file", directory.getMessage());
        Path file = Files.writeString(tmp.resolve("file"), "x");
        ConfigException underFile = assertThrows(ConfigException.class,
                () -> new Checkpointing(file.resolve("run.checkpoint"), false, null).checkWritable("--checkpoint"));
        assertEquals("--checkpoint: cannot write " + file.resolve("run.checkpoint") + ": " + file + " is not a directory",
                underFile.getMessage());
        // a directory still to be created is fine
        new Checkpointing(tmp.resolve("a/b/run.checkpoint"), false, null).checkWritable("--checkpoint");
    }

    @Test
    void resumingWithoutACheckpointStartsFromTheFirstEpoch() {
        Path file = tmp.resolve("run.checkpoint");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Checkpointing resume = new Checkpointing(file, true, Duration.ofHours(2));
        Checkpointing fresh = resume.orFreshStart(new PrintStream(log, true, StandardCharsets.UTF_8));
        // the same run: its time limit still counts from its start
        assertEquals(new Checkpointing(file, false, Duration.ofHours(2), resume.startNanos()), fresh);
        assertEquals("no checkpoint at " + file + ": starting from epoch 1\n", log.toString(StandardCharsets.UTF_8));
        checkpoint().write(file);
        assertSame(resume, resume.orFreshStart(new PrintStream(log, true, StandardCharsets.UTF_8)));
    }

    @Test
    void theTimeLimitCountsFromTheRunsStart() {
        Path file = tmp.resolve("run.checkpoint");
        assertFalse(new Checkpointing(file, false, null, System.nanoTime() - Duration.ofDays(1).toNanos()).outOfTime(), "no limit");
        assertFalse(new Checkpointing(file, false, Duration.ofHours(1)).outOfTime(), "a run starting now");
        // a run that started an hour ago (reading its data, training its teachers) has used its hour
        Checkpointing late = new Checkpointing(file, false, Duration.ofHours(1), System.nanoTime() - Duration.ofHours(1).toNanos());
        assertTrue(late.outOfTime());
        assertTrue(new Checkpointing(file, false, Duration.ZERO).outOfTime());
    }

    @Test
    void aForeignCheckpointIsRefusedFromItsHeaderNamingTheSavedTeachers() throws Exception {
        Path file = tmp.resolve("run.checkpoint");
        checkpoint().write(file);
        Checkpointing resume = new Checkpointing(file, true, null);
        resume.checkResumable(IDENTITY);
        new Checkpointing(file, false, null).checkResumable(new Checkpointing.Identity("other", "data")); // not resuming: not read
        CheckpointException other = assertThrows(CheckpointException.class,
                () -> resume.checkResumable(new Checkpointing.Identity("other", "data")));
        assertEquals(file + " was written by another experiment (its configuration differs from this one, or the teacher models of"
                + " its training.distillation.models do); resume with the experiment and data that wrote it, or delete it to train"
                + " from the start", other.getMessage());
        // teachers saved beside it (training.distillation.teachers) go with it
        Path teachers = Files.createDirectories(tmp.resolve("run.checkpoint.teachers/teacher-1"));
        assertEquals(teachers.getParent(), resume.teachers());
        CheckpointException data = assertThrows(CheckpointException.class,
                () -> resume.checkResumable(new Checkpointing.Identity("experiment", "other")));
        assertEquals(file + " was written by this experiment on other data (the data's fingerprint differs); resume with the"
                + " experiment and data that wrote it, or delete it and the teachers saved beside it in " + teachers.getParent()
                + "/ to train from the start", data.getMessage());
        // the same from the whole read the trainer makes
        assertEquals(data.getMessage(), assertThrows(CheckpointException.class,
                () -> TrainingCheckpoint.read(file, new Checkpointing.Identity("experiment", "other"))).getMessage());
        // damage is damage, not another experiment
        byte[] bytes = Files.readAllBytes(file);
        bytes[9] ^= 1;
        Files.write(file, bytes);
        assertTrue(assertThrows(CheckpointException.class, () -> resume.checkResumable(IDENTITY)).getMessage()
                .endsWith("its CRC-32 does not match its content (delete it to train from the start)"));
    }

    @Test
    void removingTheCheckpointRemovesWhatKilledWritesLeftBesideIt() throws Exception {
        Path file = tmp.resolve("run.checkpoint");
        checkpoint().write(file);
        Path killed = Files.write(tmp.resolve(".run.checkpoint.tmp-abc"), new byte[4096]);
        Checkpointing checkpointing = new Checkpointing(file, true, null);
        try (var claim = checkpointing.claim("--checkpoint")) {
            assertFalse(Files.exists(killed), "deleted once the claim is held");
            Files.write(killed, new byte[4096]);
            checkpointing.remove();
        }
        assertFalse(Files.exists(file));
        assertFalse(Files.exists(killed));
    }
}
