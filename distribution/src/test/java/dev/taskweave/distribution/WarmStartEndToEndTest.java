package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.run.AssembledModel;
import dev.taskweave.core.run.ResolvedTask;
import dev.taskweave.core.store.ModelStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code training.initFrom}: a model started from a trained one carries its parameters over by
 * what they stand for. The second model's data lists the same users in reverse order, so every
 * user has another code and another column in the items' histories; trained with a learning rate
 * too small to move anything, it must score every pair as the first model does.
 */
class WarmStartEndToEndTest extends RuntimeTest {
    static final String CONFIG = FilesEndToEndTest.CONFIG.replace("epochs: 8", "epochs: 3");

    /** The same, with the like task's wide part embedding the user id and the items' raters itself. */
    static final String WIDE = CONFIG.replace("metrics: [auc], params: {tower: [16], threshold: 4}}",
            "metrics: [auc], wideFeatures: [user_id, item_history], params: {tower: [16], threshold: 4}}");

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void rowsFollowTheirEntitiesWhenTheCodesChange(boolean widePart) throws Exception {
        String config = widePart ? WIDE : CONFIG;
        assertTrue(!widePart || config.contains("wideFeatures"), "the like task should have a wide part");
        FilesEndToEndTest.writeData(tmp);
        List<String> users = new ArrayList<>(Files.readAllLines(tmp.resolve("users.tsv")));
        String header = users.remove(0);
        Collections.reverse(users);
        users.add(0, header);
        Files.write(tmp.resolve("users-reversed.tsv"), users);

        Path first = tmp.resolve("first");
        taskweave.train(write("first.yaml", config), first, quiet());
        String still = config.replace("users.tsv", "users-reversed.tsv").replace("epochs: 3", "epochs: 1")
                .replace("learningRate: 0.01", "learningRate: 1.0e-12");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        taskweave.train(write("second.yaml", withInit(still, "first")), tmp.resolve("second"),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        String printed = log.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("initialised from " + first + ": "), printed);
        Path fresh = tmp.resolve("fresh");
        taskweave.train(write("fresh.yaml", still), fresh, quiet());

        writePairs();
        List<double[]> a = scores(first);
        double furthest = largestDifference(a, scores(tmp.resolve("second")));
        double freshGap = largestDifference(a, scores(fresh));
        assertTrue(furthest < 1e-4, "the warm-started model scores as the first one: largest difference " + furthest);
        assertTrue(freshGap > 0.1, "a model not started from the first one scores otherwise: " + freshGap);
    }

    @Test
    void partsThatChangedShapeStartAfreshAndAMissingModelIsAnError() throws Exception {
        FilesEndToEndTest.writeData(tmp);
        Path first = tmp.resolve("first");
        taskweave.train(write("first.yaml", CONFIG), first, quiet());
        // wider towers: the rating tower's layers cannot be carried; the rest can
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        String wider = withInit(CONFIG.replace("{name: rating, head: regression, label: rating, metrics: [rmse], params: {tower: [16]}}",
                "{name: rating, head: regression, label: rating, metrics: [rmse], params: {tower: [24]}}"), "first");
        assertTrue(wider.contains("tower: [24]"), wider);
        taskweave.train(write("wider.yaml", wider), tmp.resolve("wider"), new PrintStream(log, true, StandardCharsets.UTF_8));
        String printed = log.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("not carried over (shape"), printed);
        // the rating task is the first: its head's layers, and nothing else
        assertTrue(printed.lines().filter(l -> l.contains("not carried over")).allMatch(l -> l.contains("the head of task rating: ")
                && l.contains("head0_")), printed);
        assertTrue(printed.contains(": 21 of 24 parameters carried over"), printed);
        // another embedding width: the tables say so (their rows do have names)
        ByteArrayOutputStream narrowLog = new ByteArrayOutputStream();
        String narrower = withInit(CONFIG.replace("embeddingDim: 8", "embeddingDim: 6"), "first");
        assertTrue(narrower.contains("embeddingDim: 6"), narrower);
        taskweave.train(write("narrower.yaml", narrower), tmp.resolve("narrower"), new PrintStream(narrowLog, true, StandardCharsets.UTF_8));
        String narrowPrinted = narrowLog.toString(StandardCharsets.UTF_8);
        assertTrue(narrowPrinted.lines().anyMatch(l -> l.contains("user_id") && l.contains("not carried over (shape (")
                && l.contains(", 8) before, (") && l.contains(", 6) now)")), narrowPrinted);
        assertFalse(narrowPrinted.contains("cannot be matched"), narrowPrinted);

