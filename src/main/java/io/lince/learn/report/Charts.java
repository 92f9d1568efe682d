package io.lince.learn.report;

import io.lince.learn.FitHistory;
import io.lince.learn.LrFindResult;
import io.lince.learn.Predictions;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The notebook's plots as PNG files, drawn with JFreeChart. */
public final class Charts {

    private static final int W = 800;
    private static final int H = 500;

    private Charts() {}

    /** Smoothed loss against learning rate on a log axis, the three suggestions marked. */
    public static Path lrFind(LrFindResult r, Path file) throws IOException {
        XYSeries s = series("smoothed loss", r.rates(), r.losses());
        LogAxis x = new LogAxis("learning rate (log scale)");
        x.setSmallestValue(1e-8);
        NumberAxis y = new NumberAxis("loss");
        y.setAutoRangeIncludesZero(false);
        XYPlot plot = new XYPlot(new XYSeriesCollection(s), x, y, lines());
        mark(plot, r.steepest(), "steepest " + sci(r.steepest()), new Color(0xD62728), 0);
        mark(plot, r.minimumTenth(), "min/10 " + sci(r.minimumTenth()), new Color(0x2CA02C), 1);
        mark(plot, r.valley(), "valley " + sci(r.valley()), new Color(0x9467BD), 2);
        return save(new JFreeChart("lr_find", plot), file);
    }

    /** fastai's {@code plot_lr}: the head's learning rate at each iteration, restarts marked. */
    public static Path learningRate(FitHistory h, Path file) throws IOException {
        XYPlot plot = new XYPlot(new XYSeriesCollection(indexed("learning rate", h.rates())),
                new NumberAxis("iteration"), new NumberAxis("learning rate (head)"), lines());
        h.restarts().forEach(r -> plot.addDomainMarker(dashed(r, new Color(0x999999))));
        return save(new JFreeChart("learning rate schedule", plot), file);
    }

    /** Smoothed training loss per iteration and validation loss at the end of each epoch. */
    public static Path losses(FitHistory h, Path file) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection(indexed("train (smoothed)", h.losses()));
        XYSeries valid = new XYSeries("valid");
        for (int e = 0; e < h.epochs().size(); e++) {
            valid.add(h.epochEnds().get(e).doubleValue(), h.epochs().get(e).validLoss());
        }
        data.addSeries(valid);
        XYLineAndShapeRenderer renderer = lines();
        renderer.setSeriesShapesVisible(1, true);
        NumberAxis y = new NumberAxis("loss");
        y.setAutoRangeIncludesZero(false);
        return save(new JFreeChart("losses", new XYPlot(data, new NumberAxis("iteration"), y, renderer)), file);
    }

    /** The confusion matrix as a heat map with the counts written in the cells. */
    public static Path confusion(Predictions p, Path file) throws IOException {
        int[][] m = p.confusion();
        int k = m.length;
        double[][] xyz = new double[3][k * k];
        int max = 1;
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                int i = a * k + b;
                xyz[0][i] = b;
                xyz[1][i] = k - 1 - a;
                xyz[2][i] = m[a][b];
                max = Math.max(max, m[a][b]);
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("counts", xyz);
        XYBlockRenderer r = new XYBlockRenderer();
        LookupPaintScale scale = new LookupPaintScale(0, max + 1, Color.WHITE);
        for (int step = 0; step <= 10; step++) {
            int shade = 255 - step * 20;
            scale.add(max * step / 10.0, new Color(shade, shade, 255));
        }
        r.setPaintScale(scale);
        String[] names = p.classes().toArray(String[]::new);
        String[] reversed = new String[k];
        for (int i = 0; i < k; i++) {
            reversed[i] = names[k - 1 - i];
        }
        XYPlot plot = new XYPlot(data, new SymbolAxis("predicted", names), new SymbolAxis("actual", reversed), r);
        for (int i = 0; i < k * k; i++) {
            XYTextAnnotation t = new XYTextAnnotation(String.valueOf((int) xyz[2][i]), xyz[0][i], xyz[1][i]);
            t.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            t.setPaint(xyz[2][i] > max * 0.6 ? Color.WHITE : Color.BLACK);
            plot.addAnnotation(t);
        }
        JFreeChart chart = new JFreeChart("confusion matrix", plot);
        chart.removeLegend();
        return save(chart, file);
    }

    private static XYSeries series(String name, List<Double> x, List<Double> y) {
        XYSeries s = new XYSeries(name, false);
        for (int i = 0; i < x.size(); i++) {
            s.add(x.get(i), y.get(i));
        }
        return s;
    }

    private static XYSeries indexed(String name, List<Double> y) {
        XYSeries s = new XYSeries(name, false);
        for (int i = 0; i < y.size(); i++) {
            s.add(i, y.get(i));
        }
        return s;
    }

    private static XYLineAndShapeRenderer lines() {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        r.setDefaultStroke(new BasicStroke(2f));
        r.setAutoPopulateSeriesStroke(false);
        return r;
    }

    private static void mark(XYPlot plot, double x, String label, Color color, int row) {
        ValueMarker m = dashed(x, color);
        m.setLabelOffset(new org.jfree.chart.ui.RectangleInsets(6 + 18 * row, 4, 4, 4));
        m.setLabelFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        m.setLabelBackgroundColor(new Color(255, 255, 255, 0));
        m.setLabel(label);
        m.setLabelPaint(color);
        m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        m.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
        plot.addDomainMarker(m);
    }

    private static ValueMarker dashed(double x, Color color) {
        return new ValueMarker(x, color, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f));
    }

    private static String sci(double v) {
        return String.format("%.1e", v);
    }

    /**
     * A reliability diagram: for each confidence bin, the share of its images that were right
     * (points, with the bin's image count beside), against the diagonal a calibrated model lies on;
     * one series per named set of bins (for example before and after temperature scaling).
     */
    public static Path reliability(java.util.Map<String, List<io.lince.learn.Calibration.Bin>> series, String title, Path file)
            throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries diagonal = new XYSeries("perfectly calibrated");
        diagonal.add(0, 0);
        diagonal.add(1, 1);
        data.addSeries(diagonal);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        renderer.setSeriesShapesVisible(0, false);
        renderer.setSeriesPaint(0, new Color(0x999999));
        renderer.setSeriesStroke(0, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f));
        XYPlot plot = new XYPlot(data, new NumberAxis("confidence (top-1 probability)"), new NumberAxis("accuracy"), renderer);
        int i = 1;
        for (var e : series.entrySet()) {
            XYSeries s = new XYSeries(e.getKey());
            for (io.lince.learn.Calibration.Bin b : e.getValue()) {
                if (b.count() > 0) {
                    s.add(b.confidence(), b.accuracy());
                    XYTextAnnotation n = new XYTextAnnotation(String.valueOf(b.count()), b.confidence(), b.accuracy());
                    n.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
                    n.setTextAnchor(TextAnchor.BOTTOM_LEFT);
                    plot.addAnnotation(n);
                }
            }
            data.addSeries(s);
            renderer.setSeriesStroke(i++, new BasicStroke(1.5f));
        }
        ((NumberAxis) plot.getDomainAxis()).setRange(0, 1.02);
        ((NumberAxis) plot.getRangeAxis()).setRange(0, 1.02);
        return save(new JFreeChart(title, plot), file);
    }

    private static Path save(JFreeChart chart, Path file) throws IOException {
        chart.setBackgroundPaint(Color.WHITE);
        Path parent = file.toAbsolutePath().getParent();
        java.nio.file.Files.createDirectories(parent);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, W, H);
        return file;
    }
}
