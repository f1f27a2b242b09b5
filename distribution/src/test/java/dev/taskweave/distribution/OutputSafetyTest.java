package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.core.cli.TaskweaveCli;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.store.ModelStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What train, predict and recommend write and read on the command line: nothing that is not
 * Taskweave's is overwritten or deleted, a bad output is found before training, a killed
 * replacement is recoverable, and unreadable inputs are bad input naming the path.
 */
class OutputSafetyTest {
    static final String CONFIG = """
            seed: 3
            data: {type: synthetic, params: {users: 60, items: 30, meanInteractionsPerUser: 8}}
            features: {embeddingDim: 4}
            tasks:
              - {name: rating, head: regression, label: rating, metrics: [rmse], params: {tower: [4]}}
              - {name: like, head: binary, label: rating, metrics: [auc], params: {tower: [4], threshold: 4.0}}
            sharing: {type: shared-bottom, params: {layers: [8]}}
            weighting: {type: equal}
            training: {batchSize: 128, epochs: 1, progressBar: false}
            """;

    @TempDir
    static Path shared;

    static Path config;
    static Path model;

    @TempDir
    Path tmp;

    @BeforeAll
    static void trainOnce() throws Exception {
        config = Files.writeString(shared.resolve("small.yaml"), CONFIG);
        model = shared.resolve("model");
        CliTest.Run r = CliTest.run("train", "--config", config.toString(), "--output", model.toString());
        assertEquals(0, r.code(), r.err());
    }

    private static void assertBadInput(CliTest.Run r, String expected) {
        assertEquals(TaskweaveCli.BAD_INPUT, r.code(), r.err());
        assertEquals("taskweave: " + expected, r.err().strip());
    }

    @Test
    void aDirectoryOfOtherFilesIsNeverTheOutput() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path yaml = Files.writeString(project.resolve("experiment.yaml"), CONFIG);
        // before: --output . deleted the current directory, the experiment file included
        CliTest.Run r = CliTest.run("train", "--config", yaml.toString(), "--output", project.toString());
        assertBadInput(r, "--output: " + project + " is a directory of other files, not a Taskweave model (model.json is "
                + "missing); writing the model there would delete them: name a new directory");
        assertFalse(r.out().contains("data:"), "refused before the data is read: " + r.out());
        assertEquals(CONFIG, Files.readString(yaml));

        Path file = Files.writeString(tmp.resolve("notes.txt"), "keep");
        assertBadInput(CliTest.run("train", "--config", yaml.toString(), "--output", file.toString()),
                "--output: " + file + " is a file; expected a model directory to write");
        assertBadInput(CliTest.run("train", "--config", yaml.toString(), "--output", file.resolve("model").toString()),
                "--output: cannot write " + file.resolve("model") + ": " + file + " is not a directory");
        assertEquals("keep", Files.readString(file));

        // a directory whose permissions allow writing but that takes no file (Linux's /proc): found before the data is read
        if (Files.isDirectory(Path.of("/proc/self"))) {
            CliTest.Run proc = CliTest.run("train", "--config", yaml.toString(), "--output", "/proc/nope/model");
            assertEquals(TaskweaveCli.BAD_INPUT, proc.code(), proc.err());
            assertTrue(proc.err().startsWith("taskweave: --output: cannot write /proc/nope/model: "), proc.err());
            assertFalse(proc.out().contains("data:"), "refused before the data is read: " + proc.out());
        }

