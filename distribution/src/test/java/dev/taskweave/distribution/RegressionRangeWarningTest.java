package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.core.store.ModelStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A regression whose {@code minScore}/{@code maxScore} leaves out some of its training labels:
 * {@code check} and {@code train} say so under the task's head, a model loaded later does not.
 */
class RegressionRangeWarningTest extends RuntimeTest {
    private static final String CONFIG = """
            name: range
            seed: 3
            data:
              type: files
              params:
                interactions: {file: ratings.csv, user: user, item: item, labels: {rating: stars}}
                split: {by: random, valid: 0.2, test: 0.1}
            features: {embeddingDim: 4}
            tasks:
              - {name: rating, head: regression, label: rating, metrics: [rmse], params: {tower: [8]%s}}
              - {name: like, head: binary, label: rating, metrics: [auc], params: {tower: [8], threshold: 6}}
            sharing: {type: shared-bottom, params: {layers: [8]}}
            weighting: {type: fixed}
            training: {batchSize: 64, epochs: 1, progressBar: false}
            """;

    /** Ratings on a scale of 1 to 10, every value on training rows among them (1 and 10 included). */
    private void writeRatings() throws Exception {
        Random random = new Random(5);
        StringBuilder csv = new StringBuilder("user,item,stars\n");
        for (int u = 0; u < 40; u++) {
            for (int i = 0; i < 10; i++) {
                int stars = (u + i) % 10 + 1;
                csv.append("u").append(u).append(",i").append(random.nextInt(30)).append(',').append(stars).append('\n');
            }
        }
        write("ratings.csv", csv.toString());
    }

    @Test
    void labelsOutsideTheScoreRangeAreSaidByCheckAndTrain() throws Exception {
        writeRatings();
        String expected = "tasks[0].head: the %s training labels of task rating run from 1 to 10, outside minScore 1 / maxScore 5:"
                + " its scores (predictions and metrics) are clipped to that range, so they cannot reach the labels above it;"
                + " widen the range or leave it out";
        Path clipped = write("clipped.yaml", CONFIG.formatted(", minScore: 1, maxScore: 5"));

        CliTest.Run check = CliTest.run("check", "--config", clipped.toString());
        assertEquals(0, check.code(), check.err());
        // among check's warnings, with the task's labelled rows as the report counts them
        java.util.regex.Matcher rows = java.util.regex.Pattern.compile("(?m)^  rating .*labelled rows train ([\\d,]+),").matcher(check.out());
        assertTrue(rows.find(), check.out());
        String warning = expected.formatted(rows.group(1));
        assertTrue(check.out().contains("\nwarnings:\n") && check.out().contains("\n  - " + warning + "\n"), check.out());

        // train says the same, for a run not checked first, and trains on
        CliTest.Run train = CliTest.run("train", "--config", clipped.toString(), "--output", tmp.resolve("model").toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("\nwarning: " + warning + "\n"), train.out());
        // the model trained with it loads without it: its heads are made again only to load it
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            ModelStore.LoadedModel loaded = taskweave.injector().getInstance(ModelStore.class).load(tmp.resolve("model"), manager);
            assertEquals(List.of(), loaded.model().warnings());
            assertEquals(List.of(), loaded.warnings());
        }

        // a range that holds every label, or none: nothing to say
        for (String range : new String[] {", minScore: 1, maxScore: 10", ""}) {
            CliTest.Run fits = CliTest.run("check", "--config", write("fits.yaml", CONFIG.formatted(range)).toString());
            assertEquals(0, fits.code(), fits.err());
            assertFalse(fits.out().contains("minScore"), fits.out());
            assertTrue(fits.out().contains("warnings: none"), fits.out());
        }
    }
}
