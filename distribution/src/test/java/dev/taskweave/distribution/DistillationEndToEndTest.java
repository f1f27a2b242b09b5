package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.run.TrainingResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code training.distillation}: a model learns its rating and like tasks from teachers' outputs.
 * With weight 1 it learns from the teachers alone, so it must score pairs much as they do: far
 * closer than the same experiment trained from its labels with the same seed.
 */
class DistillationEndToEndTest extends RuntimeTest {
    static final String CONFIG = FilesEndToEndTest.CONFIG.replace("epochs: 8", "epochs: 4");

    /**
     * Without the category task and its attribute holdout, which the files source draws with the
     * experiment's seed: the data is then the same whatever the seed, as a teacher's must be.
     */
    static final String PLAIN = CONFIG.replace("    attributes: [item_category]\n    attributeHoldout: 0.2\n", "")
            .replace("""
              - name: category
                head: multiclass
                label: item_category
                metrics: [accuracy]
                weight: 2.0
                hideFeatures: [item_id]
                params: {tower: [16]}
            """, "");

    /** @return the experiment with {@code seed} and {@code training.distillation: {distillation}} */
    static String distilled(String config, long seed, String distillation) {
        String marker = "training: {";
        assertTrue(config.contains(marker) && config.contains("seed: 4\n"), config);
        return config.replace("seed: 4\n", "seed: " + seed + "\n").replace(marker, "training: {distillation: " + distillation + ", ");
    }

    @Test
    void aModelLearnsTheTeachersScoresFromTheirOutputs() throws Exception {
        assertTrue(!PLAIN.contains("item_category") && !PLAIN.contains("attributeHoldout"), PLAIN);
        FilesEndToEndTest.writeData(tmp);
        Path teacher = tmp.resolve("teacher");
        taskweave.train(write("teacher.yaml", PLAIN), teacher, quiet());
        String fresh = PLAIN.replace("seed: 4\n", "seed: 9\n");
        taskweave.train(write("fresh.yaml", fresh), tmp.resolve("fresh"), quiet());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        taskweave.train(write("student.yaml", distilled(PLAIN, 9, "{models: [teacher], weight: 1.0, tasks: [rating, like]}")),
                tmp.resolve("student"), new PrintStream(log, true, StandardCharsets.UTF_8));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("distillation: teacher 1 of 1 is " + teacher), log.toString());