        Path config = write("missing.yaml", withInit(CONFIG, "no-such-model"));
        ByteArrayOutputStream missingLog = new ByteArrayOutputStream();
        ConfigException e = assertThrows(ConfigException.class,
                () -> taskweave.train(config, tmp.resolve("m"), new PrintStream(missingLog, true, StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("missing.yaml") && e.getMessage().contains("training.initFrom")
                && e.getMessage().contains("no-such-model is not a model directory"), e.getMessage());
        // found before the data is read (train prints the data's size once it has read it)
        assertFalse(missingLog.toString(StandardCharsets.UTF_8).contains("data: "), missingLog.toString(StandardCharsets.UTF_8));
        // check finds it too, before a training slot is used
        ConfigException checked = assertThrows(ConfigException.class, () -> taskweave.check(config, quiet()));
        assertEquals(e.getMessage(), checked.getMessage());
    }

    @Test
    void aTasksOwnParametersFollowItsNameWhenTheTasksAreReordered() throws Exception {
        FilesEndToEndTest.writeData(tmp);
        Path first = tmp.resolve("first");
        taskweave.train(write("first.yaml", CONFIG), first, quiet());
        // like and watch swapped: both heads are [16] binary towers, so matching by position would
        // give each the other's; a learning rate of 1e-12 leaves the carried values where they were
        String like = "  - {name: like, head: binary, label: rating, metrics: [auc], params: {tower: [16], threshold: 4}}\n";
        String watch = "  - {name: watch, head: binary, label: observed, metrics: [auc], params: {tower: [16], negatives: 1}}\n";
        assertTrue(CONFIG.contains(like + watch), CONFIG);
        String swapped = withInit(CONFIG.replace(like + watch, watch + like), "first").replaceFirst("learningRate: [0-9.e-]+", "learningRate: 1.0e-12");
        assertTrue(swapped.contains("learningRate: 1.0e-12"), swapped);
        taskweave.train(write("swapped.yaml", swapped.replace("epochs: 3", "epochs: 1")), tmp.resolve("swapped"), quiet());
        ModelStore store = taskweave.injector().getInstance(ModelStore.class);
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            AssembledModel before = store.load(first, manager).model();
            AssembledModel after = store.load(tmp.resolve("swapped"), manager).model();
            for (String task : List.of("like", "watch")) {
                List<ai.djl.nn.Parameter> old = before.block().taskParameters(before.task(task).index());
                List<ai.djl.nn.Parameter> now = after.block().taskParameters(after.task(task).index());
                assertEquals(old.size(), now.size(), task);
                for (int k = 0; k < old.size(); k++) {
                    float[] x = old.get(k).getArray().toFloatArray();
                    float[] y = now.get(k).getArray().toFloatArray();
                    for (int i = 0; i < x.length; i++) {
                        assertEquals(x[i], y[i], 1e-6f, task + " parameter " + k + " value " + i);
                    }
                }
            }
            assertTrue(before.task("like").index() != after.task("like").index());
        }
    }

