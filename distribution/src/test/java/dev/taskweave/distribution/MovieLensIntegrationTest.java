package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskweave.core.Taskweave;
import dev.taskweave.core.run.TrainingResult;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one real-data run of the test suite: MMoE on rating and like on the ml100k-mtl split, with
 * the example file the distribution ships. Skipped when the shared MovieLens files are absent.
 */
class MovieLensIntegrationTest {
    @TempDir
    Path tmp;

    @Test
    void mmoeOnRatingAndLikeBeatsTheBiasBaseline() throws Exception {
        Path data = Dist.shared().resolve("data/ml-100k");
        Path benchmark = Dist.shared().resolve("benchmarks/ml100k-mtl");
        Assumptions.assumeTrue(Files.isRegularFile(benchmark.resolve("train.tsv")) && Files.isRegularFile(data.resolve("u.data")),
                "MovieLens-100K / ml100k-mtl not found at " + Dist.shared() + ": skipping the real-data integration test");
        String example = Files.readString(Dist.home().resolve("examples/ml100k-mmoe.yaml"))
                .replace("${MOVIELENS_DIR:-../../../../../shared/data/ml-100k}", data.toString())
                .replace("${ML100K_MTL_DIR:-../../../../../shared/benchmarks/ml100k-mtl}", benchmark.toString())
                .replace("progressBar: true", "progressBar: false");
        Path config = tmp.resolve("ml100k-mmoe.yaml");
        Files.writeString(config, example);
        PrintStream log = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (Taskweave tw = Taskweave.start(List.of(Dist.plugins()))) {
            TrainingResult result = tw.train(config, tmp.resolve("model"), log);
            Map<String, Map<String, Double>> test = result.metrics().get("test");
            double rmse = test.get("rating").get("rmse");
            double auc = test.get("like").get("auc");
            log.printf("ml100k-mtl MMoE: test RMSE %.4f, like AUC %.4f, %d epochs, %.1f s%n", rmse, auc,
                    result.history().size(), result.trainSeconds());
            // PROTOCOL.md: the user + item bias baseline scores 0.9295 and 0.7804 on these files
            assertTrue(rmse < 0.93, "test RMSE " + rmse);
            assertTrue(auc > 0.78, "like AUC " + auc);
            assertTrue(result.metrics().containsKey("test_cold_user"), result.metrics().keySet().toString());
        }
    }
}
