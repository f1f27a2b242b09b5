package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskweave.api.data.Entity;
import dev.taskweave.api.data.FeatureSpec;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.config.ConfigLoader;
import dev.taskweave.core.run.ModelAssembler;
import dev.taskweave.core.run.TrainingResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** An item-attribute task next to rating, on synthetic data, with {@code hideFeatures}. */
class AttributeTaskEndToEndTest extends RuntimeTest {
    static final String CONFIG = """
            name: attribute
            seed: 5
            data:
              type: synthetic
              params: {users: 200, items: 100, meanInteractionsPerUser: 25, attributeHoldout: 0.2}
            features: {embeddingDim: 8}
            tasks:
              - {name: rating, head: regression, label: rating, metrics: [rmse], params: {tower: [8]}}
              - name: category
                head: multiclass
                label: item_category
                metrics: [accuracy]
                hideFeatures: [item_id]
                params: {tower: [8]}
            sharing: {type: shared-bottom, params: {layers: [16]}}
            weighting: {type: fixed}
            optimizer: {learningRate: 0.01}
            training: {batchSize: 128, epochs: 3, progressBar: false}
            """;

    /** The same with a multi-label task on the item tags instead of the category. */
    static final String TAGS = CONFIG.replace("""
              - name: category
                head: multiclass
                label: item_category
                metrics: [accuracy]
            """, """
              - name: tags
                head: multilabel
                label: item_tags
                metrics: [micro_f1, top1_precision, map]
            """);

    @Test
    void hiddenFeaturesJoinTheLabelOnAttributeRowsInTrainingAndAfterReloading() throws Exception {
        Path config = write("experiment.yaml", CONFIG);
        var experiment = new ConfigLoader().load(config);
        List<FeatureSpec> features = List.of(FeatureSpec.identifier("user_id", Entity.USER, 3),
                FeatureSpec.identifier("item_id", Entity.ITEM, 3), FeatureSpec.categorical("item_category", Entity.ITEM, 4),
                FeatureSpec.multiHot("item_tags", Entity.ITEM, 2));
        assertEquals(Set.of("item_category", "item_id"), ModelAssembler.attributeLabelFeatures(experiment, features));
        TrainingResult result = taskweave.train(config, tmp.resolve("model"), quiet());
        double accuracy = result.metrics().get("attribute_test").get("category").get("accuracy");
        assertTrue(accuracy >= 0 && accuracy <= 1, "accuracy " + accuracy);
        // the reloaded model hides the same features on attribute rows: evaluate reproduces every metric
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.valueToTree(result.metrics()), json.valueToTree(taskweave.evaluate(tmp.resolve("model"))));

