package dev.taskweave.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/** Renders results as Markdown: metrics per configuration, speed, and multi- versus single-task. */
public final class MarkdownReport {
    private MarkdownReport() {}

    /** @param higherIsBetter whether a larger value of a metric key is better */
    public static String render(BenchmarkResults results, Predicate<String> higherIsBetter) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark: ").append(results.suite).append(" (").append(results.mode).append(" mode)\n\n");
        if (results.description != null && !results.description.isBlank()) {
            md.append(results.description.strip()).append("\n\n");
        }
        md.append("Produced by `").append(results.command).append("` on ").append(results.createdAt).append(" (");
        md.append(String.join(", ", results.environment.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList()));
        md.append(").\n\n");

        md.append("## Metrics\n\nMean ± standard deviation over seeds; the best configuration per metric is in bold. ");
        md.append("Keys are `task.metric` on the test split and `task.metric@split` on other splits.\n\n");
        List<BenchmarkResults.ConfigurationResult> configs = results.configurations;
        md.append("| metric |");
        configs.forEach(c -> md.append(' ').append(c.name).append(" |"));
        md.append("\n| --- |");
        configs.forEach(c -> md.append(" --- |"));
        md.append('\n');
        for (String key : metricKeys(results)) {
            boolean higher = higherIsBetter.test(key);
            double best = Double.NaN;
            for (BenchmarkResults.ConfigurationResult c : configs) {
                Summary s = c.metrics.get(key);
                if (s != null && (Double.isNaN(best) || (higher ? s.mean() > best : s.mean() < best))) {
                    best = s.mean();
                }
            }
            md.append("| ").append(key).append(higher ? " ↑" : " ↓").append(" |");
            for (BenchmarkResults.ConfigurationResult c : configs) {
                Summary s = c.metrics.get(key);
                String cell = s == null ? "–" : format(s);
                md.append(' ').append(s != null && s.mean() == best && configs.size() > 1 ? "**" + cell + "**" : cell).append(" |");
            }
            md.append('\n');
        }

        md.append("\n## Speed\n\n| configuration | sharing | weighting | seconds per run | samples/s | samples/s after epoch 1 | epochs |\n");
        md.append("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (BenchmarkResults.ConfigurationResult c : configs) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %,.0f | %,.0f | %.1f |%n", c.name, c.sharing, c.weighting,
                    c.trainSeconds, c.samplesPerSecond, c.steadySamplesPerSecond, c.epochs));
        }

        for (BenchmarkResults.ConfigurationResult c : configs) {
            if (c.transfer.isEmpty()) {
                continue;
            }
            md.append("\n## Multi-task versus single-task: ").append(c.name).append("\n\n");
            long better = c.transfer.values().stream().filter(t -> t.verdict().equals("better")).count();
            long worse = c.transfer.values().stream().filter(Transfer::negativeTransfer).count();
            md.append(String.format(Locale.ROOT, "%d metrics better, %d worse (negative transfer), %d within one standard deviation.%n%n",
                    better, worse, c.transfer.size() - better - worse));
            md.append("| metric | multi-task | single-task | gain | relative | verdict |\n| --- | --- | --- | --- | --- | --- |\n");
            c.transfer.forEach((key, t) -> md.append(String.format(Locale.ROOT, "| %s | %s | %s | %+.4f | %+.2f%% | %s |%n", key,
                    format(c.metrics.get(key)), format(c.singleTask.get(key)), t.gain(), t.relativePercent(),
                    t.negativeTransfer() ? "**worse: negative transfer**" : t.verdict())));
        }
        return md.toString();
    }

    /** @return every metric key of any configuration, in first-seen order */
    static List<String> metricKeys(BenchmarkResults results) {
        Set<String> keys = new LinkedHashSet<>();
        for (BenchmarkResults.ConfigurationResult c : results.configurations) {
            keys.addAll(c.metrics.keySet());
        }
        return new ArrayList<>(keys);
    }

    static String format(Summary s) {
        if (s == null) {
            return "–";
        }
        return s.values().size() < 2 ? String.format(Locale.ROOT, "%.4f", s.mean())
                : String.format(Locale.ROOT, "%.4f ± %.4f", s.mean(), s.std());
    }
}
