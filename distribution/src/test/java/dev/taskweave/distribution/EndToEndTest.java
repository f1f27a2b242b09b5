package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskweave.api.data.Dataset;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.run.EpochRecord;
import dev.taskweave.core.run.ModelAssembler;
import dev.taskweave.core.run.Plan;
import dev.taskweave.core.run.TrainingResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Trains on small synthetic data through the real plugin jars of the distribution. */
class EndToEndTest extends RuntimeTest {
    static final String CONFIG = """
            name: e2e
            seed: 11
            data:
              type: synthetic
              params: {users: 300, items: 120, meanInteractionsPerUser: 30}
            features: {embeddingDim: 8, idDropout: 0.05}
            tasks:
              - {name: rating, head: regression, label: rating, metrics: [rmse, mae], params: {tower: [16], minScore: 1.0, maxScore: 5.0}}
              - {name: like, head: binary, label: rating, metrics: [auc], params: {tower: [16], threshold: 4.0}}
              - {name: watch, head: binary, label: observed, metrics: [auc], params: {tower: [16], negatives: 2}}
            sharing: {type: mmoe, params: {experts: 3, expertLayers: [32, 16]}}
            weighting: {type: uncertainty}
            optimizer: {learningRate: 0.005}
            training: {batchSize: 128, epochs: 6, progressBar: false}
            """;

