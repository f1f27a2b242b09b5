package dev.taskweave.distribution;

import dev.taskweave.core.Taskweave;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the tests that train through the distribution's real plugin jars: one runtime per test
 * class (test classes run one after another), a fresh directory per test.
 */
abstract class RuntimeTest {
    static Taskweave taskweave;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startRuntime() {
        taskweave = Taskweave.start(List.of(Dist.plugins()));
    }

    @AfterAll
    static void stopRuntime() {
        taskweave.close();
    }

    /** Writes {@code text} to {@code name} in the test's directory. */
    Path write(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /**
     * Trains the experiment {@code text} (written as {@code bad.yaml}) and expects it refused before
     * training, with the file, the setting and the reason named.
     */
    void assertConfigError(String text, String path, String reason) throws Exception {
        Path config = write("bad.yaml", text);
        dev.taskweave.core.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.taskweave.core.config.ConfigException.class, () -> taskweave.train(config, tmp.resolve("bad"), quiet()));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("bad.yaml") && e.getMessage().contains(path)
                && e.getMessage().contains(reason), e.getMessage());
    }

    /** @return a server of the model in {@code dir} on a free loopback port, with the runtime's plugins */
    static dev.taskweave.serve.TaskweaveServer serve(Path dir) throws Exception {
        return dev.taskweave.serve.TaskweaveServer.start(taskweave.injector().getInstance(dev.taskweave.core.store.ModelStore.class), dir,
                dev.taskweave.serve.ServeConfig.parse("host: 127.0.0.1\nport: 0\n", "serve.yaml"),
                new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT));
    }

    /**
     * @return per line of the test's {@code pairs.tsv}, the model's scores of the rating, like and
     *     watch tasks, from {@code predict}
     */
    List<double[]> scores(Path model) throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        taskweave.predict(model, tmp.resolve("pairs.tsv"), out, List.of("rating", "like", "watch"));
        List<double[]> rows = new java.util.ArrayList<>();
        String[] lines = out.toString().split("\n");
        for (int l = 1; l < lines.length; l++) {
            String[] f = lines[l].split("\t");
            rows.add(new double[] {Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4])});
        }
        return rows;
    }

    /** @return a log that goes nowhere */
    static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }
}