        writePairs();
        List<double[]> t = scores(teacher);
        List<double[]> s = scores(tmp.resolve("student"));
        List<double[]> f = scores(tmp.resolve("fresh"));
        for (int task = 0; task < 2; task++) {
            double student = meanGap(t, s, task);
            double alone = meanGap(t, f, task);
            assertTrue(student < 0.5 * alone, "task " + task + ": the student scores as its teacher (mean gap " + student
                    + ") far more closely than a model trained from the labels (" + alone + ")");
        }
        // the watch task is not distilled: the student is no closer to the teacher there than the fresh model is
        assertTrue(meanGap(t, s, 2) > 0.5 * meanGap(t, f, 2), meanGap(t, s, 2) + " against " + meanGap(t, f, 2));
    }

    @Test
    void teachersAreThisExperimentTrainedFirstWithSeedsOfTheirOwn() throws Exception {
        FilesEndToEndTest.writeData(tmp);
        String base = PLAIN.replace("epochs: 4", "epochs: 2");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path trained = tmp.resolve("trained");
        TrainingResult result = taskweave.train(write("student.yaml", distilled(base, 4, "{teachers: 2, tasks: [rating, like]}")),
                trained, new PrintStream(log, true, StandardCharsets.UTF_8));
        String printed = log.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("distillation: rating, like learn from 2 teacher(s) trained first (this experiment with seeds"
                + " 401-402), weight 0.5"), printed);
        assertTrue(printed.contains("distillation: training teacher 1 of 2 (seed 401)"), printed);
        assertTrue(printed.contains("distillation: training teacher 2 of 2 (seed 402)"), printed);
        assertEquals(2, printed.lines().filter(l -> l.startsWith("distillation: teacher ") && l.contains(" trained in ")).count(), printed);
        // the teachers' time is part of the model's
        double studentEpochs = result.history().stream().mapToDouble(e -> e.seconds()).sum();
        double teachers = printed.lines().filter(l -> l.startsWith("distillation: teacher ") && l.contains(" trained in "))
                .mapToDouble(l -> Double.parseDouble(l.replaceAll(".* trained in ([0-9.]+) s.*", "$1"))).sum();
        assertTrue(teachers > 0 && result.trainSeconds() > studentEpochs + teachers - 0.2,
                result.trainSeconds() + " against the student's epochs " + studentEpochs + " and the teachers' " + teachers);

        // teacher k is the experiment with seed 100·seed + k, trained on the same data: the same
        // experiment trained alone with seeds 401 and 402 and given as models teaches the very same model
        taskweave.train(write("seed401.yaml", base.replace("seed: 4\n", "seed: 401\n")), tmp.resolve("seed401"), quiet());
        taskweave.train(write("seed402.yaml", base.replace("seed: 4\n", "seed: 402\n")), tmp.resolve("seed402"), quiet());
        Path given = tmp.resolve("given");
        taskweave.train(write("given.yaml", distilled(base, 4, "{models: [seed401, seed402], tasks: [rating, like]}")), given, quiet());
        List<double[]> a = assertSameScores(trained, given);
        // and it is not the model trained without them
        taskweave.train(write("plain.yaml", base), tmp.resolve("plain"), quiet());
        assertTrue(meanGap(a, scores(tmp.resolve("plain")), 0) > 1e-3);
    }

    /**
     * With a checkpoint, each teacher is saved once trained: a run stopped by the time limit while
     * training teachers goes on with the next one, reading back those it has, and ends as the
     * uninterrupted run; the saved teachers are removed with the checkpoint. A checkpoint taken with
     * {@code models:} teachers does not go on with other teachers in their directories.
     */
    @Test
    void aRunStoppedWhileTrainingTeachersGoesOnWithoutTrainingThemAgain() throws Exception {
        FilesEndToEndTest.writeData(tmp);
        String base = PLAIN.replace("epochs: 4", "epochs: 2");
        Path config = write("student.yaml", distilled(base, 4, "{teachers: 2, tasks: [rating, like]}"));
        TrainingResult whole = taskweave.train(config, tmp.resolve("whole"), quiet());

        Path checkpoint = tmp.resolve("run.checkpoint");
        Path saved = dev.taskweave.core.Taskweave.savedTeachers(checkpoint);
        Path output = tmp.resolve("resumed");
        // a time limit of zero stops each run at the first teacher or epoch it ends
        dev.taskweave.core.run.TrainingSuspendedException first = assertThrows(dev.taskweave.core.run.TrainingSuspendedException.class,
                () -> taskweave.train(config, output, quiet(), new dev.taskweave.core.run.Checkpointing(checkpoint, false,
                        java.time.Duration.ZERO)));
        assertEquals("teacher 1 of 2 (training.distillation)", first.stoppedAfter());
        assertTrue(first.getMessage().contains("the teachers trained so far are saved in " + saved), first.getMessage());
        assertTrue(Files.isRegularFile(saved.resolve("teacher-1").resolve("model.json")));
        assertTrue(!Files.exists(checkpoint) && !Files.exists(output));

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        dev.taskweave.core.run.TrainingSuspendedException second = assertThrows(dev.taskweave.core.run.TrainingSuspendedException.class,
                () -> taskweave.train(config, output, new PrintStream(log, true, StandardCharsets.UTF_8),
                        new dev.taskweave.core.run.Checkpointing(checkpoint, true, java.time.Duration.ZERO)));
        String printed = log.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("distillation: teacher 1 of 2 (seed 401) read back from " + saved.resolve("teacher-1")), printed);
        assertTrue(!printed.contains("training teacher 1 of 2") && printed.contains("training teacher 2 of 2 (seed 402)"), printed);
        assertEquals("teacher 2 of 2 (training.distillation)", second.stoppedAfter());

        // both teachers read back; the model's first epoch, then the rest
        dev.taskweave.core.run.TrainingSuspendedException third = assertThrows(dev.taskweave.core.run.TrainingSuspendedException.class,
                () -> taskweave.train(config, output, quiet(), new dev.taskweave.core.run.Checkpointing(checkpoint, true,
                        java.time.Duration.ZERO)));
        assertEquals("epoch 1 of 2", third.stoppedAfter());
        TrainingResult resumed = taskweave.train(config, output, quiet(), new dev.taskweave.core.run.Checkpointing(checkpoint, true, null));
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertEquals(json.valueToTree(whole.metrics()), json.valueToTree(resumed.metrics()));
        org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(tmp.resolve("whole").resolve(dev.taskweave.core.store.ModelStore.PARAMETERS)),
                Files.readAllBytes(output.resolve(dev.taskweave.core.store.ModelStore.PARAMETERS)), "the saved weights");
        assertTrue(!Files.exists(checkpoint) && !Files.exists(saved), "the checkpoint and the saved teachers are removed");
        try (var beside = Files.list(checkpoint.getParent())) {
            assertTrue(beside.noneMatch(p -> p.getFileName().toString().contains(".trash-")), "nothing of the removal is left");
        }

        // a run killed while its saved teachers were deleted (by a release that deleted them in place): a teacher left
        // whole and an empty one; the same command with --resume finds the model finished and removes them
        Files.createDirectories(saved.resolve("teacher-2"));
        Files.createDirectories(saved.resolve("teacher-1"));
        Files.writeString(saved.resolve("teacher-1").resolve("model.json"), "{}");
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        taskweave.train(config, output, new PrintStream(again, true, StandardCharsets.UTF_8),
                new dev.taskweave.core.run.Checkpointing(checkpoint, true, null));
        assertTrue(again.toString(StandardCharsets.UTF_8).contains("nothing to resume"), again.toString(StandardCharsets.UTF_8));
        assertTrue(!Files.exists(saved), "the leftover teachers are removed");
        // on the next day's data, an empty teacher directory is no saved teacher: the run trains it
        Files.createDirectories(saved.resolve("teacher-1"));
        dev.taskweave.core.run.TrainingSuspendedException nextDay = assertThrows(dev.taskweave.core.run.TrainingSuspendedException.class,
                () -> taskweave.train(config, tmp.resolve("next-day"), quiet(), new dev.taskweave.core.run.Checkpointing(checkpoint,
                        true, java.time.Duration.ZERO)));
        assertEquals("teacher 1 of 2 (training.distillation)", nextDay.stoppedAfter());
        assertTrue(Files.isRegularFile(saved.resolve("teacher-1").resolve("model.json")));
        // without --resume, the teachers that run saved are not trained over without a word: the run is refused before
        // anything trains, as with a checkpoint
        dev.taskweave.core.run.CheckpointException notResumed = assertThrows(dev.taskweave.core.run.CheckpointException.class,
                () -> taskweave.train(config, tmp.resolve("next-day"), quiet(), new dev.taskweave.core.run.Checkpointing(checkpoint,
                        false, null)));
        assertEquals("--checkpoint: " + saved + " holds the distillation teachers of an interrupted run: pass --resume to continue"
                + " it (they are read back, not trained again), or delete it", notResumed.getMessage());
        assertTrue(Files.isRegularFile(saved.resolve("teacher-1").resolve("model.json")), "kept");
        dev.taskweave.core.store.AtomicDirectory.delete(saved);

        // models: a teacher replaced between the stop and the resume is found
        taskweave.train(write("seed401.yaml", base.replace("seed: 4\n", "seed: 401\n")), tmp.resolve("t"), quiet());
        Path given = write("given.yaml", distilled(base, 4, "{models: [t], tasks: [rating, like]}"));
        assertThrows(dev.taskweave.core.run.TrainingSuspendedException.class, () -> taskweave.train(given, tmp.resolve("g"), quiet(),
                new dev.taskweave.core.run.Checkpointing(checkpoint, false, java.time.Duration.ZERO)));
        taskweave.train(write("seed402.yaml", base.replace("seed: 4\n", "seed: 402\n")), tmp.resolve("t"), quiet());
        dev.taskweave.core.run.CheckpointException other = assertThrows(dev.taskweave.core.run.CheckpointException.class,
                () -> taskweave.train(given, tmp.resolve("g"), quiet(), new dev.taskweave.core.run.Checkpointing(checkpoint, true, null)));
        assertTrue(other.getMessage().startsWith(checkpoint + " was written by another experiment"), other.getMessage());
    }

    /**
     * A checkpoint of another experiment is refused once the data is read, before any teacher
     * trains (before: after all of them, which may take hours), and the advice names the teachers
     * saved beside it, which go with it.
     */
    @Test
    void aForeignCheckpointIsRefusedBeforeTheTeachersTrain() throws Exception {
        FilesEndToEndTest.writeData(tmp);
        String base = PLAIN.replace("epochs: 4", "epochs: 2");
        Path checkpoint = tmp.resolve("run.checkpoint");
        // another experiment's checkpoint at that path: the plain one, stopped after its first epoch
        assertThrows(dev.taskweave.core.run.TrainingSuspendedException.class, () -> taskweave.train(write("plain.yaml", base),
                tmp.resolve("plain"), quiet(), new dev.taskweave.core.run.Checkpointing(checkpoint, false, java.time.Duration.ZERO)));
        Path config = write("student.yaml", distilled(base, 4, "{teachers: 2, tasks: [rating, like]}"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        dev.taskweave.core.run.CheckpointException e = assertThrows(dev.taskweave.core.run.CheckpointException.class,
                () -> taskweave.train(config, tmp.resolve("student"), new PrintStream(log, true, StandardCharsets.UTF_8),
                        new dev.taskweave.core.run.Checkpointing(checkpoint, true, null)));
        String printed = log.toString(StandardCharsets.UTF_8);
        assertTrue(e.getMessage().startsWith(checkpoint + " was written by another experiment"), e.getMessage());
        assertTrue(e.getMessage().endsWith("or delete it to train from the start"), e.getMessage());
        assertTrue(!printed.contains("distillation:") && !printed.contains("epoch 1/"), "nothing trained: " + printed);
        assertTrue(!Files.exists(dev.taskweave.core.Taskweave.savedTeachers(checkpoint)), "no teacher was trained and saved");

        // teachers saved beside it (by the run that wrote it, say) are named with it
        Path saved = Files.createDirectories(dev.taskweave.core.Taskweave.savedTeachers(checkpoint).resolve("teacher-1"));
        dev.taskweave.core.run.CheckpointException named = assertThrows(dev.taskweave.core.run.CheckpointException.class,
                () -> taskweave.train(config, tmp.resolve("student"), quiet(), new dev.taskweave.core.run.Checkpointing(checkpoint, true,
                        null)));
        assertTrue(named.getMessage().endsWith("or delete it and the teachers saved beside it in " + saved.getParent()
                + "/ to train from the start"), named.getMessage());
    }

    /**
     * {@code teacher}: the teachers of {@code teachers: n} are this experiment with other fields (an
     * MMoE teaching this shared-bottom model): the very model that the same MMoE trained alone with
     * seed 401 and given as {@code models} teaches. Fields a teacher cannot change are refused,
     * and so is a teachers' experiment that would not run, before the data is read.
     */
    @Test
    void teachersMayBeAnotherExperiment() throws Exception {
        FilesEndToEndTest.writeData(tmp);
        String base = PLAIN.replace("epochs: 4", "epochs: 2");
        String mmoe = "{type: mmoe, params: {experts: 3, expertLayers: [16]}}";
        assertTrue(base.contains("sharing: {type: shared-bottom, params: {layers: [32]}}"), base);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path trained = tmp.resolve("trained");
        taskweave.train(write("student.yaml", distilled(base, 4, "{teachers: 1, tasks: [rating, like], teacher: {sharing: " + mmoe
                + ", optimizer: {learningRate: 0.02}}}")), trained, new PrintStream(log, true, StandardCharsets.UTF_8));
        String printed = log.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("distillation: rating, like learn from 1 teacher(s) trained first (this experiment with seed 401,"
                + " its sharing, optimizer as training.distillation.teacher sets), weight 0.5"), printed);

        String teacher = base.replace("seed: 4\n", "seed: 401\n").replace("sharing: {type: shared-bottom, params: {layers: [32]}}",
                "sharing: " + mmoe).replace("optimizer: {learningRate: 0.01}", "optimizer: {learningRate: 0.02}");
        taskweave.train(write("mmoe401.yaml", teacher), tmp.resolve("mmoe401"), quiet());
        Path given = tmp.resolve("given");
        taskweave.train(write("given.yaml", distilled(base, 4, "{models: [mmoe401], tasks: [rating, like]}")), given, quiet());
        assertSameScores(trained, given);

        assertConfigError(distilled(base, 4, "{models: [mmoe401], teacher: {sharing: " + mmoe + "}}"), "training.distillation.teacher",
                "changes the teachers that teachers: n trains");
        assertConfigError(distilled(base, 4, "{teachers: 1, teacher: {features: {embeddingDim: 4}}}"),
                "training.distillation.teacher.features", "keeps its data, features and tasks");
        assertConfigError(distilled(base, 4, "{teachers: 1, teacher: {training: {distillation: {teachers: 1}}}}"),
                "training.distillation.teacher.training.distillation", "not from teachers of its own");
        assertConfigError(distilled(base, 4, "{teachers: 1, teacher: {sharing: {type: moe}}}"), "training.distillation.teacher",
                "the teachers' experiment it makes is refused: sharing.type: unknown sharing strategy type 'moe'");
        assertConfigError(distilled(base, 4, "{teachers: 1, teacher: {optimizer: {learningRate: -1}}}"), "training.distillation.teacher",
                "optimizer.learningRate");
    }

    /**
     * A multiclass task (the items' category) distilled with weight 1 learns the class
     * probabilities of its teacher (this experiment trained first, on the same data and holdout):
     * the student's are far closer to the teacher's than those of the same experiment trained from
     * the labels with the same seed. Summed over three seeds: four epochs of these small models
     * leave one seed's ratio anywhere between 0.2 and 0.9 (seeds 4, 5, 6: 0.59, 0.88, 0.16; 0.23,
     * 0.30, 0.87 before a training row's history was rescaled without its own interaction).
     */
    @Test
    void aClassTaskLearnsItsTeachersClassProbabilities() throws Exception {
        FilesEndToEndTest.writeData(tmp);
        double studentGap = 0;
        double freshGap = 0;
        for (long seed : new long[] {4, 5, 6}) {
            Path student = tmp.resolve("student-" + seed);
            Path config = write("student-" + seed + ".yaml", distilled(CONFIG, seed, "{teachers: 1, weight: 1.0, tasks: [category]}"));
            // stopped once its teacher is trained, to keep a copy of the teacher (the run removes it when done)
            Path checkpoint = tmp.resolve("run-" + seed + ".checkpoint");
            assertThrows(dev.taskweave.core.run.TrainingSuspendedException.class, () -> taskweave.train(config, student, quiet(),
                    new dev.taskweave.core.run.Checkpointing(checkpoint, false, java.time.Duration.ZERO)));
            Path teacher = tmp.resolve("teacher-" + seed);
            Path saved = dev.taskweave.core.Taskweave.savedTeachers(checkpoint).resolve("teacher-1");
            try (java.util.stream.Stream<Path> files = Files.walk(saved)) {
                for (Path file : files.toList()) {
                    Files.copy(file, teacher.resolve(saved.relativize(file).toString()));
                }
            }
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            taskweave.train(config, student, new PrintStream(log, true, StandardCharsets.UTF_8),
                    new dev.taskweave.core.run.Checkpointing(checkpoint, true, null));
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("distillation: category learn from 1 teacher(s)"), log.toString());
            Path fresh = tmp.resolve("fresh-" + seed);
            taskweave.train(write("fresh-" + seed + ".yaml", CONFIG.replace("seed: 4\n", "seed: " + seed + "\n")), fresh, quiet());
            double[][] t = categories(teacher);
            double[][] s = categories(student);
            double[][] f = categories(fresh);
            for (int i = 0; i < t.length; i++) {
                for (int c = 0; c < t[i].length; c++) {
                    studentGap += Math.abs(t[i][c] - s[i][c]);
                    freshGap += Math.abs(t[i][c] - f[i][c]);
                }
            }
        }
        assertTrue(studentGap < 0.75 * freshGap, "the students' class probabilities (gap " + studentGap
                + ") are far closer to their teachers' than models trained from the labels (" + freshGap + ")");
    }

    /** @return per item of the model's table, the category task's class probabilities (an attribute task's rows: no user) */
    private double[][] categories(Path model) {
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            dev.taskweave.core.store.ModelStore.LoadedModel loaded = taskweave.injector()
                    .getInstance(dev.taskweave.core.store.ModelStore.class).load(model, manager);
            dev.taskweave.core.run.AssembledModel m = loaded.model();
            int task = m.task("category").index();
            int items = loaded.items().size();
            int[] users = new int[items];
            java.util.Arrays.fill(users, -1);
            int[] all = java.util.stream.IntStream.range(0, items).toArray();
            dev.taskweave.core.data.FeatureGatherer gatherer = new dev.taskweave.core.data.FeatureGatherer(m.features(),
                    loaded.users(), loaded.items(), dev.taskweave.core.run.ModelAssembler.attributeLabelFeatures(m.plan().config(),
                    m.features())).withNeighbours(loaded.neighbours());
            ai.djl.ndarray.NDList inputs = gatherer.gather(manager, users, all, null, 0, items, 0, null);
            ai.djl.ndarray.NDArray out = m.block().forward(new ai.djl.training.ParameterStore(manager, false), inputs, false).get(task);
            float[] p = m.tasks().get(task).head().scores(out).toFloatArray();
            int classes = p.length / items;
            double[][] rows = new double[items][classes];
            for (int i = 0; i < items; i++) {
                for (int c = 0; c < classes; c++) {
                    rows[i][c] = p[i * classes + c];
                }
            }
            return rows;
        }
    }

    @Test
    void badSettingsAreRefusedBeforeTraining() throws Exception {
        FilesEndToEndTest.writeData(tmp);
        assertConfigError(distilled(CONFIG, 4, "{weight: 0.5}"), "training.distillation", "give teachers (how many copies");
        assertConfigError(distilled(CONFIG, 4, "{teachers: 2, models: [a]}"), "training.distillation", "give teachers or models, not both");
        assertConfigError(distilled(CONFIG, 4, "{teachers: 0}"), "training.distillation.teachers", "must be between 1 and 99, got 0");
        assertConfigError(distilled(CONFIG, 4, "{teachers: 1}").replace("seed: 4\n", "seed: 92233720368547758\n"), "seed",
                "is too large for distillation's teachers");
        assertConfigError(distilled(CONFIG, 4, "{teachers: 1, weight: 0}"), "training.distillation.weight", "must be in (0, 1]");
        assertConfigError(distilled(CONFIG, 4, "{teachers: 1, weight: 1.5}"), "training.distillation.weight", "got 1.5");
        assertConfigError(distilled(CONFIG, 4, "{teachers: 1, tasks: [rating, clicks]}"), "training.distillation.tasks[1]",
                "no task named 'clicks'; the tasks are [rating, like, watch, category]");
        assertConfigError(distilled(CONFIG, 4, "{teachers: 1, tasks: [rating, rating]}"), "training.distillation.tasks[1]",
                "'rating' is listed twice");
        // a pairwise head has no target of its own to learn
        String bpr = CONFIG.replace("{name: watch, head: binary, label: observed, metrics: [auc], params: {tower: [16], negatives: 1}}",
                "{name: watch, head: bpr, label: observed, params: {tower: [16]}}");
        assertTrue(bpr.contains("head: bpr"), bpr);
        assertConfigError(distilled(bpr, 4, "{teachers: 1, tasks: [watch]}"), "training.distillation.tasks[0]",
                "task 'watch' has head 'bpr', which cannot learn from a teacher's outputs");
        assertConfigError(distilled(CONFIG, 4, "{models: [no-such-model]}"), "training.distillation.models[0]",
                "no-such-model is not a model directory");
        // check finds them too
        Path config = write("check.yaml", distilled(bpr, 4, "{teachers: 1, tasks: [watch]}"));
        ConfigException e = assertThrows(ConfigException.class, () -> taskweave.check(config, quiet()));
        assertTrue(e.getMessage().contains("training.distillation.tasks[0]"), e.getMessage());
    }

    @Test
    void aTeacherMustReadTheSameInputsAndPredictTheTask() throws Exception {
        FilesEndToEndTest.writeData(tmp);
        // other features: the users' age left out
        taskweave.train(write("narrow.yaml", PLAIN.replace("features: {", "features: {exclude: [user_age], ")), tmp.resolve("narrow"),
                quiet());
        assertConfigError(distilled(PLAIN, 5, "{models: [narrow]}"), "training.distillation.models[0]", "reads other features");
        // check reads the teachers as train does
        Path narrow = write("narrow-student.yaml", distilled(PLAIN, 5, "{models: [narrow]}"));
        ConfigException checked = assertThrows(ConfigException.class, () -> taskweave.check(narrow, quiet()));
        assertTrue(checked.getMessage().contains("training.distillation.models[0]") && checked.getMessage().contains("reads other features"),
                checked.getMessage());
        // no like task
        String ratingOnly = PLAIN.replace("  - {name: like, head: binary, label: rating, metrics: [auc], params: {tower: [16], threshold: 4}}\n", "");
        assertTrue(!ratingOnly.contains("name: like"), ratingOnly);
        taskweave.train(write("rating-only.yaml", ratingOnly), tmp.resolve("rating-only"), quiet());
        assertConfigError(distilled(PLAIN, 5, "{models: [rating-only], tasks: [rating, like]}"), "training.distillation.models[0]",
                "has no task 'like' to learn it from; its tasks: [rating, watch]");
        // other data: one rating less
        List<String> rows = new ArrayList<>(Files.readAllLines(tmp.resolve("train.csv")));
        rows.remove(rows.size() - 1);
        Files.createDirectories(tmp.resolve("other"));
        Files.write(tmp.resolve("other/train.csv"), rows);
        for (String f : new String[] {"valid.csv", "test.csv", "users.tsv", "items.csv"}) {
            Files.copy(tmp.resolve(f), tmp.resolve("other").resolve(f));
        }
        Path other = tmp.resolve("other/experiment.yaml");
        Files.writeString(other, PLAIN);
        taskweave.train(other, tmp.resolve("other-model"), quiet());
        assertConfigError(distilled(PLAIN, 5, "{models: [other-model], tasks: [rating]}"), "training.distillation.models[0]",
                "was trained on other data");
    }

    /** Every third training pair: what the teachers' outputs were learnt on. */
    /** @return the scores of {@code a}'s model on the test pairs, which {@code b}'s must equal digit for digit */
    private List<double[]> assertSameScores(Path a, Path b) throws Exception {
        writePairs();
        List<double[]> first = scores(a);
        List<double[]> second = scores(b);
        for (int p = 0; p < first.size(); p++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(first.get(p), second.get(p), "pair " + p);
        }
        return first;
    }

    private void writePairs() throws Exception {
        StringBuilder pairs = new StringBuilder();
        List<String> rows = Files.readAllLines(tmp.resolve("train.csv"));
        for (int r = 1; r < rows.size(); r += 3) {
            String[] f = rows.get(r).split(",");
            pairs.append(f[0]).append('\t').append(f[1]).append('\n');
        }
        Files.writeString(tmp.resolve("pairs.tsv"), pairs);
    }

    private static double meanGap(List<double[]> a, List<double[]> b, int task) {
        double sum = 0;
        for (int p = 0; p < a.size(); p++) {
            sum += Math.abs(a.get(p)[task] - b.get(p)[task]);
        }
        return sum / a.size();
    }
}