        // an empty directory and a model directory are written
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(0, CliTest.run("train", "--config", yaml.toString(), "--output", empty.toString()).code());
        assertTrue(Files.isRegularFile(empty.resolve(ModelStore.MANIFEST)));
        CliTest.Run again = CliTest.run("train", "--config", yaml.toString(), "--output", empty.toString());
        assertEquals(0, again.code(), again.err());
    }

    @Test
    void aCheckpointPathIsCheckedBeforeTraining() throws Exception {
        Path out = tmp.resolve("out");
        Path yaml = Files.writeString(tmp.resolve("experiment.yaml"), CONFIG);
        CliTest.Run directory = CliTest.run("train", "--config", config.toString(), "--output", out.toString(), "--checkpoint",
                tmp.toString());
        assertBadInput(directory, "--checkpoint: " + tmp + " is a directory; expected a checkpoint file");
        // before: the YAML file was overwritten by the checkpoint, then deleted with it
        CliTest.Run foreign = CliTest.run("train", "--config", config.toString(), "--output", out.toString(), "--checkpoint",
                yaml.toString());
        assertBadInput(foreign, "--checkpoint: " + yaml + " exists and is not a Taskweave training checkpoint, which training "
                + "would overwrite and then delete; name another file");
        assertEquals(CONFIG, Files.readString(yaml));
        assertFalse(Files.exists(out));
        // the model replaces its directory whole: a checkpoint there (or the directory itself) would go with it
        assertBadInput(CliTest.run("train", "--config", config.toString(), "--output", out.toString(), "--checkpoint",
                out.resolve("run.checkpoint").toString()), "--checkpoint: " + out.resolve("run.checkpoint") + " is in the model's "
                + "directory " + out + ", which the model replaces whole; put the checkpoint beside it");
        assertBadInput(CliTest.run("train", "--config", config.toString(), "--output", out.toString(), "--checkpoint",
                out.toString()), "--checkpoint: " + out + " is the model's directory " + out + ", which the model replaces whole; "
                + "put the checkpoint beside it");
        assertFalse(Files.exists(out));

        Path checkpoint = tmp.resolve("run.checkpoint");
        String[] args = {"train", "--config", config.toString(), "--output", out.toString(), "--checkpoint", checkpoint.toString()};
        Path twoEpochs = Files.writeString(tmp.resolve("two.yaml"), CONFIG.replace("epochs: 1", "epochs: 2"));
        args[2] = twoEpochs.toString();
        String[] stopped = Arrays.copyOf(args, args.length + 2);
        stopped[args.length] = "--max-time";
        stopped[args.length + 1] = "0s";
        assertEquals(TaskweaveCli.SUSPENDED, CliTest.run(stopped).code());
        byte[] saved = Files.readAllBytes(checkpoint);
        assertBadInput(CliTest.run(args), "--checkpoint: " + checkpoint + " holds the checkpoint of an interrupted run: pass "
                + "--resume to continue it, or delete it");
        assertTrue(Arrays.equals(saved, Files.readAllBytes(checkpoint)), "the interrupted run's checkpoint is kept");
    }

    @Test
    void resumingARunStoppedBeforeItsFirstCheckpointStartsIt() throws Exception {
        Path checkpoint = tmp.resolve("never.checkpoint");
        Path out = tmp.resolve("out");
        CliTest.Run r = CliTest.run("train", "--config", config.toString(), "--output", out.toString(), "--checkpoint",
                checkpoint.toString(), "--resume");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("no checkpoint at " + checkpoint + ": starting from epoch 1\n"), r.out());
        // before: trained 1 epochs
        assertTrue(r.out().contains("\ntrained 1 epoch (best 1) in "), r.out());
        assertTrue(Files.isRegularFile(out.resolve(ModelStore.PARAMETERS)));
        assertFalse(Files.exists(checkpoint));
        // the same command once more (a scheduler after the run finished): the model is there, nothing is trained
        byte[] parameters = Files.readAllBytes(out.resolve(ModelStore.PARAMETERS));
        long written = Files.getLastModifiedTime(out.resolve(ModelStore.PARAMETERS)).toMillis();
        CliTest.Run again = CliTest.run("train", "--config", config.toString(), "--output", out.toString(), "--checkpoint",
                checkpoint.toString(), "--resume");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("nothing to resume: " + out + " holds this experiment's finished model\n"), again.out());
        // before: trained 1 epochs (best 1) in 0.9 s; model and metrics in ..., as if it had trained again
        assertTrue(again.out().contains("\nmodel and metrics in " + out + " unchanged (trained before: 1 epoch, best 1)\n"), again.out());
        assertFalse(again.out().contains("trained 1 epoch"), again.out());
        assertTrue(Arrays.equals(parameters, Files.readAllBytes(out.resolve(ModelStore.PARAMETERS))));
        assertEquals(written, Files.getLastModifiedTime(out.resolve(ModelStore.PARAMETERS)).toMillis());
    }

    @Test
    void aNegativeTimeLimitIsBadInput() {
        assertBadInput(CliTest.run("train", "--config", config.toString(), "--output", tmp.resolve("o").toString(), "--checkpoint",
                tmp.resolve("c").toString(), "--max-time", "PT-5S"),
                "Invalid value for option '--max-time': expected a duration that is not negative, got 'PT-5S' (see --help)");
        // too long to mean anything (it overflowed after the first epoch): refused before anything trains
        for (String limit : new String[] {"3000000h", "99999999999999999999h", "PT2562048H"}) {
            assertBadInput(CliTest.run("train", "--config", config.toString(), "--output", tmp.resolve("o").toString(), "--checkpoint",
                    tmp.resolve("c").toString(), "--max-time", limit),
                    "Invalid value for option '--max-time': expected a duration of at most 10000 days, got '" + limit + "' (see --help)");
        }
        assertTrue(!Files.exists(tmp.resolve("c")), "no checkpoint left behind");
    }

    @Test
    void aDirectoryGivenAsTheConfigIsSaidToBeOne() {
        assertBadInput(CliTest.run("train", "--config", tmp.toString(), "--output", tmp.resolve("o").toString()),
                tmp + ": is a directory; expected the experiment YAML file");
        assertBadInput(CliTest.run("check", "--config", tmp.toString()), tmp + ": is a directory; expected the experiment YAML file");
        // a device is no missing file
        assertBadInput(CliTest.run("check", "--config", "/dev/null"),
                "/dev/null: is not a regular file; expected the experiment YAML file");
        assertBadInput(CliTest.run("check", "--config", tmp.resolve("none.yaml").toString()), tmp.resolve("none.yaml") + ": file not found");
    }

    @Test
    void verboseWorksAfterTheCommandToo() {
        CliTest.Run r = CliTest.run("check", "--config", tmp.resolve("missing.yaml").toString(), "--verbose");
        assertEquals(TaskweaveCli.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("taskweave: " + tmp.resolve("missing.yaml") + ": file not found\n"), r.err());
        assertTrue(r.err().contains("at dev.taskweave.core.cli.TaskweaveCli"), "the stack trace is printed: " + r.err());
        for (String command : new String[] {"train", "check", "evaluate", "predict", "benchmark", "tune", "serve", "recommend"}) {
            CliTest.Run help = CliTest.run(command, "--help");
            assertTrue(help.out().contains("--verbose"), command + ": " + help.out());
        }
    }

    @Test
    void predictReadsAHeaderAfterBlankLinesAndAByteOrderMark() throws Exception {
        ModelStore.Description d = describe();
        String user = d.users().rawIds().get(0);
        String item = d.items().rawIds().get(1);
        Path input = Files.writeString(tmp.resolve("pairs.tsv"), "\uFEFF\n\nuser\titem\n" + user + "\t" + item + "\n");
        CliTest.Run r = CliTest.run("predict", "--model", model.toString(), "--input", input.toString(), "--tasks", "like,like");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("user\titem\tlike", lines.get(0), "a task named twice is written once");
        assertEquals(2, lines.size(), r.out());
        assertTrue(lines.get(1).startsWith(user + "\t" + item + "\t"), r.out());

        Path bom = Files.writeString(tmp.resolve("bom.tsv"), "\uFEFFuser\titem\n" + user + "\t" + item + "\n");
        CliTest.Run withBom = CliTest.run("predict", "--model", model.toString(), "--input", bom.toString());
        assertEquals(0, withBom.code(), withBom.err());
        assertEquals(2, withBom.out().lines().count(), withBom.out());
        // a line of tabs is a row with empty fields, an error, not a blank line skipped
        Path tabs = Files.writeString(tmp.resolve("tabs.tsv"), user + "\t" + item + "\n\t\n");
        CliTest.Run tabbed = CliTest.run("predict", "--model", model.toString(), "--input", tabs.toString());
        assertEquals(TaskweaveCli.BAD_INPUT, tabbed.code(), tabbed.err());
        assertTrue(tabbed.err().startsWith("taskweave: " + tabs + ":2: unknown user ''"), tabbed.err());
    }

    @Test
    void directoriesWhereFilesBelongAreBadInput() throws Exception {
        assertBadInput(CliTest.run("predict", "--model", model.toString(), "--input", tmp.toString()),
                tmp + ": is a directory; expected a TSV file of user and item ids");
        Path pairs = Files.writeString(tmp.resolve("pairs.tsv"), describe().users().rawIds().get(0) + "\t"
                + describe().items().rawIds().get(0) + "\n");
        Path out = Files.createDirectories(tmp.resolve("out"));
        assertBadInput(CliTest.run("predict", "--model", model.toString(), "--input", pairs.toString(), "--output", out.toString()),
                out + ": is a directory; expected a file to write");
        assertBadInput(CliTest.run("recommend", "--model", model.toString(), "--output", out.toString(), "--k", "2"),
                out + ": is a directory; expected a file to write");
        // evaluate says so before it reads the data and evaluates (before: after, with the metrics printed)
        CliTest.Run evaluate = CliTest.run("evaluate", "--model", model.toString(), "--output", out.toString());
        assertBadInput(evaluate, out + ": is a directory; expected a file to write");
        assertEquals("", evaluate.out(), "nothing was evaluated");
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertBadInput(CliTest.run("evaluate", "--model", model.toString(), "--output", file.resolve("metrics.json").toString()),
                file.resolve("metrics.json") + ": cannot write: " + file + " is not a directory");
    }

    @Test
    void anOutputFileThatIsALinkIsWrittenWhereItPoints() throws Exception {
        Path pairs = Files.writeString(tmp.resolve("pairs.tsv"), "user\titem\n" + firstPair());
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        for (String command : List.of("predict", "recommend", "evaluate")) {
            Path target = Files.writeString(shared.resolve(command + ".out"), "old\n");
            Path link = Files.createSymbolicLink(tmp.resolve(command + ".link"), target);
            CliTest.Run r = switch (command) {
                case "predict" -> CliTest.run("predict", "--model", model.toString(), "--input", pairs.toString(), "--output", link.toString());
                case "recommend" -> CliTest.run("recommend", "--model", model.toString(), "--output", link.toString(), "--k", "2",
                        "--formula", "like");
                default -> CliTest.run("evaluate", "--model", model.toString(), "--output", link.toString());
            };
            assertEquals(0, r.code(), command + ": " + r.err());
            assertTrue(Files.isSymbolicLink(link), command + ": the link stays a link");
            String written = Files.readString(target);
            assertTrue(!written.equals("old\n") && !written.isEmpty(), command + " wrote what the link points to: " + written);
        }
        // an empty file name is refused by the option's name, not read as the working directory
        assertBadInput(CliTest.run("predict", "--model", model.toString(), "--input", pairs.toString(), "--output", ""),
                "Invalid value for option '--output': expected a path, got an empty string (see --help)");
    }

    @Test
    void aModelJsonThatDescribesNoBuildableModelIsBadInput() throws Exception {
        // model.json edited where its checksum is gone (as in models written before it): its features removed
        Path copy = copyOfModel("edited");
        Dist.withoutManifestChecksum(copy);
        Path manifest = copy.resolve(ModelStore.MANIFEST);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(Files.readString(manifest));
        tree.remove("features");
        Files.writeString(manifest, json.writerWithDefaultPrettyPrinter().writeValueAsString(tree));
        Path pairs = Files.writeString(tmp.resolve("pairs.tsv"), "user\titem\n" + firstPair());
        CliTest.Run r = CliTest.run("predict", "--model", copy.toString(), "--input", pairs.toString());
        assertEquals(TaskweaveCli.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("taskweave: " + manifest + ": cannot build the model it describes (")
                && r.err().strip().endsWith("it was changed or damaged since the model was written: copy the model again or retrain it"),
                r.err());
    }

    @Test
    void aTruncatedModelFileIsBadInputNamingIt() throws Exception {
        Path copy = copyOfModel("copy");
        Path file = copy.resolve(ModelStore.PARAMETERS);
        byte[] parameters = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(parameters, parameters.length / 2));
        Path pairs = Files.writeString(tmp.resolve("pairs.tsv"), "u\ti\n");
        assertBadInput(CliTest.run("predict", "--model", copy.toString(), "--input", pairs.toString()),
                file + ": holds " + parameters.length / 2 + " bytes, and model.json recorded " + parameters.length
                        + " when the model was written: the file is truncated (was the model copied whole?)");

        // one flipped bit, which the parameters' own format cannot notice, loaded silently before checksums
        byte[] flipped = parameters.clone();
        flipped[flipped.length / 2] ^= 1;
        Files.write(file, flipped);
        CliTest.Run damaged = CliTest.run("predict", "--model", copy.toString(), "--input", pairs.toString());
        assertEquals(TaskweaveCli.BAD_INPUT, damaged.code(), damaged.err());
        assertTrue(damaged.err().contains(file + ": is damaged: its checksum (CRC-32C "), damaged.err());
        assertTrue(damaged.err().contains("differs from the one model.json recorded when the model was written"), damaged.err());

        // a model of an earlier release, without checksums: its parameters' format still finds the end missing
        Dist.withoutChecksums(copy);
        Files.write(file, Arrays.copyOf(parameters, parameters.length / 2));
        // before: "internal error: UncheckedIOException: cannot read model ...: EOFException", exit 1
        assertBadInput(CliTest.run("predict", "--model", copy.toString(), "--input", pairs.toString()),
                file + ": ends early: the file is truncated (was the model copied whole?)");
        Files.write(file, parameters);
        Path pair = Files.writeString(tmp.resolve("pair.tsv"), "user\titem\n" + firstPair());
        CliTest.Run whole = CliTest.run("predict", "--model", copy.toString(), "--input", pair.toString());
        assertEquals(0, whole.code(), whole.err());
    }

    @Test
    void aModelWhosePluginIsMissingNamesThePluginsThatMadeIt() throws Exception {
        Path partial = Files.createDirectories(tmp.resolve("partial-plugins"));
        try (var jars = Files.list(Dist.plugins())) {
            for (Path jar : jars.toList()) {
                if (!jar.getFileName().toString().contains("heads-basic")) {
                    Files.copy(jar, partial.resolve(jar.getFileName()));
                }
            }
        }
        Path pairs = Files.writeString(tmp.resolve("pairs.tsv"), "user\titem\n" + firstPair());
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = TaskweaveCli.run(new String[] {"--plugins", partial.toString(), "predict", "--model", model.toString(), "--input",
                pairs.toString()}, new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        CliTest.Run r = new CliTest.Run(code, "", err.toString(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(TaskweaveCli.BAD_INPUT, r.code(), r.err());
        // before: "unknown task head type 'regression'; available: [multiclass, multilabel]", no word of the plugin
        assertTrue(r.err().contains("unknown task head type 'regression'"), r.err());
        // the plugin to install first, by name and version, then what the model was made with
        assertTrue(r.err().contains("(not installed here: plugin taskweave-heads-basic 0.1.0-SNAPSHOT; the model was made with "), r.err());
        assertTrue(r.err().contains("head:rating = regression (taskweave-heads-basic ")
                && r.err().endsWith(": install the plugins it names)\n"), r.err());
    }

    @Test
    void everyModelFileIsRecordedWithItsLengthAndChecksum() throws Exception {
        var manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(model.resolve(ModelStore.MANIFEST).toFile());
        var files = manifest.get("files");
        java.util.List<String> names = new java.util.ArrayList<>();
        try (var list = Files.list(model)) {
            for (Path f : list.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.equals(ModelStore.MANIFEST) || name.equals(ModelStore.MANIFEST_CHECKSUM)) {
                    continue;
                }
                names.add(name);
                byte[] bytes = Files.readAllBytes(f);
                java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
                crc.update(bytes);
                assertEquals(bytes.length, files.get(name).get("bytes").asLong(), name);
                assertEquals(String.format("%08x", crc.getValue()), files.get(name).get("crc32c").asText(), name);
            }
        }
        java.util.List<String> recorded = new java.util.ArrayList<>();
        files.fieldNames().forEachRemaining(recorded::add);
        assertEquals(names, recorded);
        assertTrue(names.containsAll(java.util.List.of(ModelStore.PARAMETERS, ModelStore.ENTITIES, ModelStore.EXPERIMENT,
                ModelStore.SEEN, ModelStore.METRICS, ModelStore.HISTORY)), names.toString());
        // and model.json's own bytes, beside it
        byte[] bytes = Files.readAllBytes(model.resolve(ModelStore.MANIFEST));
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes);
        var own = new com.fasterxml.jackson.databind.ObjectMapper().readTree(model.resolve(ModelStore.MANIFEST_CHECKSUM).toFile());
        assertEquals(bytes.length, own.get("bytes").asLong());
        assertEquals(String.format("%08x", crc.getValue()), own.get("crc32c").asText());
    }

    @Test
    void aHandEditedCalibrationInModelJsonIsRefusedByName() throws Exception {
        // (threshold: its map is always applied; one epoch of this small model may not rank the labels, and a
        // platt map that would reverse the order is not applied)
        Path yaml = Files.writeString(tmp.resolve("calibrated.yaml"), CONFIG.replace("threshold: 4.0}}",
                "threshold: 4.0}, calibrate: threshold}"));
        Path calibrated = tmp.resolve("calibrated");
        CliTest.Run trained = CliTest.run("train", "--config", yaml.toString(), "--output", calibrated.toString());
        assertEquals(0, trained.code(), trained.err());
        Path pairs = Files.writeString(tmp.resolve("pairs.tsv"), "user\titem\n" + firstPair());
        CliTest.Run before = CliTest.run("predict", "--model", calibrated.toString(), "--input", pairs.toString(), "--tasks", "like");
        assertEquals(0, before.code(), before.err());

        // a calibration changed by hand: before, it loaded silently and every like score moved
        Path manifest = calibrated.resolve(ModelStore.MANIFEST);
        String original = Files.readString(manifest);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var tree = json.readTree(original);
        var calibration = (com.fasterxml.jackson.databind.node.ArrayNode) tree.at("/tasks/1/calibration");
        assertEquals(2, calibration.size(), original);
        calibration.set(1, calibration.get(1).asDouble() + 1.0);
        Files.writeString(manifest, json.writerWithDefaultPrettyPrinter().writeValueAsString(tree));
        String refused = "taskweave: " + calibrated + ": model.json was changed or damaged since the model was written: it holds ";
        for (String[] command : new String[][] {{"predict", "--model", calibrated.toString(), "--input", pairs.toString()},
                {"evaluate", "--model", calibrated.toString()},
                {"recommend", "--model", calibrated.toString(), "--output", tmp.resolve("recs.tsv").toString(), "--k", "2"}}) {
            CliTest.Run r = CliTest.run(command);
            assertEquals(TaskweaveCli.BAD_INPUT, r.code(), command[0] + ": " + r.err());
            assertTrue(r.err().startsWith(refused) && r.err().contains("and model.json.crc32c recorded ")
                    && r.err().strip().endsWith("; copy the model again or retrain it (a model is not edited by hand)"),
                    command[0] + ": " + r.err());
        }
        // read as a warm start (teachers are read the same way)
        Path warm = Files.writeString(tmp.resolve("warm.yaml"), CONFIG.replace("training: {batchSize: 128, epochs: 1, progressBar: false}",
                "training: {batchSize: 128, epochs: 1, progressBar: false, initFrom: " + calibrated + "}"));
        CliTest.Run warmStart = CliTest.run("train", "--config", warm.toString(), "--output", tmp.resolve("warm").toString());
        assertEquals(TaskweaveCli.BAD_INPUT, warmStart.code(), warmStart.err());
        assertTrue(warmStart.err().startsWith(refused), warmStart.err());
        assertFalse(Files.exists(tmp.resolve("warm")));

        // put back, it loads and scores as before
        Files.writeString(manifest, original);
        CliTest.Run restored = CliTest.run("predict", "--model", calibrated.toString(), "--input", pairs.toString(), "--tasks", "like");
        assertEquals(0, restored.code(), restored.err());
        assertEquals(before.out(), restored.out());

        // a model written before model.json's checksum (none beside it) still loads, unchecked: the edit takes effect
        Files.writeString(manifest, json.writerWithDefaultPrettyPrinter().writeValueAsString(tree));
        Dist.withoutManifestChecksum(calibrated);
        CliTest.Run old = CliTest.run("predict", "--model", calibrated.toString(), "--input", pairs.toString(), "--tasks", "like");
        assertEquals(0, old.code(), old.err());
        assertFalse(before.out().equals(old.out()), "the edited calibration is read: " + old.out());
        // and says so (logged as a warning, and among the loaded model's warnings, which serve's /admin/status shows)
        try (dev.taskweave.core.Taskweave taskweave = dev.taskweave.core.Taskweave.start(List.of(Dist.plugins()));
                ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            assertEquals(List.of("model.json.crc32c is missing, so model.json is read unchecked (models written before the checksum was"
                    + " recorded have none; a copy made without it is checked again once copied whole)"),
                    taskweave.injector().getInstance(ModelStore.class).load(calibrated, manager).warnings());
            assertEquals(List.of(), taskweave.injector().getInstance(ModelStore.class).load(model, manager).warnings());
        }
    }

    @Test
    void aReplacementKilledBetweenItsRenamesIsNamedAndPutBack() throws Exception {
        Path dir = tmp.resolve("current");
        assertEquals(0, CliTest.run("train", "--config", config.toString(), "--output", dir.toString()).code());
        // what a train killed after moving the old model aside, before moving the new one in, leaves
        Path aside = tmp.resolve(".current.old-k1ll3d");
        Files.move(dir, aside);
        try (dev.taskweave.core.Taskweave tw = dev.taskweave.core.Taskweave.start(List.of(Dist.plugins()))) {
            ConfigException e = assertThrows(ConfigException.class, () -> tw.injector().getInstance(ModelStore.class).describe(dir));
            assertEquals(dir + ": no such directory: a replacement of the model was interrupted, and the previous model is in "
                    + aside + "; rename it back to current (the next train --output " + dir + " does)", e.getMessage());
        }
        // the commands that check the directory before starting say the same
        CliTest.Run recommend = CliTest.run("recommend", "--model", dir.toString(), "--output", tmp.resolve("recs.tsv").toString());
        assertEquals(2, recommend.code(), recommend.err());
        assertTrue(recommend.err().contains("the previous model is in " + aside), recommend.err());
        // and a warm start from it
        Path warm = Files.writeString(tmp.resolve("warm.yaml"), CONFIG.replace("progressBar: false}", "progressBar: false, initFrom: "
                + dir + "}"));
        CliTest.Run initFrom = CliTest.run("train", "--config", warm.toString(), "--output", tmp.resolve("warm").toString());
        assertEquals(2, initFrom.code(), initFrom.err());
        assertEquals("taskweave: " + warm + ":9: training.initFrom: " + dir + " does not exist: a replacement of the model was interrupted,"
                + " and the previous model is in " + aside + "; rename it back to current", initFrom.err().strip());
        // the next train puts it back before writing, then replaces it
        assertEquals(0, CliTest.run("train", "--config", config.toString(), "--output", dir.toString()).code());
        assertTrue(Files.isRegularFile(dir.resolve(ModelStore.MANIFEST)));
        assertFalse(Files.exists(aside));
    }

    @Test
    void aReplacedModelPartlyDeletedIsNeverPutBack() throws Exception {
        Path dir = tmp.resolve("current");
        assertEquals(0, CliTest.run("train", "--config", config.toString(), "--output", dir.toString()).code());
        // what a train killed while deleting the model it replaced leaves: part of it, under the name
        // it is deleted under (deleted in reverse order: model.json went first)
        Path trash = Files.createDirectories(tmp.resolve(".current.trash-k1ll3d"));
        for (String name : new String[] {ModelStore.ENTITIES, ModelStore.EXPERIMENT, ModelStore.HISTORY}) {
            Files.copy(dir.resolve(name), trash.resolve(name));
        }
        // then the new model promoted by hand
        Files.move(dir, tmp.resolve("promoted"));
        CliTest.Run again = CliTest.run("train", "--config", config.toString(), "--output", dir.toString());
        // before: the half-deleted copy was put back as the output, and refused after training as "a directory of other files"
        assertEquals(0, again.code(), again.err());
        assertTrue(Files.isRegularFile(dir.resolve(ModelStore.MANIFEST)));
        assertFalse(Files.exists(trash));
        try (var left = Files.list(tmp)) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".current.")
                    && !n.equals(".current.lock")).toList());
        }

        // a copy half deleted in place by an earlier release is put back by a write: refused before training, naming it
        Path half = Files.createDirectories(tmp.resolve(".next.old-k1ll3d"));
        Files.copy(dir.resolve(ModelStore.ENTITIES), half.resolve(ModelStore.ENTITIES));
        Path next = tmp.resolve("next");
        CliTest.Run blocked = CliTest.run("train", "--config", config.toString(), "--output", next.toString());
        assertBadInput(blocked, "--output: " + next + " does not exist, and writing it first puts back " + half + " (its content "
                + "before a replacement that was interrupted), which is a directory of other files, not a Taskweave model (model.json "
                + "is missing), so that the model could not be written there: remove .next.old-k1ll3d or name another directory");
        assertFalse(blocked.out().contains("data:"), "refused before the data is read: " + blocked.out());
        assertFalse(Files.exists(next));
    }

    @Test
    void aModelWhoseStoredExperimentALaterReleaseChecksMoreStillLoads() throws Exception {
        // what an earlier release let through and wrote into a model: a metric that does not fit its
        // head and one listed twice, early stopping with a negative minDelta, transfer set without dependsOn
        Path old = copyOfModel("old");
        Dist.withoutChecksums(old);
        String experiment = Files.readString(old.resolve(ModelStore.EXPERIMENT));
        String edited = experiment.replaceFirst("metrics:\n  - rmse\n", "metrics:\n  - rmse\n  - auc\n  - rmse\n")
                .replaceFirst("transfer: esmm", "transfer: aitm")
                .replace("earlyStopping: null", "earlyStopping:\n    metric: valid.like.rmse\n    patience: 1\n    minDelta: -1.0");
        assertTrue(edited.contains("  - auc\n  - rmse\n") && edited.contains("transfer: aitm") && edited.contains("minDelta: -1.0"), edited);
        Files.writeString(old.resolve(ModelStore.EXPERIMENT), edited);
        // as an experiment it is refused; as a trained model it loads and scores
        CliTest.Run check = CliTest.run("check", "--config", old.resolve(ModelStore.EXPERIMENT).toString());
        assertEquals(TaskweaveCli.BAD_INPUT, check.code(), check.err());
        Path pairs = Files.writeString(tmp.resolve("pairs.tsv"), "user\titem\n" + firstPair());
        CliTest.Run predict = CliTest.run("predict", "--model", old.toString(), "--input", pairs.toString());
        assertEquals(0, predict.code(), predict.err());
        CliTest.Run same = CliTest.run("predict", "--model", model.toString(), "--input", pairs.toString());
        assertEquals(same.out(), predict.out());
    }

    @Test
    void predictNamesTheLineThatIsNotUtf8() throws Exception {
        StringBuilder rows = new StringBuilder("user\titem\n");
        String pair = firstPair();
        for (int r = 0; r < 1000; r++) {
            rows.append(pair); // far more than the reader decodes ahead
        }
        rows.append("Am\u00e9lie\titem\n");
        Path input = Files.write(tmp.resolve("latin.tsv"), rows.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertBadInput(CliTest.run("predict", "--model", model.toString(), "--input", input.toString()),
                input + ":1002: not UTF-8 text");
    }

    /** @return a copy of the trained model in a directory {@code name} of this test's own */
    private Path copyOfModel(String name) throws java.io.IOException {
        Path copy = Files.createDirectories(tmp.resolve(name));
        try (var files = Files.list(model)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        return copy;
    }

    /** @return a "user TAB item" line of a user and an item the shared model knows */
    private static String firstPair() {
        ModelStore.Description d = describe();
        return d.users().rawIds().get(0) + "\t" + d.items().rawIds().get(0) + "\n";
    }

    private static ModelStore.Description describe() {
        try (dev.taskweave.core.Taskweave tw = dev.taskweave.core.Taskweave.start(List.of(Dist.plugins()))) {
            return tw.injector().getInstance(ModelStore.class).describe(model);
        }
    }
}