        // predict scores the attribute on the item alone: the same for every user of the pair
        Path pairs = write("pairs.tsv", "user\titem\nu0\ti0\nu1\ti0\nu0\ti1\n");
        java.io.StringWriter out = new java.io.StringWriter();
        assertEquals(3, taskweave.predict(tmp.resolve("model"), pairs, out, List.of("rating", "category")));
        String[][] rows = out.toString().lines().skip(1).map(l -> l.split("\t")).toArray(String[][]::new);
        assertEquals(rows[0][3], rows[1][3], out.toString());
        assertTrue(!rows[0][2].equals(rows[1][2]), "the rating depends on the user: " + out);
        assertTrue(!rows[0][3].equals(rows[2][3]), "another item, another category: " + out);
    }

    @Test
    void aThresholdCalibratedMultiLabelTaskKeepsItsRankingAndDoesNotLoseF1OnValidation() throws Exception {
        String tags = TAGS.replace("attributeHoldout: 0.2}", "attributeHoldout: 0.2, attributeValid: 0.2}");
        TrainingResult plain = taskweave.train(write("plain.yaml", tags), tmp.resolve("plain"), quiet());
        TrainingResult calibrated = taskweave.train(write("threshold.yaml",
                tags.replace("- name: tags", "- name: tags\n    calibrate: threshold")), tmp.resolve("threshold"), quiet());
        // the valid split holds the attributeValid items' tags; training is the same
        assertEquals(plain.history().get(2).trainLoss(), calibrated.history().get(2).trainLoss());
        for (String split : List.of("valid", "attribute_test")) {
            var before = plain.metrics().get(split).get("tags");
            var after = calibrated.metrics().get(split).get("tags");
            // a shift of every logit: the order within a row, so its top label and ranking, stays
            assertEquals(before.get("top1_precision"), after.get("top1_precision"), 1e-12, split);
            assertEquals(before.get("map"), after.get("map"), 1e-12, split);
            assertEquals(plain.metrics().get(split).get("rating"), calibrated.metrics().get(split).get("rating"), split);
        }
        // the threshold is the best one on valid, so F1 there cannot fall
        double validBefore = plain.metrics().get("valid").get("tags").get("micro_f1");
        double validAfter = calibrated.metrics().get("valid").get("tags").get("micro_f1");
        assertTrue(validAfter >= validBefore, validAfter + " vs " + validBefore);
        // stored as a shift (a = 1) and reloaded with it
        ObjectMapper json = new ObjectMapper();
        var manifest = json.readTree(tmp.resolve("threshold/model.json").toFile());
        assertEquals(1.0, manifest.at("/tasks/1/calibration/0").asDouble(), 1e-12, manifest.toString());
        // the attribute's kind is recorded, so a reloaded head can check it; a label column records none
        assertEquals("MULTI_LABEL", manifest.at("/tasks/1/attributeKind").asText(), manifest.toString());
        assertTrue(manifest.at("/tasks/0/attributeKind").isMissingNode(), manifest.toString());
        assertEquals(json.valueToTree(calibrated.metrics()), json.valueToTree(taskweave.evaluate(tmp.resolve("threshold"))));
    }

    @Test
    void aThresholdFittedOnTheTrainingRowsNeedsNoValidationRows() throws Exception {
        // with an implicit task (sampled negatives) next to it, as in the MovieLens recipe
        String tags = TAGS.replace("  - name: tags", "  - {name: watch, head: binary, label: observed, metrics: [auc],"
                + " params: {tower: [8], negatives: 1}}\n  - name: tags");
        TrainingResult plain = taskweave.train(write("plain.yaml", tags), tmp.resolve("plain"), quiet());
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        TrainingResult calibrated = taskweave.train(write("train.yaml",
                tags.replace("- name: tags", "- name: tags\n    calibrate: threshold\n    calibrateOn: train")),
                tmp.resolve("train"), new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
        // 100 items, 20 held out: the 80 others are the task's training rows
        assertTrue(log.toString(java.nio.charset.StandardCharsets.UTF_8).contains("calibrated tags on 80 training rows: decision at logit"),
                log.toString(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(plain.history().get(2).trainLoss(), calibrated.history().get(2).trainLoss());
        var before = plain.metrics().get("attribute_test").get("tags");
        var after = calibrated.metrics().get("attribute_test").get("tags");
        assertEquals(before.get("top1_precision"), after.get("top1_precision"), 1e-12);
        assertEquals(before.get("map"), after.get("map"), 1e-12);
        var manifest = new ObjectMapper().readTree(tmp.resolve("train/model.json").toFile());
        assertEquals(1.0, manifest.at("/tasks/2/calibration/0").asDouble(), 1e-12, manifest.toString());

        assertError(tags.replace("- name: tags", "- name: tags\n    calibrateOn: train"),
                "tasks[2].calibrateOn: set without calibrate: there is nothing to fit on the training rows");
        assertError(tags.replace("- name: tags", "- name: tags\n    calibrate: threshold\n    calibrateOn: test"),
                "tasks[2].calibrateOn: expected valid or train, got 'test'");
    }

    @Test
    void aThresholdNeedsValidationRowsOfTheTaskAndLogits() throws Exception {
        String tags = TAGS.replace("- name: tags", "- name: tags\n    calibrate: threshold");
        assertError(tags, "tasks[1].calibrate: threshold is fitted on the task's rows of the validation split, and the data has none"
                + " for task 'tags' (an attribute task needs a dataset that holds out some entities' attributes as validation)");
        assertError(CONFIG.replace("- name: category", "- name: category\n    calibrate: threshold"),
                "tasks[1].calibrate: threshold shifts logits whose sigmoids are probabilities (heads such as binary and multilabel);"
                        + " task 'category' has head 'multiclass'");
    }

    @Test
    void hideFeaturesIsCheckedAgainstTheTaskAndTheData() throws Exception {
        assertError(CONFIG.replace("metrics: [rmse], params", "metrics: [rmse], hideFeatures: [item_id], params"),
                "tasks[0].hideFeatures: only an entity-attribute task has rows of its own to hide features on");
        assertError(CONFIG.replace("hideFeatures: [item_id]", "hideFeatures: [item_id, user_segment]"),
                "tasks[1].hideFeatures[1]: 'user_segment' is not a feature of the item");
        assertError(CONFIG.replace("hideFeatures: [item_id]", "hideFeatures: [item_colour]"),
                "tasks[1].hideFeatures[0]: 'item_colour' is not a feature of the item");
    }

    @Test
    void aWidePartWithEmbeddingsOfItsOwnTrainsReloadsAndIsChecked() throws Exception {
        String wide = CONFIG.replace("hideFeatures: [item_id]", "hideFeatures: [item_id]\n    wideFeatures: [item_tags, user_segment]");
        Path config = write("experiment.yaml", wide);
        TrainingResult result = taskweave.train(config, tmp.resolve("wide"), quiet());
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.valueToTree(result.metrics()), json.valueToTree(taskweave.evaluate(tmp.resolve("wide"))));
        // the part's own tables are the category task's: a table for the tags and one for the user segment, the map and its bias
        try (var manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            var loaded = taskweave.injector().getInstance(dev.taskweave.core.store.ModelStore.class).load(tmp.resolve("wide"), manager);
            assertTrue(loaded.model().block().hasWidePart(1) && !loaded.model().block().hasWidePart(0));
            List<String> names = loaded.model().block().taskParameters(1).stream().map(ai.djl.nn.Parameter::getName).toList();
            assertTrue(names.containsAll(List.of("item_tags", "user_segment")), names.toString());
        }
        assertError(CONFIG.replace("hideFeatures: [item_id]", "hideFeatures: [item_id]\n    wideFeatures: [item_tags, item_colour]"),
                "tasks[1].wideFeatures[1]: 'item_colour' is not a feature of the data; expected one of [");
        assertError(CONFIG.replace("hideFeatures: [item_id]", "hideFeatures: [item_id]\n    wideFeatures: [item_tags, item_tags]"),
                "tasks[1].wideFeatures[1]: 'item_tags' is listed twice");
    }

    private void assertError(String text, String expected) throws Exception {
        Path config = write("experiment.yaml", text);
        ConfigException e = assertThrows(ConfigException.class, () -> taskweave.train(config, tmp.resolve("bad"), quiet()));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains("experiment.yaml"), e.getMessage());
    }
}