    /**
     * What the sharing strategy and the weighting lay out by task position follows the task too:
     * PLE's inner task experts and its shared gate's rows over them, cross-stitch columns and both
     * axes of their mixing matrices, uncertainty weighting's log-variances. Before, these were copied
     * by position, and the moved model's scores were up to 0.76 (PLE) and 2.24 (cross-stitch) away
     * from the first model's.
     */
    @ParameterizedTest
    @ValueSource(strings = {"{type: ple, params: {levels: 2, sharedExperts: 1, taskExperts: 1, expertLayers: [16]}}",
        "{type: cross-stitch, params: {layers: [16, 8]}}"})
    void whatTheStrategyAndWeightingLayOutByTaskFollowsTheTask(String sharing) throws Exception {
        FilesEndToEndTest.writeData(tmp);
        String config = CONFIG.replace("sharing: {type: shared-bottom, params: {layers: [32]}}", "sharing: " + sharing)
                .replace("weighting: {type: fixed}", "weighting: {type: uncertainty}");
        assertTrue(config.contains(sharing) && config.contains("uncertainty"), config);
        Path first = tmp.resolve("first");
        taskweave.train(write("first.yaml", config), first, quiet());
        String like = "  - {name: like, head: binary, label: rating, metrics: [auc], params: {tower: [16], threshold: 4}}\n";
        String watch = "  - {name: watch, head: binary, label: observed, metrics: [auc], params: {tower: [16], negatives: 1}}\n";
        // the rating task moves from first to last, like and watch swap
        String rating = "  - {name: rating, head: regression, label: rating, metrics: [rmse], params: {tower: [16]}}\n";
        String moved = config.replace(rating + like + watch, watch + like).replace("    params: {tower: [16]}\n", "    params: {tower: [16]}\n" + rating);
        assertTrue(moved.indexOf("name: watch") < moved.indexOf("name: like") && moved.indexOf("name: like") < moved.indexOf("name: rating"),
                moved);
        String still = withInit(moved, "first").replaceFirst("learningRate: [0-9.e-]+", "learningRate: 1.0e-12").replace("epochs: 3", "epochs: 1");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        taskweave.train(write("moved.yaml", still), tmp.resolve("moved"), new PrintStream(log, true, StandardCharsets.UTF_8));
        String printed = log.toString(StandardCharsets.UTF_8);
        assertFalse(printed.contains("not carried over"), printed);

        writePairs();
        double furthest = largestDifference(scores(first), scores(tmp.resolve("moved")));
        assertTrue(furthest < 1e-4, "every task scores as in the first model: largest difference " + furthest);

        ModelStore store = taskweave.injector().getInstance(ModelStore.class);
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            AssembledModel before = store.load(first, manager).model();
            AssembledModel after = store.load(tmp.resolve("moved"), manager).model();
            float[] s0 = logVariances(before);
            float[] s1 = logVariances(after);
            assertTrue(Math.abs(s0[0] - s0[1]) > 1e-3 && Math.abs(s0[1] - s0[2]) > 1e-3, "trained log-variances differ: "
                    + java.util.Arrays.toString(s0));
            for (String task : List.of("rating", "like", "watch", "category")) {
                assertEquals(s0[before.task(task).index()], s1[after.task(task).index()], 1e-6f, task + "'s log-variance");
            }
        }
    }

    @Test
    void uncertaintyLogVariancesFollowTheirTasksWhenATaskIsRemoved() throws Exception {
        // the weighting block is numbered after the task heads: one head fewer moved its parameters' names
        FilesEndToEndTest.writeData(tmp);
        String config = CONFIG.replace("weighting: {type: fixed}", "weighting: {type: uncertainty}");
        Path first = tmp.resolve("first");
        taskweave.train(write("first.yaml", config), first, quiet());
        String watch = "  - {name: watch, head: binary, label: observed, metrics: [auc], params: {tower: [16], negatives: 1}}\n";
        assertTrue(config.contains(watch), config);
        String fewer = withInit(config.replace(watch, ""), "first").replaceFirst("learningRate: [0-9.e-]+", "learningRate: 1.0e-12")
                .replace("epochs: 3", "epochs: 1");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        taskweave.train(write("fewer.yaml", fewer), tmp.resolve("fewer"), new PrintStream(log, true, StandardCharsets.UTF_8));
        String printed = log.toString(StandardCharsets.UTF_8);
        assertFalse(printed.contains("logVariance") && printed.contains("not carried over"), printed);
        ModelStore store = taskweave.injector().getInstance(ModelStore.class);
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            AssembledModel before = store.load(first, manager).model();
            AssembledModel after = store.load(tmp.resolve("fewer"), manager).model();
            float[] s0 = logVariances(before);
            float[] s1 = logVariances(after);
            assertEquals(s0.length - 1, s1.length);
            for (ResolvedTask t : after.tasks()) {
                assertTrue(s0[before.task(t.name()).index()] != 0f, t.name() + " was trained");
                assertEquals(s0[before.task(t.name()).index()], s1[t.index()], 1e-6f, t.name() + "'s log-variance");
            }
        }
    }

    /** @return uncertainty weighting's log-variances, by task index */
    private static float[] logVariances(AssembledModel model) {
        return model.block().weightingBlock().getParameters().get(0).getValue().getArray().toFloatArray();
    }

    /** Writes pairs.tsv: 20 pairs of users and items of the files data, which {@link #scores} reads. */
    private void writePairs() throws Exception {
        StringBuilder pairs = new StringBuilder();
        for (int u : new int[] {0, 5, 77, 150, 299}) {
            for (int i : new int[] {0, 3, 31, 59}) {
                pairs.append("user-").append(u).append("\titem-").append(i).append('\n');
            }
        }
        Files.writeString(tmp.resolve("pairs.tsv"), pairs);
    }

    /** @return the largest difference between two models' scores of the same pairs and tasks */
    private static double largestDifference(List<double[]> a, List<double[]> b) {
        double furthest = 0;
        for (int p = 0; p < a.size(); p++) {
            for (int t = 0; t < a.get(p).length; t++) {
                furthest = Math.max(furthest, Math.abs(a.get(p)[t] - b.get(p)[t]));
            }
        }
        return furthest;
    }

    /** @return the experiment with {@code training.initFrom: dir} */
    static String withInit(String config, String dir) {
        String marker = "training: {";
        assertTrue(config.contains(marker), config);
        return config.replace(marker, "training: {initFrom: " + dir + ", ");
    }

    @Override
    List<double[]> scores(Path model) throws Exception {
        List<double[]> rows = super.scores(model);
        assertEquals(20, rows.size());
        return rows;
    }
}
