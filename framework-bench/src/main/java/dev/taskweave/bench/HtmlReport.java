package dev.taskweave.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.DefaultDrawingSupplier;
import org.jfree.chart.plot.DrawingSupplier;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Renders results as one self-contained HTML page: the Markdown report's tables, and charts drawn
 * with JFreeChart and embedded as PNG data URIs, so the page opens offline. Charts per
 * configuration: training loss per task, validation metrics, multi- versus single-task gain per
 * metric, expert gate usage and task-gradient cosine.
 */
public final class HtmlReport {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 340;

    private HtmlReport() {}

    public static String render(BenchmarkResults results, Predicate<String> higherIsBetter) {
        System.setProperty("java.awt.headless", "true");
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(escape("Benchmark: " + results.suite)).append("</title>\n<style>")
                .append("body{font-family:sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}")
                .append("th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}.best{font-weight:bold}")
                .append(".worse{color:#b00020;font-weight:bold}.better{color:#1b5e20}.charts img{margin:4px;border:1px solid #eee}")
                .append("</style></head><body>\n");
        html.append("<h1>").append(escape("Benchmark: " + results.suite)).append(" <small>(").append(escape(results.mode))
                .append(" mode)</small></h1>\n");
        if (results.description != null && !results.description.isBlank()) {
            html.append("<p>").append(escape(results.description.strip())).append("</p>\n");
        }
        html.append("<p>Produced by <code>").append(escape(results.command)).append("</code> on ").append(escape(results.createdAt))
                .append("; ").append(escape(results.environment.toString())).append(".</p>\n");

        List<BenchmarkResults.ConfigurationResult> configs = results.configurations;
        html.append("<h2>Metrics</h2>\n<p>Mean ± standard deviation over seeds (the sample's, n − 1); ↑ higher is better, ↓ lower is better; ")
                .append("the best configuration per metric is in bold.</p>\n<table><tr><th>metric</th>");
        configs.forEach(c -> html.append("<th>").append(escape(c.name)).append("</th>"));
        html.append("</tr>\n");
        boolean unmeasured = false;
        for (String key : MarkdownReport.metricKeys(results)) {
            boolean higher = higherIsBetter.test(key);
            double best = MarkdownReport.best(configs, key, higher);
            html.append("<tr><td>").append(escape(key)).append(higher ? " ↑" : " ↓").append("</td>");
            for (BenchmarkResults.ConfigurationResult c : configs) {
                Summary s = c.metrics.get(key);
                boolean isBest = MarkdownReport.isBest(s, best) && configs.size() > 1;
                unmeasured |= s != null && !s.measured();
                html.append(isBest ? "<td class=\"best\">" : s != null && !s.measured() ? "<td class=\"worse\">" : "<td>")
                        .append(escape(MarkdownReport.format(s, c.seeds))).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</table>\n");
        if (unmeasured) {
            html.append("<p>").append(escape(MarkdownReport.NOT_MEASURED_NOTE)).append("</p>\n");
        }
        html.append("<h2>Speed</h2>\n<table><tr><th>configuration</th><th>sharing</th><th>weighting</th>")
                .append("<th>seconds per run</th><th>samples/s</th><th>samples/s after epoch 1</th><th>epochs</th></tr>\n");
        for (BenchmarkResults.ConfigurationResult c : configs) {
            html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%.1f</td><td>%,.0f</td><td>%,.0f</td><td>%.1f</td></tr>%n",
                    escape(c.name), escape(c.sharing), escape(c.weighting), c.trainSeconds, c.samplesPerSecond,
                    c.steadySamplesPerSecond, c.epochs));
        }
        html.append("</table>\n");

        for (BenchmarkResults.ConfigurationResult c : configs) {
            html.append("<h2>").append(escape(c.name)).append("</h2>\n");
            if (!c.transfer.isEmpty()) {
                html.append("<h3>Multi-task versus single-task</h3>\n<table><tr><th>metric</th><th>multi-task</th>")
                        .append("<th>single-task</th><th>gain</th><th>relative</th><th>verdict</th></tr>\n");
                c.transfer.forEach((key, t) -> html.append(String.format(Locale.ROOT,
                        "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td class=\"%s\">%s</td></tr>%n",
                        escape(key), escape(MarkdownReport.format(c.metrics.get(key), c.seeds)),
                        escape(MarkdownReport.format(c.singleTask.get(key), c.seeds)), MarkdownReport.gain(t),
                        MarkdownReport.relative(t), verdictClass(t),
                        escape(t.negativeTransfer() ? "worse: negative transfer" : t.verdict()))));
                html.append("</table>\n");
            }
            html.append("<div class=\"charts\">\n");
            appendChart(html, lossChart(c), "training loss per task");
            appendChart(html, validationChart(c), "validation metrics per epoch");
            if (!c.transfer.isEmpty()) {
                // one bar per metric: tall enough for every label
                appendChart(html, transferChart(c), "multi- versus single-task gain per metric",
                        Math.max(HEIGHT, 22 * c.transfer.size() + 120));
            }
            if (!c.curves.gateUsage.isEmpty()) {
                appendChart(html, gateChart(c), "expert gate usage");
            }
            if (!c.curves.gradientCosine.isEmpty()) {
                appendChart(html, cosineChart(c), "task-gradient cosine");
            }
            html.append("</div>\n");
        }
        html.append("</body></html>\n");
        return html.toString();
    }

    private static void appendChart(StringBuilder html, JFreeChart chart, String alt) {
        appendChart(html, chart, alt, HEIGHT);
    }

