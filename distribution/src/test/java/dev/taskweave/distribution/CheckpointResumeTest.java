package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskweave.core.Taskweave;
import dev.taskweave.core.cli.TaskweaveCli;
import dev.taskweave.core.run.CheckpointException;
import dev.taskweave.core.run.Checkpointing;
import dev.taskweave.core.run.TrainingResult;
import dev.taskweave.core.run.TrainingSuspendedException;
import dev.taskweave.core.store.ModelStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Training checkpoints: a run stopped after every epoch and resumed from its checkpoint each time
 * ends with the same weights and metrics, digit for digit, as the run that was never stopped. The
 * experiments draw from every generator training uses: Java dropout masks in the experts (and in
 * the telemetry's forward passes), PyTorch's dropout in the head towers, the epochs' negatives
 * and order, id dropout; and carry every kind of state: Adam's moments and the learning-rate
 * schedule, the weight average, early stopping's best epoch, and a stateful loss weighting.
 */
class CheckpointResumeTest extends RuntimeTest {
    static final String CONFIG = """
            seed: 5
            data: {type: synthetic, params: {users: 120, items: 50, meanInteractionsPerUser: 15}}
            features: {embeddingDim: 8, idDropout: 0.1}
            tasks:
              - {name: rating, head: regression, label: rating, metrics: [rmse], params: {tower: [8], dropout: 0.2}}
              - {name: like, head: binary, label: rating, metrics: [auc], params: {tower: [8], threshold: 4.0}}
              - {name: watch, head: binary, label: observed, metrics: [auc], params: {tower: [8], negatives: 1}}
            sharing: {type: mmoe, params: {experts: 2, expertLayers: [16], dropout: 0.2}}
            weighting: %s
            optimizer: {learningRate: 0.01, schedule: cosine}
            training:
              batchSize: 128
              epochs: 4
              progressBar: false
              telemetry: true
              weightAverage: 0.9
              earlyStopping: {metric: valid.rating.rmse, patience: 3}
            """;

    @Test
    void aRunStoppedAfterEveryEpochEndsAsTheUninterruptedRun() throws Exception {
        for (String weighting : new String[] {"{type: dwa, params: {temperature: 2.0}}", "{type: pcgrad}"}) {
            String name = weighting.contains("dwa") ? "dwa" : "pcgrad";
            Path config = write(name + ".yaml", CONFIG.formatted(weighting));
            TrainingResult whole = taskweave.train(config, tmp.resolve(name + "-whole"), quiet());
            assertEquals(4, whole.history().size(), name);

            Path checkpoint = tmp.resolve(name + ".checkpoint");
            Path output = tmp.resolve(name + "-resumed");
            int runs = 0;
            TrainingResult resumed = null;
            while (resumed == null) {
                runs++;
                try {
                    // a time limit of zero stops every run after its first epoch
                    resumed = taskweave.train(config, output, quiet(), new Checkpointing(checkpoint, runs > 1, Duration.ZERO));
                } catch (TrainingSuspendedException e) {
                    assertEquals(runs, e.epoch(), name);
                    assertEquals(4, e.epochs());
                    assertTrue(Files.isRegularFile(checkpoint), name);
                    assertFalse(Files.exists(output), "no model is written before training ends");
                }
            }
            assertEquals(4, runs, name);
            assertFalse(Files.exists(checkpoint), "the checkpoint is removed once the model is written");
            ObjectMapper json = new ObjectMapper();
            assertEquals(json.valueToTree(whole.metrics()), json.valueToTree(resumed.metrics()), name);
            assertEquals(whole.bestEpoch(), resumed.bestEpoch(), name);
            for (int e = 0; e < 4; e++) {
                assertEquals(whole.history().get(e).trainLoss(), resumed.history().get(e).trainLoss(), name + " epoch " + (e + 1));
                assertEquals(whole.history().get(e).validation(), resumed.history().get(e).validation(), name + " epoch " + (e + 1));
                assertEquals(whole.history().get(e).gradientCosine(), resumed.history().get(e).gradientCosine(), name);
            }
            assertArrayEquals(Files.readAllBytes(tmp.resolve(name + "-whole").resolve(ModelStore.PARAMETERS)),
                    Files.readAllBytes(output.resolve(ModelStore.PARAMETERS)), name + ": the saved weights");
            assertArrayEquals(Files.readAllBytes(tmp.resolve(name + "-whole").resolve(ModelStore.WEIGHTING_STATE)),
                    Files.readAllBytes(output.resolve(ModelStore.WEIGHTING_STATE)), name + ": the weighting's state");
        }
    }

    @Test
    void aCheckpointIsResumedOnlyByItsExperimentAndData() throws Exception {
        Path config = write("dwa.yaml", CONFIG.formatted("{type: dwa}"));
        Path checkpoint = tmp.resolve("run.checkpoint");
        // no checkpoint (the run was stopped before its first epoch ended): --resume starts from epoch 1
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        TrainingSuspendedException fresh = assertThrows(TrainingSuspendedException.class, () -> taskweave.train(config,
                tmp.resolve("m"), new java.io.PrintStream(log, true), new Checkpointing(checkpoint, true, Duration.ZERO)));
        assertEquals(1, fresh.epoch());
        assertTrue(log.toString().contains("no checkpoint at " + checkpoint + ": starting from epoch 1\n"), log.toString());
        Files.delete(checkpoint);

        assertThrows(TrainingSuspendedException.class,
                () -> taskweave.train(config, tmp.resolve("m"), quiet(), new Checkpointing(checkpoint, false, Duration.ZERO)));
        Path other = write("other.yaml", CONFIG.formatted("{type: dwa}").replace("learningRate: 0.01", "learningRate: 0.02"));
        CheckpointException experiment = assertThrows(CheckpointException.class,
                () -> taskweave.train(other, tmp.resolve("m"), quiet(), new Checkpointing(checkpoint, true, null)));
        assertTrue(experiment.getMessage().startsWith(checkpoint + " was written by another experiment (its configuration differs"),
                experiment.getMessage());
        Path otherData = write("data.yaml", CONFIG.formatted("{type: dwa}").replace("users: 120", "users: 121"));
        CheckpointException data = assertThrows(CheckpointException.class,
                () -> taskweave.train(otherData, tmp.resolve("m"), quiet(), new Checkpointing(checkpoint, true, null)));
        assertTrue(data.getMessage().contains("another experiment on other data"), data.getMessage());

        byte[] bytes = Files.readAllBytes(checkpoint);
        Files.write(checkpoint, Arrays.copyOf(bytes, bytes.length / 2));
        CheckpointException truncated = assertThrows(CheckpointException.class,
                () -> taskweave.train(config, tmp.resolve("m"), quiet(), new Checkpointing(checkpoint, true, null)));
        // the CRC over the whole file is checked before any field is read
        assertEquals(checkpoint + " is truncated or corrupt: its CRC-32 does not match its content (delete it to train from the start)",
                truncated.getMessage());
        Files.write(checkpoint, Arrays.copyOf(bytes, 6));
        CheckpointException end = assertThrows(CheckpointException.class,
                () -> taskweave.train(config, tmp.resolve("m"), quiet(), new Checkpointing(checkpoint, true, null)));
        assertEquals(checkpoint + " ends early: the checkpoint is truncated", end.getMessage());
        Files.writeString(checkpoint, "not a checkpoint");
        CheckpointException foreign = assertThrows(CheckpointException.class,
                () -> taskweave.train(config, tmp.resolve("m"), quiet(), new Checkpointing(checkpoint, true, null)));
        assertEquals(checkpoint + " is not a Taskweave training checkpoint", foreign.getMessage());
        assertFalse(Files.exists(tmp.resolve("m")));
    }

    @Test
    void aCheckpointWhoseStateNoLongerFitsTheModelIsNamedNotAnInternalError() throws Exception {
        // the same YAML and data, but state laid out by another model: what a plugin upgraded between
        // the stop and the resume leaves (the identity does not cover plugin versions)
        Path config = write("fit.yaml", CONFIG.formatted("{type: fixed}"));
        Path wider = write("wider.yaml", CONFIG.formatted("{type: fixed}").replace("expertLayers: [16]", "expertLayers: [24]"));
        Path checkpoint = tmp.resolve("fit.checkpoint");
        Path donor = tmp.resolve("wider.checkpoint");
        assertThrows(TrainingSuspendedException.class,
                () -> taskweave.train(config, tmp.resolve("fit"), quiet(), new Checkpointing(checkpoint, false, Duration.ZERO)));
        assertThrows(TrainingSuspendedException.class,
                () -> taskweave.train(wider, tmp.resolve("wider"), quiet(), new Checkpointing(donor, false, Duration.ZERO)));
        dev.taskweave.core.run.CheckpointSurgery.transplantState(donor, checkpoint);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> taskweave.train(config, tmp.resolve("fit"), quiet(), new Checkpointing(checkpoint, true, null)));
        assertTrue(e.getMessage().startsWith(checkpoint + " does not fit the model this experiment builds now: its parameters "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("(was a plugin upgraded since it was written?); delete it to train from the start"),
                e.getMessage());
        assertFalse(Files.exists(tmp.resolve("fit")));
    }

    @Test
    void theCommandLineStopsWithExitCodeThreeAndResumes() throws Exception {
        Path config = write("dwa.yaml", CONFIG.formatted("{type: dwa}").replace("epochs: 4", "epochs: 2"));
        Path checkpoint = tmp.resolve("cli.checkpoint");
        String[] args = {"train", "--config", config.toString(), "--output", tmp.resolve("model").toString(),
                "--checkpoint", checkpoint.toString(), "--max-time", "0s"};
        CliTest.Run first = CliTest.run(args);
        assertEquals(TaskweaveCli.SUSPENDED, first.code(), first.err());
        assertTrue(first.out().contains("training stopped after epoch 1 of 2"), first.out());
        String[] resume = Arrays.copyOf(args, args.length + 1);
        resume[args.length] = "--resume";
        // while another run holds the checkpoint, a second one may not write it in turns with it
        try (var running = dev.taskweave.core.store.AtomicDirectory.tryClaim(checkpoint)) {
            byte[] state = Files.readAllBytes(checkpoint);
            CliTest.Run meanwhile = CliTest.run(resume);
            assertEquals(TaskweaveCli.BAD_INPUT, meanwhile.code(), meanwhile.err());
            assertTrue(meanwhile.err().contains("checkpoint: " + checkpoint + " is the checkpoint of a training run still going on"),
                    meanwhile.err());
            assertArrayEquals(state, Files.readAllBytes(checkpoint));
            // without --resume too: the run is going on, not interrupted (resuming or deleting would hurt it)
            CliTest.Run fresh = CliTest.run(args);
            assertEquals(TaskweaveCli.BAD_INPUT, fresh.code(), fresh.err());
            assertTrue(fresh.err().contains("--checkpoint: " + checkpoint + " is the checkpoint of a training run still going on"),
                    fresh.err());
        }
        // a damaged checkpoint is refused before the data is read
        byte[] intact = Files.readAllBytes(checkpoint);
        byte[] damaged = intact.clone();
        damaged[damaged.length / 2] ^= 1;
        Files.write(checkpoint, damaged);
        CliTest.Run broken = CliTest.run(resume);
        assertEquals(TaskweaveCli.BAD_INPUT, broken.code(), broken.err());
        assertTrue(broken.err().contains("is truncated or corrupt: its CRC-32 does not match its content"), broken.err());
        assertFalse(broken.out().contains("data:"), "refused before the data was read: " + broken.out());
        Files.write(checkpoint, intact);
        CliTest.Run second = CliTest.run(resume);
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("resuming from " + checkpoint + " after epoch 1 of 2"), second.out());
        assertTrue(Files.isRegularFile(tmp.resolve("model").resolve(ModelStore.PARAMETERS)));

        CliTest.Run noFile = CliTest.run("train", "--config", config.toString(), "--output", tmp.resolve("model").toString(), "--resume");
        assertEquals(TaskweaveCli.BAD_INPUT, noFile.code());
        assertTrue(noFile.err().contains("--resume") && noFile.err().contains("needs --checkpoint FILE"), noFile.err());
        CliTest.Run badTime = CliTest.run("train", "--config", config.toString(), "--output", "x", "--checkpoint", "c", "--max-time", "soon");
        assertEquals(TaskweaveCli.BAD_INPUT, badTime.code());
        assertTrue(badTime.err().contains("expected a duration such as 90m, 2h, 1h30m or 45s, got 'soon'"), badTime.err());
    }

    /**
     * A scheduler reruns one command with --resume every day: after the run finished (no
     * checkpoint), the model in --output is this run's only when it was trained on the data just
     * read; the experiment file is the same every day, the data is not.
     */
    @Test
    void aResumeAfterTheRunFinishedTrainsAgainOnOtherData() throws Exception {
        FilesEndToEndTest.writeData(tmp);
        Path config = write("daily.yaml", FilesEndToEndTest.CONFIG.replace("epochs: 8", "epochs: 1"));
        Path checkpoint = tmp.resolve("daily.checkpoint");
        Path output = tmp.resolve("next");
        String first = resume(config, output, checkpoint);
        assertTrue(first.contains("no checkpoint at " + checkpoint + ": starting from epoch 1\n"), first);
        byte[] parameters = Files.readAllBytes(output.resolve(ModelStore.PARAMETERS));
        String fingerprint = fingerprint(output);

        String same = resume(config, output, checkpoint);
        assertTrue(same.startsWith("nothing to resume: " + output + " holds this experiment's finished model\n")
                || same.contains("\nnothing to resume: " + output + " holds this experiment's finished model\n"), same);
        assertFalse(same.contains("epoch 1/1"), "nothing trained: " + same);
        assertArrayEquals(parameters, Files.readAllBytes(output.resolve(ModelStore.PARAMETERS)));

        // the next day's data: one rating changed
        java.util.List<String> rows = new java.util.ArrayList<>(Files.readAllLines(tmp.resolve("train.csv")));
        String[] row = rows.get(1).split(",");
        row[2] = Integer.toString(Integer.parseInt(row[2]) % 5 + 1);
        rows.set(1, String.join(",", row));
        Files.write(tmp.resolve("train.csv"), rows);
        String changed = resume(config, output, checkpoint);
        // before: "nothing to resume", and yesterday's model stayed
        assertTrue(changed.contains(output + " holds this experiment's model, trained on other data: training\n"
                + "no checkpoint at " + checkpoint + ": starting from epoch 1\n"), changed);
        assertTrue(changed.contains("epoch 1/1"), changed);
        assertFalse(changed.contains("nothing to resume"), changed);
        assertFalse(fingerprint.equals(fingerprint(output)), "the model of the new data");
        assertFalse(Arrays.equals(parameters, Files.readAllBytes(output.resolve(ModelStore.PARAMETERS))));
        assertFalse(Files.exists(checkpoint));

        String again = resume(config, output, checkpoint);
        assertTrue(again.contains("nothing to resume: " + output + " holds this experiment's finished model\n"), again);

        // the model as an earlier release recorded it, without a setting added since (at its default): the same experiment
        Path recorded = output.resolve(ModelStore.EXPERIMENT);
        String text = Files.readString(recorded);
        assertTrue(text.contains("  weightAverage: 0.0\n"), text);
        Dist.withoutChecksums(output);
        Files.writeString(recorded, text.replace("  weightAverage: 0.0\n", ""));
        String earlier = resume(config, output, checkpoint);
        assertTrue(earlier.contains("nothing to resume: " + output + " holds this experiment's finished model\n"), earlier);
        // with a setting this release does not know: another experiment's model, which training replaces
        Files.writeString(recorded, text.replace("  weightAverage: 0.0\n", "  laterSetting: 1\n"));
        String later = resume(config, output, checkpoint);
        assertFalse(later.contains("nothing to resume"), later);
        assertTrue(later.contains("epoch 1/1"), later);

        // the model as a release before declared history scales wrote it: its item history reads as
        // stored, where this release rescales a training row's: trained again, not read back
        Path manifest = output.resolve(ModelStore.MANIFEST);
        String declared = Files.readString(manifest);
        assertTrue(declared.contains("\"historyScale\" : \"ROOT\""), declared);
        Dist.withoutManifestChecksum(output);
        Files.writeString(manifest, declared.replace("\"historyScale\" : \"ROOT\"", "\"historyScale\" : null"));
        String undeclared = resume(config, output, checkpoint);
        assertTrue(undeclared.contains(output + " holds this experiment's model, reading its histories otherwise (a model of an"
                + " earlier release): training\n"), undeclared);
        assertTrue(undeclared.contains("epoch 1/1"), undeclared);
    }

    /** A teacher saved by a run stopped after it, then rerun with --resume on the next day's data, is trained again. */
    @Test
    void aTeacherSavedOnOtherDataIsTrainedAgain() throws Exception {
        FilesEndToEndTest.writeData(tmp);
        Path config = write("taught.yaml", FilesEndToEndTest.CONFIG.replace("epochs: 8", "epochs: 1")
                .replace("training: {", "training: {distillation: {teachers: 2, tasks: [rating]}, "));
        Path checkpoint = tmp.resolve("taught.checkpoint");
        // stopped after the first teacher (a limit of zero): it is saved beside the checkpoint, which does not exist yet
        TrainingSuspendedException e = assertThrows(TrainingSuspendedException.class, () -> taskweave.train(config, tmp.resolve("t"),
                quiet(), new Checkpointing(checkpoint, false, Duration.ZERO)));
        assertEquals("teacher 1 of 2 (training.distillation)", e.stoppedAfter());
        // the same data: the teacher is read back
        java.util.List<String> original = Files.readAllLines(tmp.resolve("train.csv"));
        assertThrows(TrainingSuspendedException.class, () -> taskweave.train(config, tmp.resolve("t"), quiet(),
                new Checkpointing(checkpoint, true, Duration.ZERO)));
        // the next day's data: one rating changed; before, the saved teacher was refused as "trained on other data"
        java.util.List<String> rows = new java.util.ArrayList<>(original);
        String[] row = rows.get(1).split(",");
        row[2] = Integer.toString(Integer.parseInt(row[2]) % 5 + 1);
        rows.set(1, String.join(",", row));
        Files.write(tmp.resolve("train.csv"), rows);
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        taskweave.train(config, tmp.resolve("t"), new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8),
                new Checkpointing(checkpoint, true, null));
        String text = log.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("distillation: teacher 1 of 2 saved in " + Taskweave.savedTeachers(checkpoint).resolve("teacher-1")
                + " was trained on other data: training it again"), text);
        assertFalse(text.contains("read back"), text);
    }

    /** @return the log of {@code train --resume} of {@code config} into {@code output}, checkpointing to {@code checkpoint} */
    private static String resume(Path config, Path output, Path checkpoint) {
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        taskweave.train(config, output, new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8),
                new Checkpointing(checkpoint, true, null));
        return log.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String fingerprint(Path model) throws Exception {
        return new ObjectMapper().readTree(model.resolve(ModelStore.MANIFEST).toFile()).get("dataFingerprint").asText();
    }

    @Test
    void theTimeLimitCountsFromTheRunsStart() throws Exception {
        Path config = write("dwa.yaml", CONFIG.formatted("{type: dwa}").replace("epochs: 4", "epochs: 2"));
        Path checkpoint = tmp.resolve("late.checkpoint");
        // a run that started ten minutes ago (reading its data, say) with a limit of ten minutes: its
        // first epoch takes a second, and the run stops after it
        long started = System.nanoTime() - Duration.ofMinutes(10).toNanos();
        TrainingSuspendedException e = assertThrows(TrainingSuspendedException.class, () -> taskweave.train(config, tmp.resolve("m"),
                quiet(), new Checkpointing(checkpoint, false, Duration.ofMinutes(10), started)));
        // before: the limit counted from the training loop's start, and the run trained both epochs
        assertEquals(1, e.epoch());
        // a limit not yet reached: the run goes on to the end
        TrainingResult rest = taskweave.train(config, tmp.resolve("m"), quiet(), new Checkpointing(checkpoint, true, Duration.ofMinutes(10)));
        assertEquals(2, rest.history().size());
    }

    @Test
    void aKilledCheckpointWriteLeavesNothingOnceTheRunEnds() throws Exception {
        Path config = write("dwa.yaml", CONFIG.formatted("{type: dwa}").replace("epochs: 4", "epochs: 2"));
        Path checkpoint = tmp.resolve("run.checkpoint");
        assertThrows(TrainingSuspendedException.class,
                () -> taskweave.train(config, tmp.resolve("m"), quiet(), new Checkpointing(checkpoint, false, Duration.ZERO)));
        // what a run killed while writing its next checkpoint leaves: a temporary file as large as the checkpoint
        Path killed = Files.write(tmp.resolve(".run.checkpoint.tmp-k1ll3d"), Files.readAllBytes(checkpoint));
        TrainingResult result = taskweave.train(config, tmp.resolve("m"), quiet(), new Checkpointing(checkpoint, true, null));
        assertEquals(2, result.history().size());
        // before: it stayed until a later run found it ten minutes old
        assertFalse(Files.exists(killed));
        try (var left = Files.list(tmp)) {
            assertEquals(java.util.List.of(".run.checkpoint.lock"), left.map(p -> p.getFileName().toString())
                    .filter(n -> n.contains("run.checkpoint")).toList());
        }
    }
}
