package dev.taskweave.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.taskweave.core.Taskweave;
import dev.taskweave.core.metric.MetricRegistry;
import dev.taskweave.core.store.NonFiniteJson;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Predicate;

/** Runs a suite and writes its three outputs atomically. */
public final class Benchmark {
    public static final String RESULTS = "results.json";
    public static final String MARKDOWN = "report.md";
    public static final String HTML = "report.html";

    /** The files {@link #write} replaces in the output, each as the benchmark writes it (its first lines have not changed since the first release). */
    static final java.util.List<OutputFiles.Owned> OWN = java.util.List.of(OutputFiles.jsonWith(RESULTS, BenchmarkResults.IDENTIFYING),
            OutputFiles.startingWith(MARKDOWN, "# Benchmark: "),
            new OutputFiles.Owned(HTML, file -> OutputFiles.head(file, 200).contains("<title>Benchmark: "),
                    "an HTML page titled \"Benchmark: ...\""));

    private final Taskweave taskweave;

    public Benchmark(Taskweave taskweave) {
        this.taskweave = requireNonNull(taskweave, "taskweave is null");
    }

    /**
     * The files written.
     *
     * @param results  {@code results.json}
     * @param markdown {@code report.md}
     * @param html     {@code report.html}
     * @param data     what they hold
     */
    public record Outcome(Path results, Path markdown, Path html, BenchmarkResults data) {}

    public Outcome run(Suite suite, boolean quick, Path output, String command, PrintStream log) {
        return run(suite, quick, output, command, log, false, null);
    }

    /**
     * Runs a suite and writes its results and reports; see {@link BenchmarkRunner#run(Suite, boolean,
     * Path, String, PrintStream, boolean, java.time.Duration)} for {@code resume} and {@code maxTime}.
     */
    public Outcome run(Suite suite, boolean quick, Path output, String command, PrintStream log, boolean resume,
            java.time.Duration maxTime) {
        BenchmarkResults results = new BenchmarkRunner(taskweave).run(suite, quick, output, command, log, resume, maxTime);
        return write(results, output);
    }

    /** Writes {@code value} as indented JSON to {@code file}, atomically (results.json, tune.json). */
    static void writeJson(Path file, Object value) {
        Taskweave.writeAtomically(file, json(value));
    }

    /** @return {@code value} as indented JSON, with a final line break */
    static String json(Object value) {
        try {
            return new ObjectMapper().registerModule(NonFiniteJson.module()).enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(value) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the results and both reports into {@code output}. */
    public Outcome write(BenchmarkResults results, Path output) {
        MetricRegistry registry = taskweave.injector().getInstance(MetricRegistry.class);
        Predicate<String> higher = key -> BenchmarkRunner.higherIsBetter(registry, key);
        Path resultsFile = output.resolve(RESULTS);
        Path markdownFile = output.resolve(MARKDOWN);
        Path htmlFile = output.resolve(HTML);
        // all three made before any is written: a report that fails to render (a JRE without fonts
        // for the plots) leaves the previous three together, not new results beside an old report
        String json = json(results);
        String markdown = MarkdownReport.render(results, higher);
        String html = HtmlReport.render(results, higher);
        // the earlier reports go first: a stop between the writes (a crash, a full disk) leaves
        // results.json with no report, or with its own, never new results beside reports of others
        // (benchmark --results draws the reports from results.json again)
        try {
            java.nio.file.Files.deleteIfExists(markdownFile);
            java.nio.file.Files.deleteIfExists(htmlFile);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException("cannot remove the earlier reports in " + output, e);
        }
        Taskweave.writeAtomically(resultsFile, json);
        Taskweave.writeAtomically(markdownFile, markdown);
        Taskweave.writeAtomically(htmlFile, html);
        return new Outcome(resultsFile, markdownFile, htmlFile, results);
    }
}
