package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.run.EpochRecord;
import dev.taskweave.core.run.TrainingResult;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Task dependencies (ESMM, AITM) and the pairwise BPR head, trained end to end on synthetic data
 * through the real plugin jars.
 */
class TaskGraphEndToEndTest extends RuntimeTest {
    private TrainingResult train(String name, String tasks) throws Exception {
        return train(name, tasks, "");
    }

    private TrainingResult train(String name, String tasks, String extra) throws Exception {
        String config = """
                seed: 3
                data: {type: synthetic, params: {users: 200, items: 80, meanInteractionsPerUser: 25}}
                features: {embeddingDim: 8}
                tasks:
                %s
                sharing: {type: shared-bottom, params: {layers: [16]}}
                optimizer: {learningRate: 0.01}
                training: {batchSize: 128, epochs: 4, progressBar: false, telemetry: false}
                """.formatted(tasks.indent(2).stripTrailing()) + extra;
        Path file = tmp.resolve(name + ".yaml");
        Files.writeString(file, config);
        return taskweave.train(file, tmp.resolve(name), quiet());
    }

    private static void lossesFall(TrainingResult result, String... tasks) {
        List<EpochRecord> history = result.history();
        for (String task : tasks) {
            double first = history.get(0).trainLoss().get(task);
            double last = history.get(history.size() - 1).trainLoss().get(task);
            assertTrue(last < first, task + " loss did not fall: " + first + " -> " + last);
        }
    }

    /** @return per task, the predicted scores of every (user, item) pair in {@code pairs} */
    private Map<String, double[]> predict(String model, int pairs) throws Exception {
        StringBuilder tsv = new StringBuilder("user\titem\n");
        for (int k = 0; k < pairs; k++) {
            tsv.append("u").append(k % 200).append("\ti").append((k * 7) % 80).append('\n');
        }
        Path file = tmp.resolve(model + "-pairs.tsv");
        Files.writeString(file, tsv);
        StringWriter out = new StringWriter();
        taskweave.predict(tmp.resolve(model), file, out, List.of());
        String[] lines = out.toString().split("\n");
        String[] header = lines[0].split("\t");
        Map<String, double[]> scores = new java.util.LinkedHashMap<>();
        for (int c = 2; c < header.length; c++) {
            double[] column = new double[lines.length - 1];
            for (int r = 1; r < lines.length; r++) {
                column[r - 1] = Double.parseDouble(lines[r].split("\t")[c]);
            }
            scores.put(header[c], column);
        }
        return scores;
    }

    @Test
    void esmmTaskIsTheJointEventAndNeverExceedsItsParent() throws Exception {
        TrainingResult result = train("esmm", """
                - {name: watch, head: binary, label: observed, params: {tower: [8], negatives: 1}}
                - {name: like, head: binary, label: rating, dependsOn: watch, params: {tower: [8], threshold: 4.0}}
                """);
        lossesFall(result, "watch", "like");
        // like is evaluated as the joint event watch & like: sampled negatives count as negatives
        double auc = result.metrics().get("test").get("like").get("auc");
        assertTrue(auc > 0.75, "joint like AUC " + auc);
        Map<String, double[]> scores = predict("esmm", 300);
        double[] watch = scores.get("watch");
        double[] like = scores.get("like");
        for (int r = 0; r < watch.length; r++) {
            assertTrue(like[r] <= watch[r] + 1e-6, "row " + r + ": p(like & watch) " + like[r] + " > p(watch) " + watch[r]);
        }
    }

    @Test
    void esmmTrainsUnderGradientSurgery() throws Exception {
        // that PCGrad sees both tasks' gradients on the parent's head is checked in ParameterGroupsTest;
        // this checks the combination trains
        TrainingResult result = train("esmm-pcgrad", """
                - {name: watch, head: binary, label: observed, params: {tower: [8], negatives: 1}}
                - {name: like, head: binary, label: rating, dependsOn: watch, params: {tower: [8], threshold: 4.0}}
                """, "weighting: {type: pcgrad}\n");
        lossesFall(result, "watch", "like");
        double auc = result.metrics().get("test").get("like").get("auc");
        assertTrue(auc > 0.75, "joint like AUC " + auc);
    }

    @Test
    void aitmTransfersFromTheParentAndTrains() throws Exception {
        TrainingResult result = train("aitm", """
                - {name: watch, head: binary, label: observed, params: {tower: [8], negatives: 1}}
                - {name: like, head: binary, label: rating, dependsOn: watch, transfer: aitm, calibration: 0.6, params: {tower: [8], threshold: 4.0}}
                """);
        lossesFall(result, "watch", "like");
        double auc = result.metrics().get("test").get("like").get("auc");
        assertTrue(auc > 0.6, "like AUC " + auc);
        // the saved model (with its transfer module) reproduces the training metrics
        assertEquals(result.metrics(), taskweave.evaluate(tmp.resolve("aitm")));
    }

    @Test
    void bprRanksWatchedItemsAboveSampledOnes() throws Exception {
        TrainingResult result = train("bpr", """
                - {name: rating, head: regression, label: rating, params: {tower: [8]}}
                - {name: watch, head: bpr, label: observed, params: {tower: [8]}}
                """);
        lossesFall(result, "rating", "watch");
        Map<String, Double> watch = result.metrics().get("test").get("watch");
        assertTrue(watch.get("auc") > 0.7, "watch AUC " + watch);
        assertTrue(watch.containsKey("hr@10") && watch.get("auc_per_user") > 0.7, watch.toString());
        // a ranking score is not a predicted value: a least-squares line of it to 0/1 labels means
        // nothing (a head says its output is its prediction with TaskHead.predictsValue)
        ConfigException linear = assertThrows(ConfigException.class, () -> train("bpr-linear", """
                - {name: rating, head: regression, label: rating, calibrate: linear, params: {tower: [8]}}
                - {name: watch, head: bpr, label: observed, calibrate: linear, params: {tower: [8]}}
                """));
        assertTrue(linear.getMessage().contains("tasks[1].calibrate: linear maps one predicted value (a head such as regression,"
                + " whose output is its prediction; platt calibrates a logit); task 'watch' has head 'bpr'"), linear.getMessage());
    }

    @Test
    void badDependenciesNameTheField() throws Exception {
        ConfigException later = assertThrows(ConfigException.class, () -> train("later", """
                - {name: like, head: binary, label: rating, dependsOn: watch, params: {threshold: 4.0}}
                - {name: watch, head: binary, label: observed, params: {negatives: 1}}
                """));
        assertTrue(later.getMessage().contains("tasks[0].dependsOn") && later.getMessage().contains("declared before"),
                later.getMessage());
        ConfigException unknown = assertThrows(ConfigException.class, () -> train("unknown", """
                - {name: watch, head: binary, label: observed, params: {negatives: 1}}
                - {name: like, head: binary, label: rating, dependsOn: watch, transfer: chain, params: {threshold: 4.0}}
                """));
        assertTrue(unknown.getMessage().contains("tasks[1].transfer"), unknown.getMessage());
        ConfigException regression = assertThrows(ConfigException.class, () -> train("regression", """
                - {name: watch, head: binary, label: observed, params: {negatives: 1}}
                - {name: rating, head: regression, label: rating, dependsOn: watch}
                """));
        assertTrue(regression.getMessage().contains("tasks[1].dependsOn") && regression.getMessage().contains("one-logit"),
                regression.getMessage());
    }
}
