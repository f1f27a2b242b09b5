package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.taskweave.core.config.ConfigException;
import dev.taskweave.core.store.ModelStore;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code training.negativeExponent}: negatives drawn in proportion to popularity teach an
 * implicit-feedback task to tell a user's items from popular ones, so its scores follow item
 * popularity much less than with uniform negatives, which mostly teach "popular items are watched".
 */
class NegativeSamplingEndToEndTest extends RuntimeTest {
    static final String CONFIG = """
            seed: 6
            data: {type: synthetic, params: {users: 200, items: 80, meanInteractionsPerUser: 20}}
            features: {embeddingDim: 8}
            tasks:
              - {name: watch, head: binary, label: observed, metrics: [auc], params: {tower: [8], negatives: 2}}
            sharing: {type: shared-bottom, params: {layers: [16]}}
            weighting: {type: fixed}
            optimizer: {learningRate: 0.01}
            training: {batchSize: 128, epochs: 4, progressBar: false, negativeExponent: %s}
            """;

    @Test
    void popularityNegativesTakeThePopularityOutOfTheScores() throws Exception {
        double uniform = popularityCorrelation("0");
        double popular = popularityCorrelation("1.0");
        String figures = "correlation of an item's mean watch score with its training rows: uniform negatives " + uniform
                + ", popularity negatives " + popular;
        // measured: 0.97 and 0.78 (the rest is the planted preferences, which favour some items)
        assertTrue(uniform > 0.9, figures);
        assertTrue(popular < uniform - 0.1, figures);
    }

    @Test
    void aNegativeExponentIsAnError() throws Exception {
        Path config = write("bad.yaml", CONFIG.formatted("-0.5"));
        ConfigException e = assertThrows(ConfigException.class, () -> taskweave.train(config, tmp.resolve("bad"), quiet()));
        assertTrue(e.getMessage().contains("bad.yaml") && e.getMessage().contains("training.negativeExponent")
                && e.getMessage().contains("must be a number >= 0"), e.getMessage());
    }

    /** Trains with the exponent and correlates each item's training rows with its mean score over 40 users. */
    private double popularityCorrelation(String exponent) throws Exception {
        Path model = tmp.resolve("model-" + exponent);
        taskweave.train(write("e" + exponent + ".yaml", CONFIG.formatted(exponent)), model, quiet());
        int items;
        double[] rows;
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelStore.LoadedModel loaded = taskweave.injector().getInstance(ModelStore.class).load(model, manager);
            items = loaded.items().size();
            rows = new double[items];
            for (int u = 0; u < loaded.users().size(); u++) {
                for (int i : loaded.seen().items(u)) {
                    rows[i]++;
                }
            }
            StringBuilder pairs = new StringBuilder();
            for (int u = 0; u < 40; u++) {
                for (int i = 0; i < items; i++) {
                    pairs.append(loaded.users().rawIds().get(u)).append('\t').append(loaded.items().rawIds().get(i)).append('\n');
                }
            }
            Files.writeString(tmp.resolve("pairs.tsv"), pairs);
        }
        StringWriter out = new StringWriter();
        taskweave.predict(model, tmp.resolve("pairs.tsv"), out, List.of("watch"));
        double[] mean = new double[items];
        String[] lines = out.toString().split("\n");
        for (int l = 1; l < lines.length; l++) {
            mean[(l - 1) % items] += Double.parseDouble(lines[l].split("\t")[2]) / 40;
        }
        return pearson(rows, mean);
    }

    private static double pearson(double[] x, double[] y) {
        double mx = 0;
        double my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i] / x.length;
            my += y[i] / y.length;
        }
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}
