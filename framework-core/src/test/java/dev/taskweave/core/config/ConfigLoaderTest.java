package dev.taskweave.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void defaultsAndFullMapping() {
        ExperimentConfig c = loader.parse("""
                name: x
                seed: 7
                data: {type: synthetic, params: {users: 10}}
                features: {embeddingDim: 8, idDropout: 0.1, exclude: [item_tags], idInteraction: false}
                tasks:
                  - {name: rating, head: regression, label: rating, weight: 2.0, metrics: [rmse], params: {tower: [16]}}
                sharing: {type: mmoe, params: {experts: 3}}
                weighting: {type: uncertainty}
                optimizer: {learningRate: 0.01, weightDecay: 0.001, clipGradient: 5}
                training: {batchSize: 64, epochs: 3, evalBatchSize: 128, progressBar: false,
                           earlyStopping: {metric: valid.rating.rmse, patience: 2, minDelta: 0.001}}
                """, "x.yaml");
        assertEquals("x", c.name);
        assertEquals(7, c.seed);
        assertEquals("synthetic", c.data.type);
        assertEquals(Map.of("users", 10), c.data.params);
        assertEquals(8, c.features.embeddingDim);
        assertEquals(List.of("item_tags"), c.features.exclude);
        assertEquals(2.0, c.tasks.get(0).weight);
        assertEquals(List.of(16), c.tasks.get(0).params.get("tower"));
        assertEquals("uncertainty", c.weighting.type);
        assertEquals(0.001, c.optimizer.weightDecay);
        assertEquals(64, c.training.batchSize);
        assertEquals(2, c.training.earlyStopping.patience);

        ExperimentConfig d = loader.parse("tasks: []\n", "d.yaml");
        assertEquals(42, d.seed);
        assertEquals(16, d.features.embeddingDim);
        assertEquals("fixed", d.weighting.type);
        assertEquals(0.001, d.optimizer.learningRate);
        assertEquals(256, d.training.batchSize);
        assertEquals(10, d.training.epochs);
        assertEquals(null, d.training.earlyStopping);
    }

    @Test
    void unknownFieldNamesItsPathAndTheKnownFields() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("""
                tasks:
                  - {name: a, head: regression, label: rating}
                  - {name: b, haed: binary, label: like}
                """, "exp.yaml"));
        assertTrue(e.getMessage().startsWith("exp.yaml:3: tasks[1].haed: unknown field 'haed'"), e.getMessage());
        assertTrue(e.getMessage().contains("head"), e.getMessage());
    }

    @Test
    void illTypedValueNamesPathAndExpectedType() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("""
                training:
                  batchSize: lots
                """, "exp.yaml"));
        assertEquals("training.batchSize", e.path());
        assertTrue(e.getMessage().contains("'lots'") && e.getMessage().contains("an integer"), e.getMessage());
    }

    @Test
    void malformedYamlNamesTheLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("name: x\nseed: 1: 2\n", "bad.yaml"));
        assertTrue(e.getMessage().startsWith("bad.yaml:2: "), e.getMessage());
        assertTrue(e.getMessage().contains("malformed YAML"), e.getMessage());
    }

    @Test
    void emptyFileIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("  \n", "empty.yaml"));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void environmentVariablesAreSubstitutedWithDefaults() {
        String text = "a: ${HOME_DIR}/x\nb: ${MISSING:-fallback}\n";
        assertEquals("a: /h/x\nb: fallback\n", ConfigLoader.substitute(text, "f", Map.of("HOME_DIR", "/h")));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.substitute("x: 1\ny: ${NOPE}\n", "f.yaml", Map.of()));
        assertTrue(e.getMessage().startsWith("f.yaml:2: "), e.getMessage());
        assertTrue(e.getMessage().contains("NOPE"), e.getMessage());
    }

    @Test
    void bindReportsPathsUnderThePrefix() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> loader.bind(Map.of("experts", "four"), Params.class, "exp.yaml", "sharing.params"));
        assertEquals("sharing.params.experts", e.path());
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> loader.bind(Map.of("expert", 4), Params.class, "exp.yaml", "sharing.params"));
        assertEquals("sharing.params.expert", unknown.path());
        assertEquals(4, loader.bind(Map.of("experts", 4), Params.class, "exp.yaml", "sharing.params").experts);
    }

    public static final class Params {
        public int experts = 2;
    }
}
