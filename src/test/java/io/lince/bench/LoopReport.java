package io.lince.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report of {@code bench/loop.sh}: reads its {@code points.tsv} (one row per version, with its
 * valid accuracy) and writes {@code loop.md} (the table and the targets, met or not) and
 * {@code loop.png} (valid accuracy of the served model against labels used, per routing policy).
 */
public final class LoopReport {

    /** One row of points.tsv. */
    record Point(String policy, String version, String status, int labels, int trainedOn, int replayed,
            String streamSlice, String streamImages, String uncertainSlice, String uncertainImages,
            double validAccuracy, double validLogLoss) {
        boolean promoted() {
            return status.equals("PROMOTED") || status.equals("promoted");
        }
    }

    private LoopReport() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        List<Point> points = new ArrayList<>();
        List<String> lines = Files.readAllLines(out.resolve("points.tsv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t", -1);
            points.add(new Point(f[0], f[1], f[2], Integer.parseInt(f[3]), Integer.parseInt(f[4]), Integer.parseInt(f[5]),
                    f[6], f[7], f[8], f[9], Double.parseDouble(f[10]), Double.parseDouble(f[11])));
        }
        Point start = points.stream().filter(p -> p.policy().equals("start")).findFirst().orElseThrow();
        Point offline = points.stream().filter(p -> p.policy().equals("offline")).findFirst().orElse(null);
        Map<String, List<Point>> runs = new LinkedHashMap<>();
        points.stream().filter(p -> !p.policy().equals("start") && !p.policy().equals("offline"))
                .forEach(p -> runs.computeIfAbsent(p.policy(), k -> new ArrayList<>()).add(p));

        StringBuilder md = new StringBuilder();
        md.append("CPU flags: ").append(Files.exists(out.resolve("cpu-flags.txt"))
                ? Files.readString(out.resolve("cpu-flags.txt")).strip() : "?").append("\n\n");
        md.append("| routing | version | gate | labels used so far | trained on (labelled + replayed) | stream slice accuracy (images) "
                + "| uncertain slice accuracy (images) | valid accuracy | valid log loss |\n|---|---|---|---|---|---|---|---|---|\n");
        for (Point p : points) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %d + %d | %s | %s | %.4f | %.4f |%n", p.policy(),
                    p.version().equals("-") ? "-" : "v" + p.version(), p.status().toLowerCase(Locale.ROOT), p.labels(),
                    p.trainedOn(), p.replayed(), slice(p.streamSlice(), p.streamImages()),
                    slice(p.uncertainSlice(), p.uncertainImages()), p.validAccuracy(), p.validLogLoss()));
        }
        md.append('\n');
        XYSeriesCollection chartData = new XYSeriesCollection();
        for (Map.Entry<String, List<Point>> run : runs.entrySet()) {
            XYSeries s = new XYSeries(run.getKey() + " routing (served model)");
            s.add(0, start.validAccuracy());
            Point served = start;
            double worstStep = 0;
            for (Point p : run.getValue()) {
                if (p.promoted()) {
                    worstStep = Math.min(worstStep, p.validAccuracy() - served.validAccuracy());
                    served = p;
                    s.add(p.labels(), p.validAccuracy());
                }
            }
            chartData.addSeries(s);
            int labelsUsed = labels(out.resolve(run.getKey()).resolve("summary.json"));
            md.append(String.format(Locale.ROOT, "**%s routing**: %d labels (%.1f%% of 1,500); last promoted version %s at %.4f "
                            + "valid accuracy, starting model %.4f (%+.1f points; target +5: %s); worst step between promoted "
                            + "versions %+.1f points (target no worse than -1: %s)",
                    run.getKey(), labelsUsed, 100.0 * labelsUsed / 1500, served == start ? "v1 (none promoted)" : "v" + served.version(),
                    served.validAccuracy(), start.validAccuracy(), 100 * (served.validAccuracy() - start.validAccuracy()),
                    served.validAccuracy() >= start.validAccuracy() + 0.05 ? "met" : "not met", 100 * worstStep,
                    worstStep >= -0.01 ? "met" : "not met"));
            if (offline != null && run.getKey().equals("uncertainty")) {
                md.append(String.format(Locale.ROOT, "; offline model on the same %d images %.4f (gap %.1f points; target within 2: %s)",
                        offline.trainedOn(), offline.validAccuracy(), 100 * (offline.validAccuracy() - served.validAccuracy()),
                        offline.validAccuracy() - served.validAccuracy() <= 0.02 ? "met" : "not met"));
            }
            md.append(String.format(Locale.ROOT, "; labels used ≤ 60%% of the stream: %s.%n%n", labelsUsed <= 900 ? "met" : "not met"));
        }
        Files.writeString(out.resolve("loop.md"), md);
        chart(chartData, start, offline, out.resolve("loop.png"));
        System.out.print(md);
    }

    private static int labels(Path summary) throws Exception {
        if (!Files.exists(summary)) {
            return 0;
        }
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(summary.toFile());
        return node.path("uncertain").asInt(); // images sent for labelling, every one labelled by the demo
    }

    private static String slice(String accuracy, String images) {
        return accuracy.isEmpty() ? "" : String.format(Locale.ROOT, "%.3f (%s)", Double.parseDouble(accuracy), images);
    }

    private static void chart(XYSeriesCollection data, Point start, Point offline, Path file) throws Exception {
        JFreeChart chart = ChartFactory.createXYLineChart("Valid accuracy of the served model against labels used",
                "labels used", "accuracy on the 1,000 valid photos", data, PlotOrientation.VERTICAL, true, false, false);
        ((NumberAxis) chart.getXYPlot().getRangeAxis()).setAutoRangeIncludesZero(false);
        chart.getXYPlot().setRenderer(new XYLineAndShapeRenderer(true, true));
        marker(chart, start.validAccuracy(), "starting model", new Color(0x999999));
        if (offline != null) {
            marker(chart, offline.validAccuracy(), "offline on start + labelled", new Color(0x2CA02C));
        }
        ChartUtils.saveChartAsPNG(new File(file.toString()), chart, 800, 500);
    }

    private static void marker(JFreeChart chart, double y, String label, Color color) {
        ValueMarker m = new ValueMarker(y, color, new BasicStroke(1f));
        m.setLabel(label);
        m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        m.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
        chart.getXYPlot().addRangeMarker(m);
    }
}