    private static void appendChart(StringBuilder html, JFreeChart chart, String alt, int height) {
        try (ByteArrayOutputStream png = new ByteArrayOutputStream()) {
            ChartUtils.writeChartAsPNG(png, chart, WIDTH, height);
            html.append("<img alt=\"").append(escape(alt)).append("\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                    .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png.toByteArray()))
                    .append("\">\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JFreeChart lossChart(BenchmarkResults.ConfigurationResult c) {
        return lines(c.name + ": training loss (seed " + c.seeds.get(0) + ")", "loss", c.curves.epochs, c.curves.trainLoss);
    }

    static JFreeChart validationChart(BenchmarkResults.ConfigurationResult c) {
        return lines(c.name + ": validation", "value", c.curves.epochs, c.curves.validation);
    }

    static JFreeChart cosineChart(BenchmarkResults.ConfigurationResult c) {
        JFreeChart chart = lines(c.name + ": task-gradient cosine on shared parameters", "cosine", c.curves.epochs,
                c.curves.gradientCosine);
        ((XYPlot) chart.getPlot()).getRangeAxis().setRange(-1, 1);
        return chart;
    }

    /**
     * The series' colours: Okabe and Ito's palette, which readers with a colour-vision deficiency
     * tell apart too, without its yellow, which hardly shows on white (JFreeChart's own sequence
     * gives the fourth series a pale yellow: the genre curve in the ml100k reports).
     */
    static final java.awt.Paint[] SERIES_COLOURS = {
        new Color(0x00, 0x72, 0xB2), new Color(0xD5, 0x5E, 0x00), new Color(0x00, 0x9E, 0x73), new Color(0xCC, 0x79, 0xA7),
        new Color(0xE6, 0x9F, 0x00), new Color(0x56, 0xB4, 0xE9), new Color(0x00, 0x00, 0x00), new Color(0x99, 0x99, 0x99)};

    /** @return a drawing supplier that gives series {@link #SERIES_COLOURS} in turn, and JFreeChart's defaults otherwise */
    private static DrawingSupplier seriesColours() {
        return new DefaultDrawingSupplier(SERIES_COLOURS, DefaultDrawingSupplier.DEFAULT_FILL_PAINT_SEQUENCE,
                DefaultDrawingSupplier.DEFAULT_OUTLINE_PAINT_SEQUENCE, DefaultDrawingSupplier.DEFAULT_STROKE_SEQUENCE,
                DefaultDrawingSupplier.DEFAULT_OUTLINE_STROKE_SEQUENCE, DefaultDrawingSupplier.DEFAULT_SHAPE_SEQUENCE);
    }

    private static JFreeChart lines(String title, String axis, List<Integer> epochs, Map<String, List<Double>> series) {
        XYSeriesCollection data = new XYSeriesCollection();
        series.forEach((name, values) -> {
            XYSeries s = new XYSeries(name.replace('|', '/'));
            for (int i = 0; i < values.size() && i < epochs.size(); i++) {
                if (values.get(i) != null && Double.isFinite(values.get(i))) { // an infinite loss (a diverging run) as a gap, as in results.json (null)
                    s.add(epochs.get(i), values.get(i));
                }
            }
            data.addSeries(s);
        });
        JFreeChart chart = ChartFactory.createXYLineChart(title, "epoch", axis, data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = (XYPlot) chart.getPlot();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setDrawingSupplier(seriesColours());
        plot.setRenderer(renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return chart;
    }

    static JFreeChart transferChart(BenchmarkResults.ConfigurationResult c) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        // a metric not measured has no bar (its row in the table says why)
        c.transfer.forEach((key, t) -> data.addValue(t.relativePercent(), "gain of multi-task (%)", key));
        JFreeChart chart = ChartFactory.createBarChart(c.name + ": multi- vs single-task (positive = multi-task better)", "metric",
                "relative gain (%)", data, PlotOrientation.HORIZONTAL, false, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        BarRenderer renderer = new BarRenderer() {
            @Override
            public java.awt.Paint getItemPaint(int row, int column) {
                Number v = data.getValue(row, column);
                // vermillion and blue from the same palette: told apart without red-green vision (the bars' side says it too)
                return v != null && v.doubleValue() < 0 ? SERIES_COLOURS[1] : SERIES_COLOURS[0];
            }
        };
        renderer.setShadowVisible(false);
        renderer.setBarPainter(new org.jfree.chart.renderer.category.StandardBarPainter());
        plot.setRenderer(renderer);
        return chart;
    }

    static JFreeChart gateChart(BenchmarkResults.ConfigurationResult c) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        c.curves.gateUsage.forEach((task, usage) -> {
            for (int e = 0; e < usage.size(); e++) {
                data.addValue(usage.get(e), "expert " + e, task);
            }
        });
        JFreeChart chart = ChartFactory.createStackedBarChart(c.name + ": mean gate weight per expert (last epoch, validation)",
                "task", "gate weight", data, PlotOrientation.VERTICAL, true, false, false);
        chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
        chart.getCategoryPlot().setDrawingSupplier(seriesColours());
        BarRenderer renderer = (BarRenderer) chart.getCategoryPlot().getRenderer();
        renderer.setShadowVisible(false);
        renderer.setBarPainter(new org.jfree.chart.renderer.category.StandardBarPainter());
        chart.getCategoryPlot().getRangeAxis().setRange(0, 1);
        return chart;
    }

    /** @return the verdict's CSS class: {@code better}, {@code worse} (a negative transfer, or not measured) or none */
    static String verdictClass(Transfer t) {
        String v = t.verdict();
        return v == null ? "" : v.equals("better") ? "better" : v.equals("worse") || v.equals(Transfer.NOT_MEASURED) ? "worse" : "";
    }

    static String escape(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
