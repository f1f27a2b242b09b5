package dev.taskweave.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static final Predicate<String> HIGHER = key -> !key.contains("rmse");

    private static BenchmarkResults results() {
        BenchmarkResults r = new BenchmarkResults();
        r.suite = "demo";
        r.mode = "full";
        r.command = "taskweave benchmark --suite s.yaml --output out";
        r.createdAt = "2026-11-30T00:00:00Z";
        r.environment.put("processors", "2");
        for (String name : List.of("mmoe", "ple")) {
            BenchmarkResults.ConfigurationResult c = new BenchmarkResults.ConfigurationResult();
            c.name = name;
            c.sharing = name;
            c.weighting = "equal";
            c.seeds.addAll(List.of(1L, 2L));
            boolean mmoe = name.equals("mmoe");
            c.metrics.put("rating.rmse", Summary.of(mmoe ? List.of(0.90, 0.92) : List.of(0.93, 0.95)));
            c.metrics.put("like.auc", Summary.of(mmoe ? List.of(0.79, 0.79) : List.of(0.80, 0.80)));
            c.metrics.put("rating.rmse@test_cold_user", Summary.of(List.of(1.02, 1.04)));
            c.singleTask.put("rating.rmse", Summary.of(List.of(0.95, 0.95)));
            c.singleTask.put("like.auc", Summary.of(List.of(0.82, 0.82)));
            c.transfer.put("rating.rmse", Transfer.of(c.metrics.get("rating.rmse"), c.singleTask.get("rating.rmse"), false));
            c.transfer.put("like.auc", Transfer.of(c.metrics.get("like.auc"), c.singleTask.get("like.auc"), true));
            c.trainSeconds = 12.5;
            c.samplesPerSecond = 25_000;
            c.steadySamplesPerSecond = 27_500;
            c.epochs = 3;
            c.curves.epochs.addAll(List.of(1, 2, 3));
            c.curves.trainLoss.put("rating", List.of(1.2, 0.9, 0.8));
            c.curves.trainLoss.put("like", List.of(0.69, 0.6, 0.55));
            c.curves.validation.put("rating.rmse", List.of(1.0, 0.95, 0.93));
            c.curves.gradientCosine.put("rating|like", List.of(0.3, 0.1, -0.2));
            c.curves.gateUsage.putAll(Map.of("rating", List.of(0.7, 0.3), "like", List.of(0.4, 0.6)));
            r.configurations.add(c);
        }
        return r;
    }

    @Test
    void curvesAndGatesAreDrawnInThePaletteWithoutItsYellow() {
        BenchmarkResults.ConfigurationResult c = results().configurations.get(0);
        c.curves.trainLoss.put("interaction", List.of(0.5, 0.45, 0.4));
        c.curves.trainLoss.put("genre", List.of(0.3, 0.25, 0.2));
        org.jfree.chart.JFreeChart loss = HtmlReport.lossChart(c);
        loss.createBufferedImage(400, 300); // the renderer takes its series' colours as it draws them
        org.jfree.chart.renderer.xy.XYItemRenderer lines = loss.getXYPlot().getRenderer();
        assertEquals(4, loss.getXYPlot().getDataset().getSeriesCount());
        for (int i = 0; i < 4; i++) {
            assertEquals(HtmlReport.SERIES_COLOURS[i], lines.getSeriesPaint(i), "series " + i);
        }
        // JFreeChart's default fourth colour, a pale yellow on white, is the one this replaces
        assertFalse(java.util.Arrays.asList(HtmlReport.SERIES_COLOURS).contains(new java.awt.Color(0xFF, 0xFF, 0x55)));
        org.jfree.chart.JFreeChart gates = HtmlReport.gateChart(c);
        gates.createBufferedImage(400, 300);
        org.jfree.chart.renderer.category.CategoryItemRenderer bars = gates.getCategoryPlot().getRenderer();
        assertEquals(HtmlReport.SERIES_COLOURS[0], bars.getSeriesPaint(0));
        assertEquals(HtmlReport.SERIES_COLOURS[1], bars.getSeriesPaint(1));
    }

    @Test
    void markdownBoldsTheBestAndFlagsNegativeTransfer() {
        String md = MarkdownReport.render(results(), HIGHER);
        assertTrue(md.contains("| rating.rmse ↓ | **0.9100 ± 0.0141** | 0.9400 ± 0.0141 |"), md);
        assertTrue(md.contains("| like.auc ↑ | 0.7900 ± 0.0000 | **0.8000 ± 0.0000** |"), md);
        assertTrue(md.contains("| rating.rmse@test_cold_user ↓ |"), md);
        assertTrue(md.contains("| mmoe | mmoe | equal | 12.5 | 25,000 | 27,500 | 3.0 |"), md);
        // mmoe: rating 0.91 vs 0.95 is better; like 0.79 vs 0.82 is worse
        assertTrue(md.contains("| rating.rmse | 0.9100 ± 0.0141 | 0.9500 ± 0.0000 | +0.0400 | +4.21% | better |"), md);
        assertTrue(md.contains("| like.auc | 0.7900 ± 0.0000 | 0.8200 ± 0.0000 | -0.0300 | -3.66% | **worse: negative transfer** |"), md);
        assertTrue(md.contains("1 metrics better, 1 worse (negative transfer), 0 within one standard deviation."), md);
        assertTrue(md.contains("taskweave benchmark --suite s.yaml --output out"), md);
    }

    /** The two configurations, mmoe's rating model diverged on seed 2 (its RMSE NaN) and the transfer recomputed. */
    private static BenchmarkResults divergedOnSeed2() {
        BenchmarkResults r = results();
        BenchmarkResults.ConfigurationResult mmoe = r.configurations.get(0);
        mmoe.metrics.put("rating.rmse", Summary.of(java.util.Arrays.asList(0.90, Double.NaN)));
        mmoe.transfer.put("rating.rmse", Transfer.of(mmoe.metrics.get("rating.rmse"), mmoe.singleTask.get("rating.rmse"), false));
        return r;
    }

    @Test
    void aMetricNotMeasuredOnASeedIsMarkedNotBoldedAndHasNoVerdict() {
        String md = MarkdownReport.render(divergedOnSeed2(), HIGHER);
        // ple's 0.94 is the best measured value; mmoe's cell names the seed
        assertTrue(md.contains("| rating.rmse ↓ | n/a (not finite on seed 2) | **0.9400 ± 0.0141** |"), md);
        assertTrue(md.contains("\nn/a: not measured, because the value of the seeds named is not finite (NaN: the model diverged, "
                + "or the metric is undefined on that split); no mean or standard deviation is given.\n"), md);
        assertTrue(md.contains("| rating.rmse | n/a (not finite on seed 2) | 0.9500 ± 0.0000 | n/a | n/a | not measured |"), md);
        assertTrue(md.contains("0 metrics better, 1 worse (negative transfer), 0 within one standard deviation, "
                + "1 not measured (a seed's value is not finite: no verdict)."), md);
        // ple measured everything: its counts read as before (rmse 0.94 against 0.95: a gain of 0.01 inside std 0.0141)
        assertTrue(md.contains("0 metrics better, 1 worse (negative transfer), 1 within one standard deviation.\n"), md);
        assertFalse(MarkdownReport.render(results(), HIGHER).contains("n/a"), "no mark when every seed measured");

        String html = HtmlReport.render(divergedOnSeed2(), HIGHER);
        assertTrue(html.contains("<td class=\"worse\">n/a (not finite on seed 2)</td><td class=\"best\">0.9400 ± 0.0141</td>"), html);
        assertTrue(html.contains("<td>n/a</td><td>n/a</td><td class=\"worse\">not measured</td>"), "transfer row");
        assertTrue(html.contains("<p>n/a: not measured, because"), "note");
    }

    @Test
    void resultsJsonKeepsTheSeedOrderWithNullForANaNSeed() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        String text = json.writeValueAsString(divergedOnSeed2());
        assertTrue(text.contains("\"rating.rmse\":{\"mean\":null,\"std\":null,\"values\":[0.9,null]}"), text);
        assertTrue(text.contains("\"rating.rmse\":{\"multi\":null,\"single\":0.95,\"gain\":null,\"relativePercent\":null,"
                + "\"verdict\":\"not measured\",\"negativeTransfer\":false}"), text);
        // read back (benchmark --results): the report renders the same, with the mapper of a plain
        // reader and with benchmark --results' own (which reads a null curve point as NaN)
        BenchmarkResults back = json.readValue(text, BenchmarkResults.class);
        assertEquals(MarkdownReport.render(divergedOnSeed2(), HIGHER), MarkdownReport.render(back, HIGHER));
        BenchmarkResults read = BenchmarkCommand.reader().readValue(text, BenchmarkResults.class);
        assertFalse(read.configurations.get(0).metrics.get("rating.rmse").measured());
        assertEquals(MarkdownReport.render(divergedOnSeed2(), HIGHER), MarkdownReport.render(read, HIGHER));
    }

    @Test
    void resultsJsonWritesANonFiniteCurvePointAsNullAndReadsItBack(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        BenchmarkResults results = results();
        results.configurations.get(0).curves.trainLoss.put("rating", List.of(1.0, Double.NaN));
        java.nio.file.Path file = dir.resolve("results.json");
        Benchmark.writeJson(file, results);
        String text = java.nio.file.Files.readString(file);
        assertTrue(text.replaceAll("\\s", "").contains("\"rating\":[1.0,null]"), text);
        assertFalse(text.contains("NaN"), text);
    }

    @Test
    void aTaskWithoutCounterpartIsNamedWithItsReason() {
        BenchmarkResults results = results();
        results.configurations.get(0).noSingleTask.put("buy", "transfer: esmm scores it as the joint event with click");
        String md = MarkdownReport.render(results, HIGHER);
        assertTrue(md.contains("No single-task counterpart for buy: transfer: esmm scores it as the joint event with click."), md);
    }

    @Test
    void htmlIsSelfContainedWithChartsPerConfiguration() {
        String html = HtmlReport.render(results(), HIGHER);
        assertTrue(html.startsWith("<!DOCTYPE html>"), html.substring(0, 40));
        assertTrue(html.contains("<td class=\"best\">0.9100 ± 0.0141</td>"), "best cell");
        assertTrue(html.contains("worse: negative transfer"), "negative transfer flagged");
        // loss, validation, transfer, gate usage, cosine: five charts for each of two configurations
        Matcher m = Pattern.compile("<img alt=\"[^\"]+\" width=\"640\" height=\"3[0-9]{2}\" src=\"data:image/png;base64,[A-Za-z0-9+/=]{200,}\">")
                .matcher(html);
        int images = 0;
        while (m.find()) {
            images++;
        }
        assertEquals(10, images);
        // nothing is fetched when the page opens
        assertTrue(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"), "no external resources");
    }
}
