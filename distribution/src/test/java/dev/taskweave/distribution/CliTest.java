package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.core.cli.TaskweaveCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's exit codes and one-line errors. */
class CliTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    /** Runs the command line with the distribution's plugins; returns the exit code and both streams. */
    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] full = new String[args.length + 2];
        full[0] = "--plugins";
        full[1] = Dist.plugins().toString();
        System.arraycopy(args, 0, full, 2, args.length);
        int code = TaskweaveCli.run(full, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path write(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void pluginsListsEveryPluginAndItsTypes() {
        Run r = run("plugins");
        assertEquals(0, r.code(), r.err());
        for (String expected : new String[] {"taskweave-heads-basic", "taskweave-sharing-basic", "taskweave-weighting-basic",
                "taskweave-data-synthetic", "taskweave-data-movielens", "regression", "binary", "shared-bottom", "mmoe",
                "fixed", "uncertainty", "synthetic", "movielens"}) {
            assertTrue(r.out().contains(expected), "missing " + expected + " in\n" + r.out());
        }
    }

    @Test
    void helpEverywhere() {
        for (String command : new String[] {"plugins", "train", "check", "evaluate", "predict", "benchmark", "tune", "serve", "recommend"}) {
            Run r = run(command, "--help");
            assertEquals(0, r.code(), command);
            assertTrue(r.out().contains("Usage: taskweave " + command), r.out());
        }
    }

    @Test
    void missingOptionIsBadInput() {
        Run r = run("train", "--config", "x.yaml");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--output"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    /** Calibration settings need no data: they are refused before it is read (here a file that does not exist). */
    @Test
    void calibrationSettingsAreCheckedBeforeTheDataIsRead() throws Exception {
        String files = """
                data: {type: files, params: {interactions: {file: none.csv, user: u, item: i, labels: {rating: r}}}}
                tasks:
                  - name: rating
                    head: regression
                    label: rating
                %s
                sharing: {type: shared-bottom}
                """;
        String[][] cases = {
            {"    calibrate: plat", "tasks[0].calibrate: expected none, platt, threshold or linear, got 'plat'"},
            {"    calibrateOn: train", "tasks[0].calibrateOn: set without calibrate: there is nothing to fit on the training rows"},
            {"    calibrate: linear\n    calibrateOn: test", "tasks[0].calibrateOn: expected valid or train, got 'test'"},
            {"    calibrate: threshold\n    calibrateColdUsers: true", "tasks[0].calibrateColdUsers: needs calibrate: platt or linear"},
        };
        for (String[] c : cases) {
            Path config = write("cal.yaml", files.formatted(c[0]));
            Run r = run("check", "--config", config.toString());
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains(c[1]) && !r.err().contains("none.csv"), c[0] + ": " + r.err());
        }
        // and with them right, the data is what is refused
        Run r = run("check", "--config", write("cal.yaml", files.formatted("    calibrate: linear")).toString());
        assertTrue(r.err().contains("none.csv"), r.err());
    }

    @Test
    void unknownHeadTypeNamesThePathAndListsTypes() throws Exception {
        Path config = write("bad.yaml", EndToEndTest.CONFIG.replace("head: binary, label: rating", "head: binery, label: rating"));
        Run r = run("train", "--config", config.toString(), "--output", tmp.resolve("out").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("tasks[1].head: unknown task head type 'binery'; available: [binary, bpr, multiclass, multilabel, regression]"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(!Files.exists(tmp.resolve("out")), "nothing may be written for a bad config");
    }

    @Test
    void aMistypedOptionIsUnknownNotAMissingRequiredOne() {
        Run r = run("train", "--config", "x.yaml", "--outptu", "runs/x");
        assertEquals(2, r.code(), r.err());
        assertEquals("taskweave: Unknown option: '--outptu' (see --help)\n", r.err());
        // the command's own and the root's options are known; a truly missing one is reported as such
        Run missing = run("--verbose", "train", "--config=x.yaml");
        assertEquals("taskweave: Missing required option: '--output=DIR' (see --help)\n", missing.err());
        Run extension = run("tune", "--config", "t.yaml", "--dryrun");
        assertEquals(2, extension.code(), extension.err());
        assertTrue(extension.err().startsWith("taskweave: Unknown option: '--dryrun'"), extension.err());
    }

    /** A root option after the command, as --verbose may be (before: "Unknown options: '--plugins', ..."). */
    @Test
    void pluginsWorksAfterTheCommandToo() throws Exception {
        Path config = write("nope.yaml", EndToEndTest.CONFIG.replace("head: binary, label: rating, metrics: [auc]",
                "head: nope, label: rating, metrics: [auc]"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = TaskweaveCli.run(new String[] {"check", "--plugins", Dist.plugins().toString(), "--config", config.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String errors = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, errors);
        // the plugins of the directory given after the command were loaded: the head is looked up among theirs
        assertTrue(errors.contains("tasks[1].head: unknown task head type 'nope'; available: [binary, "), errors);
        assertFalse(errors.contains("Unknown option"), errors);
    }

    @Test
    void anEmptyPathIsRefusedNamingItsOption() {
        // before: --output "" read as the current directory ("is a directory of other files"), --config "" as "is a directory",
        // --model "" as "not a Taskweave model directory"; in an extension's command too
        for (String[] args : new String[][] {{"train", "--config", "x.yaml", "--output", ""}, {"check", "--config", ""},
                {"evaluate", "--model", ""}, {"train", "--config", "x.yaml", "--output", "o", "--checkpoint", ""},
                {"tune", "--config", "", "--dry-run"}, {"benchmark", "--suite", "", "--output", "b"}}) {
            Run r = run(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            String option = args[java.util.Arrays.asList(args).indexOf("") - 1];
            assertEquals("taskweave: Invalid value for option '" + option + "': expected a path, got an empty string (see --help)\n",
                    r.err(), String.join(" ", args));
        }
    }

    @Test
    void missingHeadAndBadPluginParamsNameTheirPaths() throws Exception {
        Path noHead = write("nohead.yaml", EndToEndTest.CONFIG.replace("head: binary, label: rating", "label: rating"));
        Run r = run("train", "--config", noHead.toString(), "--output", tmp.resolve("out").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains(noHead + ":9: tasks[1].head: missing"), r.err());

        Path badParams = write("params.yaml", EndToEndTest.CONFIG.replace("experts: 3", "experts: three"));
        r = run("train", "--config", badParams.toString(), "--output", tmp.resolve("out").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("sharing.params.experts"), r.err());

        Path schedule = write("schedule.yaml", EndToEndTest.CONFIG.replace("optimizer: {learningRate: 0.005}",
                "optimizer: {learningRate: 0.005, schedule: linear}"));
        r = run("train", "--config", schedule.toString(), "--output", tmp.resolve("out").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("optimizer.schedule: expected constant, cosine or step, got 'linear'"), r.err());
        // left empty (as ${SCHEDULE:-} gives when the variable is unset): refused as well, not an internal error
        Path noSchedule = write("noschedule.yaml", EndToEndTest.CONFIG.replace("optimizer: {learningRate: 0.005}",
                "optimizer: {learningRate: 0.005, schedule: }"));
        r = run("check", "--config", noSchedule.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("optimizer.schedule: expected constant, cosine or step, got nothing (null)"), r.err());
        // a section left empty: its line, exit 2
        Path noTraining = write("notraining.yaml", EndToEndTest.CONFIG.replace("training: {batchSize: 128, epochs: 6, progressBar: false}",
                "training:\n#  epochs: 6"));
        r = run("train", "--config", noTraining.toString(), "--output", tmp.resolve("out").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(noTraining + ":14: training: expected a mapping, got nothing (null)"), r.err());

        Path type = write("type.yaml", EndToEndTest.CONFIG.replace("optimizer: {learningRate: 0.005}",
                "optimizer: {learningRate: 0.005, type: sgd}"));
        r = run("train", "--config", type.toString(), "--output", tmp.resolve("out").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("optimizer.type: expected adam or adamw, got 'sgd'"), r.err());

        Path finalRate = write("final.yaml", EndToEndTest.CONFIG.replace("optimizer: {learningRate: 0.005}",
                "optimizer: {learningRate: 0.005, schedule: cosine, finalLearningRate: 0.01}"));
        r = run("train", "--config", finalRate.toString(), "--output", tmp.resolve("out").toString());
        assertEquals(2, r.code());
        // found after the file was read, named at its line all the same
        assertTrue(r.err().contains(finalRate + ":13: optimizer.finalLearningRate: must be in [0, learningRate = 0.005], got 0.01"),
                r.err());

        Path malformed = write("malformed.yaml", "name: x\nseed: 1: 2\n");
        r = run("train", "--config", malformed.toString(), "--output", tmp.resolve("out").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("malformed.yaml:2: "), r.err());
    }

    @Test
    void malformedDataLineNamesFileAndLine() throws Exception {
        Path ml = tmp.resolve("ml");
        write("ml/u.user", "1|24|M|technician|85711\n2|53|F|other|94043\n");
        write("ml/u.occupation", "technician\nother\n");
        write("ml/u.genre", "unknown|0\nAction|1\nAdventure|2\nAnimation|3\nChildren's|4\nComedy|5\nCrime|6\nDocumentary|7\n"
                + "Drama|8\nFantasy|9\nFilm-Noir|10\nHorror|11\nMusical|12\nMystery|13\nRomance|14\nSci-Fi|15\nThriller|16\nWar|17\nWestern|18\n\n");
        write("ml/u.item", "1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n"
                + "2|GoldenEye (1995)|01-Jan-1995||http://x|0|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|1|0\n");
        write("ml/u.data", "1\t1\t5\t881250949\n2\t2\t3\t881250950\n1\t2\tfive\t881250951\n");
        Path config = write("ml.yaml", """
                data: {type: movielens, params: {directory: ml}}
                tasks: [{name: rating, head: regression, label: rating}]
                sharing: {type: shared-bottom}
                """);
        Run r = run("train", "--config", config.toString(), "--output", tmp.resolve("out").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("u.data:3"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void checkReadsTheDataWithoutTraining() throws Exception {
        Path example = Dist.home().resolve("examples/shop.yaml");
        Run r = run("check", "--config", example.toString());
        assertEquals(0, r.code(), r.err());
        // the report's rows and labelled counts against the file itself: every event in one split, the
        // stars only where the file has them
        java.util.List<String> events = Files.readAllLines(Dist.home().resolve("examples/shop/events.csv"));
        long rows = events.size() - 1;
        long stars = events.stream().skip(1).filter(l -> !l.endsWith(",")).count();
        java.util.regex.Matcher split = java.util.regex.Pattern.compile("(?m)^  (train|valid|test) +([0-9,]+) rows$").matcher(r.out());
        long total = 0;
        while (split.find()) {
            total += Long.parseLong(split.group(2).replace(",", ""));
        }
        assertEquals(rows, total, r.out());
        java.util.regex.Matcher labelled = java.util.regex.Pattern.compile("label stars: labelled rows train ([0-9,]+), valid ([0-9,]+), test ([0-9,]+);")
                .matcher(r.out());
        assertTrue(labelled.find(), r.out());
        long starred = 0;
        for (int g = 1; g <= 3; g++) {
            starred += Long.parseLong(labelled.group(g).replace(",", ""));
        }
        assertEquals(stars, starred, r.out());
        // the column's own values next to the encoded labels' mean: what a bad row would stand out in
        assertTrue(java.util.regex.Pattern.compile("label stars: labelled rows [^\\n]*; training labels mean [0-9.]+, sd [0-9.]+, values 1 to 5\\n")
                .matcher(r.out()).find(), r.out());
        assertTrue(java.util.regex.Pattern.compile("label purchased: [^\\n]*, values 0 to 1\\n").matcher(r.out()).find(), r.out());
        assertTrue(r.out().contains("category     multiclass  attribute item_category (item, classes 6): train 204 entities, attribute_test 36"),
                r.out());
        assertTrue(r.out().contains("user_history           user history, 240 wide"), r.out());
        assertFalse(Files.exists(Dist.home().resolve("examples/runs")), "check writes nothing");

        // a wrong column stops it with the file and the setting named, exit code 2
        Path bad = write("bad/shop.yaml", Files.readString(example).replace("file: shop/", "file: " + Dist.home().resolve("examples/shop") + "/")
                .replace("stars: stars}", "stars: rating}"));
        Run wrong = run("check", "--config", bad.toString());
        assertEquals(2, wrong.code(), wrong.err());
        assertTrue(wrong.err().contains("data.params.interactions.labels.stars names column 'rating', which the file does not have"), wrong.err());
        assertTrue(r.out().contains("warnings: none"), r.out());
        // the model's size: a binary or regression head is tower [16] on the experts' 32 outputs
        // and one logit, 32 * 16 + 16 + 16 + 1 = 545; the parts add up to the total (fixed
        // weighting has none)
        java.util.regex.Matcher size = java.util.regex.Pattern.compile("(?m)^model: ([0-9,]+) parameters; encoder ([0-9,]+), sharing \\(mmoe\\) ([0-9,]+)$")
                .matcher(r.out());
        assertTrue(size.find(), r.out());
        long parts = Long.parseLong(size.group(2).replace(",", "")) + Long.parseLong(size.group(3).replace(",", ""));
        java.util.regex.Matcher task = java.util.regex.Pattern.compile("(?m)^  (click|purchase|stars|view|category) +([0-9,]+)$").matcher(r.out());
        int tasks = 0;
        while (task.find()) {
            tasks++;
            long n = Long.parseLong(task.group(2).replace(",", ""));
            if (!task.group(1).equals("category")) {
                assertEquals(545, n, task.group());
            }
            parts += n;
        }
        assertEquals(5, tasks, r.out());
        assertEquals(Long.parseLong(size.group(1).replace(",", "")), parts, r.out());
        // uncertainty weighting learns one log-variance per task: the quickstart's three
        Run quick = run("check", "--config", Dist.home().resolve("examples/quickstart.yaml").toString());
        assertEquals(0, quick.code(), quick.err());
        assertTrue(java.util.regex.Pattern.compile("(?m)^model: [0-9,]+ parameters; encoder [0-9,]+, sharing \\(mmoe\\) [0-9,]+, weighting \\(uncertainty\\) 3$")
                .matcher(quick.out()).find(), quick.out());

        // a setting only the assembled graph checks fails here as in train
        Path graph = write("graph/shop.yaml", Files.readString(example).replace("file: shop/", "file: " + Dist.home().resolve("examples/shop") + "/")
                .replace("metrics: [rmse, mae], params:", "metrics: [rmse, mae], wideFeatures: [user_colour], params:"));
        assertTrue(Files.readString(graph).contains("wideFeatures: [user_colour]"), "the edit should apply");
        Run unassembled = run("check", "--config", graph.toString());
        assertEquals(2, unassembled.code(), unassembled.err());
        assertTrue(unassembled.err().contains("tasks[2].wideFeatures[0]: 'user_colour' is not a feature of the data"), unassembled.err());

        // a feature left to the wide parts: check names who reads it; one that nobody reads is an error
        String shop = Files.readString(example).replace("file: shop/", "file: " + Dist.home().resolve("examples/shop") + "/");
        String wideOnly = shop.replace("features:\n", "features:\n  wideOnly: [user_history]\n")
                .replace("metrics: [rmse, mae], params:", "metrics: [rmse, mae], wideFeatures: [user_history], params:");
        assertTrue(wideOnly.contains("wideOnly: [user_history]") && wideOnly.contains("wideFeatures: [user_history]"), wideOnly);
        Run left = run("check", "--config", write("wide/shop.yaml", wideOnly).toString());
        assertEquals(0, left.code(), left.err() + wideOnly);
        assertTrue(java.util.regex.Pattern.compile("(?m)^  user_history +user history, 240 wide; wide parts only: stars$").matcher(left.out()).find(),
                left.out());
        Run nobody = run("check", "--config", write("nobody/shop.yaml",
                wideOnly.replace("wideFeatures: [user_history], ", "")).toString());
        assertEquals(2, nobody.code(), nobody.err());
        assertTrue(nobody.err().contains("features.wideOnly[0]: no task lists 'user_history' in its wideFeatures: nothing would read it"),
                nobody.err());
    }

    @Test
    void checkAgainstAModelReportsWhatItHasNotSeen() throws Exception {
        Path shop = Dist.home().resolve("examples/shop");
        String example = Files.readString(Dist.home().resolve("examples/shop.yaml")).replace("epochs: 30", "epochs: 1");
        Path model = tmp.resolve("shop-model");
        // the model's users file holds a user without any event: in the model's table, with no learnt id
        String usersThen = Files.readString(shop.resolve("users.csv")) + "user-9998,DE,free,41,books\n";
        write("then/users.csv", usersThen);
        Run trained = run("train", "--config", write("then/shop.yaml", example.replace("file: shop/users.csv", "file: users.csv")
                .replace("file: shop/", "file: " + shop + "/")).toString(), "--output", model.toString());
        assertEquals(0, trained.code(), trained.err());
        // today's users file: one more user, from a country the model has not seen
        String users = usersThen + "user-9999,PT,free,30,books\n";
        write("now/users.csv", users);
        Path now = write("now/shop.yaml", example.replace("file: shop/users.csv", "file: users.csv")
                .replace("file: shop/", "file: " + shop + "/"));
        Run r = run("check", "--config", now.toString(), "--against", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("compared with " + model + " (shop, trained "), r.out());
        assertTrue(r.out().contains("  users: 502, of which 2 the model does not know (it scores them from their side features)"), r.out());
        assertTrue(r.out().contains("  items: 240, of which 0 the model does not know"), r.out());
        assertTrue(r.out().contains("  feature user_country: 1 values the model has not seen (it reads them as unknown): [PT]"), r.out());
        // one more age moves the standardisation; the labels are the same rows as before
        assertTrue(r.out().contains("  feature user_age: scaled as (x - "), r.out());
        java.util.regex.Matcher stars = java.util.regex.Pattern.compile("task stars: training label mean ([0-9.]+) now, ([0-9.]+) in the model")
                .matcher(r.out());
        assertTrue(stars.find(), r.out());
        assertEquals(stars.group(2), stars.group(1));
        assertFalse(r.out().contains("a history"), r.out());
        assertFalse(r.out().contains("read by the model,") || r.out().contains(", not in this experiment"), r.out());

        // and the other way: a feature the model reads that the data no longer gives, one this experiment leaves out,
        // a task of the model this experiment does not have, and one it adds
        String starsTask = "  - {name: stars, head: regression, label: stars, metrics: [rmse, mae], params: {tower: [16], minScore: 1.0,"
                + " maxScore: 5.0}}\n";
        assertTrue(Files.readString(now).contains(starsTask) && Files.readString(now).contains("      numeric: [price]\n"));
        Path fewer = write("now/fewer.yaml", Files.readString(now).replace("      numeric: [price]\n", "")
                .replace(starsTask, "  - {name: rated, head: binary, label: stars, metrics: [auc], params: {tower: [16], threshold: 4.0}}\n")
                .replace("  idDropout: 0.1\n", "  idDropout: 0.1\n  exclude: [item_brand]\n"));
        Run reverse = run("check", "--config", fewer.toString(), "--against", model.toString());
        assertEquals(0, reverse.code(), reverse.err());
        assertTrue(reverse.out().contains("  feature item_price: read by the model, not in the data now (serving reads it as unknown"
                + " for an entity it is not given for)"), reverse.out());
        assertTrue(reverse.out().contains("  feature item_brand: read by the model, left out of this experiment's features"
                + " (features.include or exclude)"), reverse.out());
        assertTrue(reverse.out().contains("  task stars: in the model (label stars), not in this experiment"), reverse.out());
        assertTrue(reverse.out().contains("  task rated: new (the model has no task of that name)"), reverse.out());

        // a model of a release before history scales: its histories are read as stored
        Path manifest = model.resolve(dev.taskweave.core.store.ModelStore.MANIFEST);
        String declared = Files.readString(manifest);
        assertTrue(declared.contains("\"historyScale\" : \"MEAN\""), declared);
        Dist.withoutManifestChecksum(model);
        Files.writeString(manifest, declared.replace("\"historyScale\" : \"MEAN\"", "\"historyScale\" : null"));
        Run older = run("check", "--config", now.toString(), "--against", model.toString());
        assertEquals(0, older.code(), older.err());
        assertTrue(older.out().contains("  feature user_history: a history scaled by 1/n now, of undeclared scale in the model (a"
                + " training row's history without its own interaction is rescaled only where it is declared; the model reads"
                + " it as it was trained: train it again to read it as declared now)"), older.out());
    }

    @Test
    void checkWarnsAboutFeaturesAndLabelsThatCannotHelp() throws Exception {
        StringBuilder events = new StringBuilder("user,item,clicked,level\n");
        StringBuilder users = new StringBuilder("id,plan,region,score\n");
        for (int u = 0; u < 20; u++) {
            for (int i = 0; i < 5; i++) {
                events.append("u").append(u).append(",i").append((u + i) % 9).append(",1,0.1\n");
            }
            // every user on the same plan, a region for 4 users of 20, the same score for all
            users.append("u").append(u).append(",free,").append(u < 4 ? "north" : "").append(",7\n");
        }
        write("warn/events.csv", events.toString());
        write("warn/users.csv", users.toString());
        Path config = write("warn/experiment.yaml", """
                data:
                  type: files
                  params:
                    interactions: {file: events.csv, user: user, item: item, labels: {clicked: clicked, level: level}}
                    split: {by: random, valid: 0.2, test: 0.2}
                    users: {file: users.csv, id: id, categorical: [plan, region], numeric: [score]}
                tasks:
                  - {name: click, head: binary, label: clicked, calibrate: platt, calibrateOn: train}
                  - {name: sampled, head: binary, label: clicked, params: {negatives: 2}}
                  - {name: level, head: regression, label: level}
                sharing: {type: shared-bottom}
                weighting: {type: fixed}
                training: {epochs: 1, progressBar: false, earlyStopping: {metric: valid.click.auc}}
                """);
        Run r = run("check", "--config", config.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("  - training.earlyStopping.metric: valid.click.auc is an AUC of task click, whose labels are all"
                + " the same: it is undefined (not finite), so early stopping cannot compare epochs by it"), r.out());
        assertTrue(r.out().contains("  - feature user_plan has the same value for all 20 users: it tells the model nothing"), r.out());
        assertTrue(r.out().contains("  - feature user_region is unknown for 16 of the 20 users"), r.out());
        assertTrue(r.out().contains("  - feature user_score is the same for all 20 users: it tells the model nothing"), r.out());
        assertTrue(r.out().contains("  - task click: all 60 training labels are 1 as its head encodes them, so it learns a constant"), r.out());
        // the same labels with negatives drawn beside them are learnt against those
        assertFalse(r.out().contains("task sampled: all"), r.out());
        // a regression task's constant label
        assertTrue(r.out().contains("  - task level: all 60 training labels are 0.1000 as its head encodes them, so it learns a constant"),
                r.out());
        assertTrue(r.out().contains("  - tasks[0].calibrateOn: train fits Platt scaling on rows the model has learnt"), r.out());
    }

    @Test
    void checkListsTheDataSourcesWarningsAndRefusesLabelsOfEvaluatedSplits() throws Exception {
        StringBuilder events = new StringBuilder("user,item,clicked\n");
        StringBuilder users = new StringBuilder("id,plan\n");
        for (int u = 0; u < 20; u++) {
            for (int i = 0; i < 5; i++) {
                events.append("u").append(u).append(",i").append((u + i) % 9).append(',').append((u + i) % 2).append('\n');
            }
            users.append("U").append(u).append(u % 2 == 0 ? ",free\n" : ",paid\n"); // the ids written otherwise
        }
        write("labels/events.csv", events.toString());
        write("labels/users.csv", users.toString());
        write("labels/test.csv", "user,item,clicked\nu1,i1,1\nu2,i2,0\n");
        write("labels/bad-test.csv", "user,item,clicked\nu1,i1,1\nu2,i2,2\n");
        String experiment = """
                data:
                  type: files
                  params:
                    interactions: {file: events.csv, user: user, item: item, labels: {clicked: clicked}}
                    split: {by: files, testFile: TEST}
                    users: {file: users.csv, id: id, categorical: [plan]}
                tasks:
                  - {name: click, head: binary, label: clicked}
                sharing: {type: shared-bottom}
                weighting: {type: fixed}
                training: {epochs: 1, progressBar: false}
                """;
        Run r = run("check", "--config", write("labels/good.yaml", experiment.replace("TEST", "test.csv")).toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("  - 20 of the 20 users the interactions name are not in users.csv (such as 'u0'; the file lists "
                + "such as 'U0'): they have no side features"), r.out());
        // a label the task's head cannot read, on a row it would only be evaluated on
        Run bad = run("check", "--config", write("labels/bad.yaml", experiment.replace("TEST", "bad-test.csv")).toString());
        assertEquals(2, bad.code(), bad.err());
        // named by its file and line (the row's origin, which the files plugin records)
        assertTrue(bad.err().contains("bad-test.csv:3: label 'clicked' (split 'test'): task click cannot use the value 2.0"),
                bad.err());
    }

    @Test
    void versionIsTheRelease() {
        // from framework-core's manifest (Implementation-Version): it said "dev", and so did every model's taskweaveVersion
        Run r = run("--version");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().strip().matches("taskweave \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), r.out());
    }

    @Test
    void aBadSparseHistoryWidthIsRefusedBeforeAnyCommand() throws Exception {
        Run r = SparseHistoryEndToEndTest.withSparseWidth("abc", () -> run("--version"));
        assertEquals(TaskweaveCli.BAD_INPUT, r.code(), r.err());
        assertEquals("taskweave: system property taskweave.sparseHistoryWidth: expected a whole number of columns of at least 1"
                + " (the narrowest history gathered sparsely), got 'abc'", r.err().strip());
    }

    @Test
    void checkRefusesBatchesTooLargeToHold() throws Exception {
        String params = "params: {users: 300, items: 120, meanInteractionsPerUser: 30}";
        // (histories are stored sparsely, in proportion to the interactions: users x items is no limit)
        // a batch of the 300-wide item history over one buffer's 2^31 - 1 bytes
        String history = variant(params, "params: {users: 300, items: 120, meanInteractionsPerUser: 30, history: true}");
        assertCheckRefuses(history.replace("batchSize: 128", "batchSize: 2000000"), "refused.yaml: training.batchSize: 2000000 rows"
                + " of feature item_history (300 values wide, 4 bytes each) are 2.24 GiB, more than the 2147483647 bytes one batch of"
                + " a dense feature may take (it is gathered into one buffer; histories of 8192 columns or more are gathered"
                + " sparsely); the largest batch that fits is 1789569");
        assertCheckRefuses(history.replace("progressBar: false", "progressBar: false, evalBatchSize: 1789570"),
                "refused.yaml: training.evalBatchSize: 1789570 rows of feature item_history");
    }

    /**
     * Runs check on a variant of the end-to-end experiment; expects exit code 2 and one line containing {@code expected}
     * (written without the line of the file, which the command adds where the path is found).
     */
    private String assertCheckRefuses(String config, String expected) throws Exception {
        Run r = run("check", "--config", write("refused.yaml", config).toString());
        assertEquals(2, r.code(), r.err() + r.out());
        assertTrue(r.err().contains(expected) || r.err().replaceFirst("refused\\.yaml:\\d+: ", "refused.yaml: ").contains(expected),
                r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        return r.err();
    }

    private static String variant(String from, String to) {
        assertTrue(EndToEndTest.CONFIG.contains(from), from);
        return EndToEndTest.CONFIG.replace(from, to);
    }

    /** What a QA pass found reported at the wrong path or not at all; each names the file, the line and the path. */
    @Test
    void nullsUnclosedBracketsRankingMonitorsAndAnEmptyExcludeAreNamed() throws Exception {
        // YAML's null for the name trained as "name": null
        assertCheckRefuses(variant("name: e2e", "name: ~"),
                "refused.yaml:1: name: expected a string, got nothing (null); omit the key for the default name, 'experiment'");
        assertCheckRefuses(variant("label: rating, metrics: [auc]", "label: rating, transfer: ~, metrics: [auc]"),
                "refused.yaml:9: tasks[1].transfer: expected esmm or aitm, got nothing (null)");
        assertCheckRefuses(variant("learningRate: 0.005", "learningRate: 0.005, type: ~"),
                "refused.yaml:13: optimizer.type: expected adam or adamw, got nothing (null)");
        // an unclosed flow sequence is malformed YAML, not the list it began
        assertCheckRefuses(variant("name: e2e", "name: [x"),
                "refused.yaml:2: malformed YAML: expected ',' or ']', but got : (while parsing a flow sequence opened at line 1)");
        assertCheckRefuses(variant("negatives: 2}}\n", "negatives: 2}}\n  - name: extra\n    head: binary\n    label: observed\n"
                + "    metrics: [auc, \n    params: {tower: [16]}\n"),
                "refused.yaml:16: malformed YAML: expected ',' or ']', but got <scalar> (while parsing a flow sequence opened at"
                + " line 14)");
        // a ranking metric is measured once training ends, not after every epoch
        assertCheckRefuses(variant("epochs: 6,", "epochs: 6, earlyStopping: {metric: valid.watch.hr@10},"),
                "refused.yaml:14: training.earlyStopping.metric: 'hr@10' is a ranking metric (hr@K, ndcg@K, auc_per_user), measured"
                + " on the data's ranking candidate lists once training has ended, not after every epoch, so it cannot drive early"
                + " stopping; monitor a metric task 'watch' reports on its validation rows (auc)");
        // an exclude that leaves nothing is named, not the features section
        assertCheckRefuses(variant("idDropout: 0.05}", "idDropout: 0.05,\n  exclude: [user_id, user_segment, user_activity, item_id,"
                + " item_category, item_tags]}"),
                "refused.yaml:7: features.exclude: leaves no feature to use: it excludes every feature of the data ([user_id,"
                + " user_segment, user_activity, item_id, item_category, item_tags])");
        assertCheckRefuses(variant("idDropout: 0.05}", "idDropout: 0.05, include: [item_id], exclude: [item_id]}"),
                "refused.yaml:6: features.exclude: leaves no feature to use: it excludes every feature features.include lists"
                + " ([item_id])");
    }

    @Test
    void checkRefusesWhatTrainWouldRefuseOrIgnore() throws Exception {
        // a threshold on implicit feedback would read every observed row as a negative
        String threshold = assertCheckRefuses(variant("negatives: 2}", "negatives: 2, threshold: 4.0}"),
                "refused.yaml: tasks[2].params.threshold: an 'observed' task has no label values to threshold (each observed row is"
                + " a positive, its negatives are sampled); remove it");
        assertTrue(threshold.contains("refused.yaml:10: tasks[2].params.threshold"), "the line of tasks[2]: " + threshold);
        // numbers that are not finite, a negative minDelta
        assertCheckRefuses(variant("learningRate: 0.005", "learningRate: Infinity"),
                "refused.yaml:13: optimizer.learningRate: expected a finite number, got Infinity");
        assertCheckRefuses(variant("epochs: 6,", "epochs: 6, earlyStopping: {metric: valid.rating.rmse, minDelta: -1},"),
                "refused.yaml: training.earlyStopping.minDelta: must be a number >= 0");
        // a null in a list, a key given twice
        assertCheckRefuses(variant("metrics: [auc], params: {tower: [16], threshold", "metrics: [auc, null], params: {tower: [16], threshold"),
                "refused.yaml:9: tasks[1].metrics[1]: expected a string, got nothing (null)");
        assertCheckRefuses(variant("seed: 11\n", "seed: 11\nseed: 7\n"), "refused.yaml:3: duplicate key 'seed'");
        // early stopping on a metric the task does not report, or on a split the data does not have
        assertCheckRefuses(variant("epochs: 6,", "epochs: 6, earlyStopping: {metric: valid.like.rmse},"),
                "refused.yaml: training.earlyStopping.metric: task like does not report rmse (it reports [auc]); add it to its metrics");
        assertCheckRefuses(variant("epochs: 6,", "epochs: 6, earlyStopping: {metric: validation.rating.rmse},"),
                "refused.yaml: training.earlyStopping.metric: monitors split 'validation'; early stopping monitors the validation"
                        + " split, valid (for example valid.rating.rmse)");
        assertCheckRefuses(variant("epochs: 6,", "epochs: 6, earlyStopping: {metric: valid.rating.rmse},")
                        .replace("meanInteractionsPerUser: 30}", "meanInteractionsPerUser: 30, validFraction: 0.0}"),
                "refused.yaml: training.earlyStopping.metric: the data has no split 'valid' to evaluate; available: [");
        // on a test split it would choose the epoch by the score it reports
        assertCheckRefuses(variant("epochs: 6,", "epochs: 6, earlyStopping: {metric: test.rating.rmse},"),
                "refused.yaml: training.earlyStopping.metric: monitors split 'test'; early stopping monitors the validation"
                        + " split, valid (for example valid.rating.rmse)");
        // metrics that mean nothing on the head's output
        assertCheckRefuses(variant("metrics: [rmse, mae]", "metrics: [rmse, logloss]"),
                "refused.yaml: tasks[0].metrics[1]: logloss does not apply to head 'regression', which outputs one predicted value;"
                + " metrics that do: [mae, rmse]");
        assertCheckRefuses(variant("metrics: [rmse, mae]", "metrics: [rmse, mae, rmse]"),
                "refused.yaml: tasks[0].metrics[2]: metric 'rmse' is listed twice (also tasks[0].metrics[0]): each is reported once");
        assertCheckRefuses(variant("metrics: [auc], params: {tower: [16], threshold", "metrics: [auc, micro_f1], params: {tower: [16], threshold"),
                "refused.yaml: tasks[1].metrics[1]: micro_f1 does not apply to head 'binary', which outputs one probability; metrics"
                + " that do: [accuracy, auc, ece, logloss, mae, rmse]");
        assertCheckRefuses(variant("negatives: 2}}\n", "negatives: 2}}\n  - {name: category, head: binary, label: item_category}\n"),
                "refused.yaml: tasks[3].head: 'binary' has one output, and the label 'item_category' is an attribute of ");
        // an attribute head on the other kind of attribute: a configuration error (exit 2) at the head, not a plugin failure
        String kind = assertCheckRefuses(variant("negatives: 2}}\n", "negatives: 2}}\n  - {name: category, head: multilabel, label: item_category}\n"),
                "refused.yaml: tasks[3].head: task 'category': head 'multilabel' cannot read attribute 'item_category', which gives each"
                + " entity one class of ");
        assertTrue(kind.endsWith("; use head 'multiclass'\n") || kind.strip().endsWith("; use head 'multiclass'"), kind);
        assertTrue(!kind.contains("failed in create()"), kind);
        // settings that would do nothing
        assertCheckRefuses(variant("label: rating, metrics: [auc]", "label: rating, transfer: aitm, metrics: [auc]"),
                "refused.yaml: tasks[1].transfer: set without dependsOn: it says how a task uses the task it depends on, and this one"
                + " depends on none");
        assertCheckRefuses(variant("label: rating, metrics: [auc]", "label: rating, calibration: 0.3, metrics: [auc]"),
                "refused.yaml: tasks[1].calibration: set without dependsOn");
        assertCheckRefuses(variant("idDropout: 0.05}", "idDropout: 0.05, exclude: [item_tags], dropout: {item_tags: 0.5}}"),
                "refused.yaml: features.dropout.item_tags: 'item_tags' is left out by features.exclude: there is nothing to drop");
        assertCheckRefuses(variant("idDropout: 0.05}", "idDropout: 0.05, exclude: [item_tags]}")
                        .replace("metrics: [rmse, mae],", "metrics: [rmse, mae], wideFeatures: [item_tags],"),
                "refused.yaml: tasks[0].wideFeatures[0]: 'item_tags' is left out by features.exclude; the features read: [");
        // a ranking formula serve would refuse
        assertCheckRefuses(EndToEndTest.CONFIG + "serving: {formula: \"0.5 * like + +\"}\n", "refused.yaml: serving.formula: ");
        assertCheckRefuses(EndToEndTest.CONFIG + "serving: {formula: \"0.5 * like + 0.5 * lik\"}\n",
                "refused.yaml: serving.formula: unknown task 'lik'; the tasks are [rating, like, watch]");
        assertCheckRefuses(EndToEndTest.CONFIG + "serving: {formula: \"1\"}\n",
                "refused.yaml: serving.formula: names no task; it must use at least one of [rating, like, watch]");

        // the implicit task's labels as its head encodes them; a weight the weighting ignores
        Run ok = run("check", "--config", write("ok.yaml", EndToEndTest.CONFIG + "serving: {formula: \"0.5 * like + 0.5 * watch\"}\n")
                .toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("observed (implicit): labelled rows train "), ok.out());
        assertTrue(java.util.regex.Pattern.compile("(?m)^  watch .*; training labels all positive$").matcher(ok.out()).find(), ok.out());
        assertTrue(ok.out().contains("warnings: none"), ok.out());
        Run equal = run("check", "--config", write("equal.yaml", variant("weighting: {type: uncertainty}", "weighting: {type: equal}")
                .replace("label: rating, metrics: [auc]", "label: rating, weight: 5, metrics: [auc]")).toString());
        assertEquals(0, equal.code(), equal.err());
        assertTrue(equal.out().contains("  - tasks[1].weight: 5 is ignored: weighting equal sets the tasks' weights itself (fixed and"
                + " uncertainty read them)"), equal.out());
        // train says the same, after the data line, for a run not checked first
        Path quick = write("equal-1.yaml", variant("weighting: {type: uncertainty}", "weighting: {type: equal}")
                .replace("label: rating, metrics: [auc]", "label: rating, weight: 5, metrics: [auc]").replaceAll("epochs: \\d+", "epochs: 1"));
        Run trained = run("train", "--config", quick.toString(), "--output", tmp.resolve("equal-out").toString());
        assertEquals(0, trained.code(), trained.err());
        assertTrue(trained.out().contains("\nwarning: tasks[1].weight: 5 is ignored: weighting equal sets the tasks' weights itself"),
                trained.out());
    }
}
