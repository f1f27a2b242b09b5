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

        md.append("## Metrics\n\nMean ± standard deviation over seeds (the sample's, n − 1); the best configuration per metric is in bold. ");
        md.append("Keys are `task.metric` on the test split and `task.metric@split` on other splits.\n\n");
        List<BenchmarkResults.ConfigurationResult> configs = results.configurations;
        md.append("| metric |");
        configs.forEach(c -> md.append(' ').append(c.name).append(" |"));
        md.append("\n| --- |");
        configs.forEach(c -> md.append(" --- |"));
        md.append('\n');
        boolean unmeasured = false;
        for (String key : metricKeys(results)) {
            boolean higher = higherIsBetter.test(key);
            double best = best(configs, key, higher);
            md.append("| ").append(key).append(higher ? " ↑" : " ↓").append(" |");
            for (BenchmarkResults.ConfigurationResult c : configs) {
                Summary s = c.metrics.get(key);
                String cell = s == null ? "–" : format(s, c.seeds);
                unmeasured |= s != null && !s.measured();
                md.append(' ').append(isBest(s, best) && configs.size() > 1 ? "**" + cell + "**" : cell).append(" |");
            }
            md.append('\n');
        }
        if (unmeasured) {
            md.append('\n').append(NOT_MEASURED_NOTE).append('\n');
        }

        md.append("\n## Speed\n\n| configuration | sharing | weighting | seconds per run | samples/s | samples/s after epoch 1 | epochs |\n");
        md.append("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (BenchmarkResults.ConfigurationResult c : configs) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %,.0f | %,.0f | %.1f |%n", c.name, c.sharing, c.weighting,
                    c.trainSeconds, c.samplesPerSecond, c.steadySamplesPerSecond, c.epochs));
        }

        for (BenchmarkResults.ConfigurationResult c : configs) {
            if (c.transfer.isEmpty() && c.noSingleTask.isEmpty()) {
                continue;
            }
            md.append("\n## Multi-task versus single-task: ").append(c.name).append("\n\n");
            c.noSingleTask.forEach((task, why) -> md.append("No single-task counterpart for ").append(task).append(": ")
                    .append(why).append(".\n\n"));
            if (c.transfer.isEmpty()) {
                continue;
            }
            long better = c.transfer.values().stream().filter(t -> t.verdict().equals("better")).count();
            long worse = c.transfer.values().stream().filter(Transfer::negativeTransfer).count();
            long notMeasured = c.transfer.values().stream().filter(t -> t.verdict().equals(Transfer.NOT_MEASURED)).count();
            long oneSeed = c.transfer.values().stream().filter(t -> t.verdict().equals(Transfer.ONE_SEED)).count();
            if (oneSeed == c.transfer.size()) {
                md.append("One seed: without a standard deviation no difference can be told from noise, so no metric is judged"
                        + " better or worse (run more seeds for verdicts).\n\n");
            } else {
                md.append(String.format(Locale.ROOT, "%d metrics better, %d worse (negative transfer), %d within one standard deviation%s%s.%n%n",
                        better, worse, c.transfer.size() - better - worse - notMeasured - oneSeed,
                        notMeasured == 0 ? "" : ", " + notMeasured + " not measured (a seed's value is not finite: no verdict)",
                        oneSeed == 0 ? "" : ", " + oneSeed + " with one seed (no verdict)"));
            }
            md.append("| metric | multi-task | single-task | gain | relative | verdict |\n| --- | --- | --- | --- | --- | --- |\n");
            c.transfer.forEach((key, t) -> md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", key,
                    format(c.metrics.get(key), c.seeds), format(c.singleTask.get(key), c.seeds), gain(t), relative(t),
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

    /** The note under a metrics table with a cell that is not measured. */
    static final String NOT_MEASURED_NOTE = "n/a: not measured, because the value of the seeds named is not finite (NaN: the "
            + "model diverged, or the metric is undefined on that split); no mean or standard deviation is given.";

    /** @return the best mean of {@code key} over the configurations that measured it, NaN when none did */
    static double best(List<BenchmarkResults.ConfigurationResult> configs, String key, boolean higher) {
        double best = Double.NaN;
        for (BenchmarkResults.ConfigurationResult c : configs) {
            Summary s = c.metrics.get(key);
            if (s != null && s.measured() && (Double.isNaN(best) || (higher ? s.mean() > best : s.mean() < best))) {
                best = s.mean();
            }
        }
        return best;
    }

    /** @return whether {@code s} is measured and has the best mean (never true for a metric not measured) */
    static boolean isBest(Summary s, double best) {
        return s != null && s.measured() && s.mean() == best;
    }

    /** @return {@code mean ± std}, or {@code n/a} for a summary that is not measured */
    static String format(Summary s) {
        return format(s, List.of());
    }

    /**
     * @param seeds the seeds of the summary's values, named when one is not finite
     * @return {@code mean ± std} (the mean alone for one seed), or {@code n/a (not finite on seed S)}
     */
    static String format(Summary s, List<Long> seeds) {
        if (s == null) {
            return "–";
        }
        if (!s.measured()) {
            List<Long> missing = s.unmeasured(seeds);
            if (missing.isEmpty() || missing.contains(null)) {
                return "n/a";
            }
            return "n/a (not finite on seed" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing.stream().map(String::valueOf).toList()) + ")";
        }
        return s.values().size() < 2 ? String.format(Locale.ROOT, "%.4f", s.mean())
                : String.format(Locale.ROOT, "%.4f ± %.4f", s.mean(), s.std());
    }

    /** @return a transfer's gain, signed, or {@code n/a} */
    static String gain(Transfer t) {
        return t.gain() == null ? "n/a" : String.format(Locale.ROOT, "%+.4f", t.gain());
    }

    /** @return a transfer's relative gain in percent, signed, or {@code n/a} */
    static String relative(Transfer t) {
        return t.relativePercent() == null ? "n/a" : String.format(Locale.ROOT, "%+.2f%%", t.relativePercent());
    }
}