    @Test
    void trainingLowersEveryLossBeatsBaselinesAndReproduces() throws Exception {
        Path config = write("e2e.yaml", CONFIG);
        TrainingResult result = taskweave.train(config, tmp.resolve("model"), quiet());
        List<EpochRecord> history = result.history();
        assertEquals(6, history.size());
        for (String task : List.of("rating", "like", "watch")) {
            double first = history.get(0).trainLoss().get(task);
            double last = history.get(history.size() - 1).trainLoss().get(task);
            assertTrue(last < first * 0.95, task + " loss did not fall: " + first + " -> " + last);
        }

        // trivial baselines on the test split: the training mean for ratings, a constant (AUC 0.5) for the rest
        ModelAssembler assembler = taskweave.injector().getInstance(ModelAssembler.class);
        Plan plan = assembler.plan(new ConfigLoader().load(config), config.toString());
        Dataset data = assembler.loadData(plan, tmp);
        double mean = mean(data.train().label("rating"));
        float[] test = data.splits().get("test").label("rating");
        double baselineRmse = 0;
        for (float r : test) {
            baselineRmse += (r - mean) * (r - mean);
        }
        baselineRmse = Math.sqrt(baselineRmse / test.length);
        Map<String, Map<String, Double>> testMetrics = result.metrics().get("test");
        assertTrue(testMetrics.get("rating").get("rmse") < baselineRmse * 0.95,
                "rating RMSE " + testMetrics.get("rating").get("rmse") + " vs mean baseline " + baselineRmse);
        assertTrue(testMetrics.get("like").get("auc") > 0.6, "like AUC " + testMetrics.get("like").get("auc"));
        assertTrue(testMetrics.get("watch").get("auc") > 0.6, "watch AUC " + testMetrics.get("watch").get("auc"));

        // metrics.json holds what training returned; evaluate reproduces it from the saved model
        ObjectMapper json = new ObjectMapper();
        JsonNode written = json.readTree(tmp.resolve("model/metrics.json").toFile());
        assertEquals(json.valueToTree(result.metrics()), written);
        assertEquals(json.valueToTree(result.metrics()), json.valueToTree(taskweave.evaluate(tmp.resolve("model"))));

        // the same seed gives exactly the same metrics (this once failed when the garbage collector
        // freed a scalar that backward still read: AutogradSafetyTest and ScalarsTest guard that)
        TrainingResult again = taskweave.train(config, tmp.resolve("model2"), quiet());
        assertEquals(result.metrics(), again.metrics());

        // provenance names the plugins and the data fingerprint
        JsonNode manifest = json.readTree(tmp.resolve("model/model.json").toFile());
        assertEquals("mmoe (taskweave-sharing-basic 0.1.0-SNAPSHOT)", manifest.at("/provenance/components/sharing").asText());
        assertTrue(manifest.get("dataFingerprint").asText().matches("v2:[0-9a-f]{64}"), manifest.get("dataFingerprint").asText());
        assertEquals(11, manifest.get("seed").asInt());
        // nothing in it needs format 2 (ModelManifest.formatFor): releases of format 1 read it
        assertEquals(1, manifest.get("formatVersion").asInt());
        // a model loaded under another version of a plugin it was made with says so
        dev.taskweave.core.store.ModelStore store = taskweave.injector().getInstance(dev.taskweave.core.store.ModelStore.class);
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            assertEquals(List.of(), store.load(tmp.resolve("model"), manager).warnings());
            ((com.fasterxml.jackson.databind.node.ObjectNode) manifest.at("/provenance/plugins")).put("taskweave-sharing-basic", "0.0.9");
            json.writeValue(tmp.resolve("model/model.json").toFile(), manifest);
            // model.json edited: as a model of a release before its own checksum, which loads it unchecked
            Dist.withoutManifestChecksum(tmp.resolve("model"));
            assertEquals(List.of("the model was made with plugin taskweave-sharing-basic 0.0.9 (installed: 0.1.0-SNAPSHOT): it runs"
                    + " with the installed version, whose scores may differ from those measured when it was trained (evaluate it"
                    + " again, or retrain it)", "model.json.crc32c is missing, so model.json is read unchecked (models written before"
                    + " the checksum was recorded have none; a copy made without it is checked again once copied whole)"),
                    store.load(tmp.resolve("model"), manager).warnings());
            // a model of a later format, with a field this release does not know: refused for its format, not the field
            ((com.fasterxml.jackson.databind.node.ObjectNode) manifest).put("formatVersion", 3).put("laterField", true);
            json.writeValue(tmp.resolve("model/model.json").toFile(), manifest);
            dev.taskweave.core.config.ConfigException later = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.taskweave.core.config.ConfigException.class, () -> store.load(tmp.resolve("model"), manager));
            assertTrue(later.getMessage().contains("model.json: formatVersion: model format 3 is newer than this Taskweave reads (2,")
                    && later.getMessage().contains("written by a later release"), later.getMessage());
            // the format as a string is read as a number, and checked as one; a format below 1 is no format
            ((com.fasterxml.jackson.databind.node.ObjectNode) manifest).put("formatVersion", "3").remove("laterField");
            json.writeValue(tmp.resolve("model/model.json").toFile(), manifest);
            later = org.junit.jupiter.api.Assertions.assertThrows(dev.taskweave.core.config.ConfigException.class,
                    () -> store.load(tmp.resolve("model"), manager));
            assertTrue(later.getMessage().contains("model format 3 is newer than this Taskweave reads"), later.getMessage());
            ((com.fasterxml.jackson.databind.node.ObjectNode) manifest).put("formatVersion", 0);
            json.writeValue(tmp.resolve("model/model.json").toFile(), manifest);
            later = org.junit.jupiter.api.Assertions.assertThrows(dev.taskweave.core.config.ConfigException.class,
                    () -> store.load(tmp.resolve("model"), manager));
            assertTrue(later.getMessage().contains("formatVersion: expected a model format from 1 to 2, got 0"), later.getMessage());
            ((com.fasterxml.jackson.databind.node.ObjectNode) manifest).put("laterField", true);
            // the same field in a model of this format is an error of the file (a model is not edited by hand)
            ((com.fasterxml.jackson.databind.node.ObjectNode) manifest).put("formatVersion", 2);
            json.writeValue(tmp.resolve("model/model.json").toFile(), manifest);
            dev.taskweave.core.config.ConfigException unknown = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.taskweave.core.config.ConfigException.class, () -> store.load(tmp.resolve("model"), manager));
            assertTrue(unknown.getMessage().contains("laterField"), unknown.getMessage());
            ((com.fasterxml.jackson.databind.node.ObjectNode) manifest).put("formatVersion", 1).remove("laterField");
            json.writeValue(tmp.resolve("model/model.json").toFile(), manifest);
        }

        // predict scores pairs with every head
        Path pairs = write("pairs.tsv", "user\titem\n" + data.users().rawIds().get(0) + "\t" + data.items().rawIds().get(0) + "\n");
        StringWriter out = new StringWriter();
        assertEquals(1, taskweave.predict(tmp.resolve("model"), pairs, out, List.of()));
        String[] lines = out.toString().split("\n");
        assertEquals("user\titem\trating\tlike\twatch", lines[0]);
        String[] cells = lines[1].split("\t");
        double rating = Double.parseDouble(cells[2]);
        double like = Double.parseDouble(cells[3]);
        assertTrue(rating >= 1 && rating <= 5, lines[1]);
        assertTrue(like > 0 && like < 1, lines[1]);
    }

    @Test
    void smallBatchesTrainOnOneThreadAndTheEngineGetsItsCountBack() throws Exception {
        int engine = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        org.junit.jupiter.api.Assumptions.assumeTrue(engine > 1, "the distribution's tests run PyTorch on 2 threads; this JVM has " + engine);
        String oneEpoch = CONFIG.replace("epochs: 6, progressBar: false", "epochs: 2, progressBar: false");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainingResult chosen = taskweave.train(write("chosen.yaml", oneEpoch), tmp.resolve("chosen"),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        String text = log.toString(StandardCharsets.UTF_8);
        java.util.regex.Matcher said = java.util.regex.Pattern.compile("training steps on 1 PyTorch thread of " + engine
                + " \\(training.threads: 0 chooses one for steps of fewer than 48,000,000 multiply-adds; this one has ([0-9,]+): ([0-9,]+) a"
                + " row times 128 rows\\)").matcher(text);
        assertTrue(said.find(), text);
        long perRow = Long.parseLong(said.group(2).replace(",", ""));
        assertEquals(perRow * 128, Long.parseLong(said.group(1).replace(",", "")));
        assertEquals(1, chosen.threads());
        assertEquals(engine, ai.djl.pytorch.jni.JniUtils.getNumThreads(), "evaluation and later runs get the engine's count back");
        // the engine's count, set: nothing said, and the same model up to rounding (a product or a sum shared by
        // two threads adds in another order: the metrics differ from the 8th digit on)
        log.reset();
        TrainingResult all = taskweave.train(write("all.yaml", oneEpoch.replace("progressBar: false", "progressBar: false, threads: "
                + engine)), tmp.resolve("all"), new PrintStream(log, true, StandardCharsets.UTF_8));
        assertFalse(log.toString(StandardCharsets.UTF_8).contains("PyTorch thread"), log.toString(StandardCharsets.UTF_8));
        assertEquals(engine, all.threads());
        assertEquals(chosen.metrics().keySet(), all.metrics().keySet());
        chosen.metrics().forEach((split, tasks) -> tasks.forEach((task, metrics) -> metrics.forEach((metric, value) ->
                assertEquals(value, all.metrics().get(split).get(task).get(metric), 1e-6, split + "." + task + "." + metric))));
        assertEquals(engine, ai.djl.pytorch.jni.JniUtils.getNumThreads());
        // steps of the limit's size or more train on the engine's count: this model's at a batch that reaches it
        log.reset();
        long rows = (dev.taskweave.core.run.Trainer.TWO_THREAD_WORK + perRow - 1) / perRow;
        TrainingResult large = taskweave.train(write("large.yaml", oneEpoch.replace("batchSize: 128", "batchSize: " + rows)),
                tmp.resolve("large"), new PrintStream(log, true, StandardCharsets.UTF_8));
        assertFalse(log.toString(StandardCharsets.UTF_8).contains("PyTorch thread"), log.toString(StandardCharsets.UTF_8));
        assertEquals(engine, large.threads());
    }

    @Test
    void earlyStoppingOnAMetricThatIsNeverFiniteKeepsTheLastEpochAndSaysWhy() throws Exception {
        // every rating is at least 0.5: the like task's validation labels are all positive, its AUC undefined
        String undefined = CONFIG.replace("threshold: 4.0", "threshold: 0.5")
                .replace("epochs: 6, progressBar: false", "epochs: 3, progressBar: false, earlyStopping: {metric: valid.like.auc, patience: 1}");
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        TrainingResult result = taskweave.train(write("undefined.yaml", undefined), tmp.resolve("undefined"),
                new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
        String text = log.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(1, result.history().size(), text);
        assertEquals(1, result.bestEpoch(), "the epoch whose weights are kept");
        assertTrue(text.contains("warning: valid.like.auc is not finite after epoch 1 (undefined on the validation rows"), text);
        assertTrue(text.contains("early stopping after epoch 1: valid.like.auc was not finite for 1 epoch; the last epoch's weights"
                + " are kept"), text);
        assertTrue(result.stoppedEarly());
        // patience that runs out with the last epoch stops nothing early: the run finished
        java.io.ByteArrayOutputStream last = new java.io.ByteArrayOutputStream();
        TrainingResult one = taskweave.train(write("last.yaml", undefined.replace("epochs: 3,", "epochs: 1,")), tmp.resolve("last"),
                new java.io.PrintStream(last, true, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(1, one.history().size());
        assertFalse(one.stoppedEarly(), last.toString(java.nio.charset.StandardCharsets.UTF_8));
        assertFalse(last.toString(java.nio.charset.StandardCharsets.UTF_8).contains("early stopping after"));
    }

    @Test
    void adamWTrainsWithItsOwnDecoupledWeightDecay() throws Exception {
        String adam = CONFIG.replace("optimizer: {learningRate: 0.005}", "optimizer: {learningRate: 0.005, weightDecay: 0.01}");
        TrainingResult coupled = taskweave.train(write("adam.yaml", adam), tmp.resolve("adam"), quiet());
        TrainingResult decoupled = taskweave.train(write("adamw.yaml", adam.replace("weightDecay: 0.01", "type: adamw, weightDecay: 0.01")),
                tmp.resolve("adamw"), quiet());
        List<EpochRecord> history = decoupled.history();
        for (String task : List.of("rating", "like", "watch")) {
            double first = history.get(0).trainLoss().get(task);
            double last = history.get(history.size() - 1).trainLoss().get(task);
            assertTrue(last < first * 0.95, task + " loss did not fall: " + first + " -> " + last);
        }
        // the type took effect: the same decay applied another way gives another model
        assertTrue(!coupled.metrics().equals(decoupled.metrics()), "adam and adamw gave the same metrics");
    }

    @Test
    void weightAveragingEvaluatesAndSavesTheAverageOfTheWeights() throws Exception {
        TrainingResult plain = taskweave.train(write("plain.yaml", CONFIG), tmp.resolve("plain"), quiet());
        String averaged = CONFIG.replace("progressBar: false}", "progressBar: false, weightAverage: 0.9}");
        TrainingResult result = taskweave.train(write("ema.yaml", averaged), tmp.resolve("ema"), quiet());
        List<EpochRecord> history = result.history();
        for (String task : List.of("rating", "like", "watch")) {
            double first = history.get(0).trainLoss().get(task);
            double last = history.get(history.size() - 1).trainLoss().get(task);
            assertTrue(last < first * 0.95, task + " loss did not fall: " + first + " -> " + last);
        }
        // the training steps are the same; what is evaluated is not
        assertEquals(plain.history().get(0).trainLoss(), history.get(0).trainLoss());
        assertTrue(!plain.metrics().equals(result.metrics()), "averaging changed nothing");
        // the last epoch's validation ran on the averaged weights, and those are the saved model
        assertEquals(history.get(history.size() - 1).validation(), result.metrics().get(Dataset.VALID));
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.valueToTree(result.metrics()), json.valueToTree(taskweave.evaluate(tmp.resolve("ema"))));
        assertTrue(result.metrics().get("test").get("rating").get("rmse") < plain.metrics().get("test").get("rating").get("rmse") * 1.05,
                "averaged RMSE " + result.metrics().get("test").get("rating").get("rmse") + " vs " + plain.metrics().get("test").get("rating").get("rmse"));
    }

    @Test
    void plattCalibrationKeepsTheOrderAndLowersTheCalibrationError() throws Exception {
        String base = CONFIG.replace("metrics: [auc], params: {tower: [16], threshold: 4.0}", "metrics: [auc, ece], params: {tower: [16], threshold: 4.0}");
        TrainingResult plain = taskweave.train(write("plain.yaml", base), tmp.resolve("plain"), quiet());
        String calibrated = base.replace("{name: like, head: binary,", "{name: like, calibrate: platt, head: binary,");
        TrainingResult result = taskweave.train(write("platt.yaml", calibrated), tmp.resolve("platt"), quiet());
        // training is the same; only the like head's probabilities change, monotonically
        assertEquals(plain.history().get(plain.history().size() - 1).trainLoss(), result.history().get(result.history().size() - 1).trainLoss());
        for (String split : List.of("valid", "test")) {
            Map<String, Double> before = plain.metrics().get(split).get("like");
            Map<String, Double> after = result.metrics().get(split).get("like");
            assertEquals(before.get("auc"), after.get("auc"), 1e-9, split);
            assertEquals(plain.metrics().get(split).get("rating"), result.metrics().get(split).get("rating"), split);
        }
        // fitted on valid, where it can only help the likelihood; ECE follows
        assertTrue(result.metrics().get("valid").get("like").get("ece") < plain.metrics().get("valid").get("like").get("ece"),
                result.metrics().get("valid").get("like") + " vs " + plain.metrics().get("valid").get("like"));
        // the model stores it and reloads with it
        ObjectMapper json = new ObjectMapper();
        JsonNode manifest = json.readTree(tmp.resolve("platt/model.json").toFile());
        assertEquals(2, manifest.at("/tasks/1/calibration").size());
        assertTrue(manifest.at("/tasks/0/calibration").isMissingNode());
        assertEquals(json.valueToTree(result.metrics()), json.valueToTree(taskweave.evaluate(tmp.resolve("platt"))));
        // only a one-logit head can be calibrated
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> taskweave.train(write("bad.yaml",
                base.replace("{name: rating, head: regression,", "{name: rating, calibrate: platt, head: regression,")), tmp.resolve("bad"), quiet()));
        assertTrue(e.getMessage().contains("tasks[0].calibrate"), e.getMessage());

        // validation rows of one class: refused before training, naming the setting (it failed after training, losing the model)
        ByteArrayOutputStream oneClassLog = new ByteArrayOutputStream();
        Exception oneClass = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> taskweave.train(write("oneclass.yaml",
                calibrated.replace("threshold: 4.0", "threshold: 6.0")), tmp.resolve("oneclass"),
                new PrintStream(oneClassLog, true, StandardCharsets.UTF_8)));
        assertTrue(oneClass.getMessage().contains("tasks[1].calibrate: platt needs both classes among the task's validation rows, and they"
                + " hold 0 positive and "), oneClass.getMessage());
        assertTrue(!oneClassLog.toString(StandardCharsets.UTF_8).contains("epoch 1"), oneClassLog.toString(StandardCharsets.UTF_8));

        // a diverged run is not calibrated (no map fits NaN outputs): it ends, says so, and its metrics say NaN
        ByteArrayOutputStream divergedLog = new ByteArrayOutputStream();
        TrainingResult diverged = taskweave.train(write("diverged.yaml", calibrated.replace("learningRate: 0.005", "learningRate: 1.0e+30")
                .replace("epochs: 6", "epochs: 1")), tmp.resolve("diverged"), new PrintStream(divergedLog, true, StandardCharsets.UTF_8));
        String printed = divergedLog.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("warning: like not calibrated: ") && printed.contains(" outputs on the validation rows are not finite numbers"
                + " (training diverged?)"), printed);
        assertTrue(Double.isNaN(diverged.metrics().get("test").get("like").get("auc")), diverged.metrics().toString());
        assertTrue(json.readTree(tmp.resolve("diverged/model.json").toFile()).at("/tasks/1/calibration").isMissingNode());
    }

    private static double mean(float[] values) {
        double sum = 0;
        int n = 0;
        for (float v : values) {
            if (!Float.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        return sum / n;
    }
}
