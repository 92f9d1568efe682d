package io.lince.learn.report;

import io.lince.learn.ImageLoader;
import io.lince.learn.Predictions;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.text.StringEscapeUtils;

/**
 * Writes the interpretation as one folder that works offline: {@code index.html} with the
 * summary table, the confusion matrix and the image grids beside it as PNG files, plus any plots
 * of the run (lr_find, learning rate, losses) that the caller passes in.
 */
public final class InterpretationReport {

    private static final int TILE = 160;

    private final ImageLoader loader;

    public InterpretationReport(ImageLoader loader) {
        this.loader = loader;
    }

    /**
     * @param summary name → value rows for the top table (accuracy with and without TTA, …)
     * @param plots title → PNG already written into {@code dir}
     */
    public Path write(Path dir, Predictions p, Interpretation views, Map<String, String> summary, Map<String, Path> plots)
            throws IOException {
        return write(dir, p, views, summary, plots, Optional.empty());
    }

    /**
     * The same, and with {@code model} (the model that made {@code p}): Grad-CAM heat maps of the
     * most incorrect and the most uncertain images, for the class the model gave them.
     */
    public Path write(Path dir, Predictions p, Interpretation views, Map<String, String> summary, Map<String, Path> plots,
            Optional<io.lince.model.LinceModel> model) throws IOException {
        Files.createDirectories(dir);
        Charts.confusion(p, dir.resolve("confusion.png"));
        summary = new LinkedHashMap<>(summary);
        double t = io.lince.learn.Calibration.fitTemperature(p.probabilities(), p.labels());
        io.lince.learn.Calibration.Report as = io.lince.learn.Calibration.report(p.probabilities(), p.labels(), 1);
        io.lince.learn.Calibration.Report scaled = io.lince.learn.Calibration.report(p.probabilities(), p.labels(), t);
        summary.put("expected calibration error (15 bins)", String.format(java.util.Locale.ROOT, "%.4f", as.ece()));
        summary.put("Brier score", String.format(java.util.Locale.ROOT, "%.4f", as.brier()));
        summary.put("temperature that fits these images best", String.format(java.util.Locale.ROOT,
                "%.3f (ECE %.4f, log loss %.4f at it; fitted on the images it is judged on, so optimistic)", t, scaled.ece(),
                scaled.logLoss()));
        Map<String, List<io.lince.learn.Calibration.Bin>> reliability = new LinkedHashMap<>();
        reliability.put("as predicted", io.lince.learn.Calibration.reliability(p.probabilities(), p.labels(), io.lince.learn.Calibration.ECE_BINS));
        reliability.put(String.format(java.util.Locale.ROOT, "at temperature %.2f", t), io.lince.learn.Calibration.reliability(
                io.lince.learn.Calibration.rescale(p.probabilities(), t), p.labels(), io.lince.learn.Calibration.ECE_BINS));
        Charts.reliability(reliability, "Reliability", dir.resolve("reliability.png"));
        Map<String, String> grids = new LinkedHashMap<>();
        grids.put("Random correct", grid(dir, "random-correct.png", p, views.randomCorrect()));
        grids.put("Random incorrect", grid(dir, "random-incorrect.png", p, views.randomIncorrect()));
        views.mostCorrect().forEach((c, idx) -> grids.put("Most correct: " + c, grid(dir, "most-correct-" + safe(c) + ".png", p, idx)));
        views.mostIncorrect().forEach((c, idx) -> grids.put("Most incorrect: " + c, grid(dir, "most-incorrect-" + safe(c) + ".png", p, idx)));
        grids.put("Most uncertain", grid(dir, "most-uncertain.png", p, views.mostUncertain()));
        if (model.isPresent()) {
            List<Integer> incorrect = new ArrayList<>();
            views.mostIncorrect().values().forEach(incorrect::addAll);
            grids.put("Grad-CAM: most incorrect (where the model saw the class it gave)",
                    heatMaps(dir, "gradcam-most-incorrect.png", p, incorrect, model.get()));
            grids.put("Grad-CAM: most uncertain", heatMaps(dir, "gradcam-most-uncertain.png", p, views.mostUncertain(), model.get()));
        }

        StringBuilder html = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>Lince: interpretation</title>
                <style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}
                td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}img{max-width:100%}
                figure{margin:1em 0}figcaption{color:#555;font-size:90%}</style></head><body>
                <h1>Interpretation</h1>
                """);
        html.append("<table>");
        summary.forEach((k, v) -> html.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>"));
        html.append("</table>\n<h2>Confusion matrix</h2>\n<img src=\"confusion.png\" alt=\"confusion matrix\">\n");
        html.append("<h2>Reliability</h2>\n<img src=\"reliability.png\" alt=\"reliability diagram\">\n");
        for (Map.Entry<String, String> g : grids.entrySet()) {
            html.append("<h2>").append(esc(g.getKey())).append("</h2>\n");
            html.append(g.getValue() == null ? "<p>none</p>\n"
                    : "<img src=\"" + esc(g.getValue()) + "\" alt=\"" + esc(g.getKey()) + "\">\n");
        }
        if (!plots.isEmpty()) {
            html.append("<h2>Training</h2>\n");
            plots.forEach((title, file) -> html.append("<figure><img src=\"").append(esc(dir.toAbsolutePath().relativize(file.toAbsolutePath()).toString()))
                    .append("\" alt=\"").append(esc(title)).append("\"><figcaption>").append(esc(title)).append("</figcaption></figure>\n"));
        }
        html.append("</body></html>\n");
        Path index = dir.resolve("index.html");
        Files.writeString(index, html, StandardCharsets.UTF_8);
        return index;
    }

    /** Caption: predicted class and its probability, and the true class when it differs. */
    static String caption(Predictions p, int i) {
        int k = p.predicted(i);
        String s = String.format("%s %.3f", p.classes().get(k), p.probabilities()[i][k]);
        return p.labels()[i] >= 0 && p.labels()[i] != k ? s + " (is " + p.classes().get(p.labels()[i]) + ")" : s;
    }

    private String grid(Path dir, String name, Predictions p, List<Integer> idx) {
        if (idx.isEmpty()) {
            return null;
        }
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (int i : idx) {
            Optional<BufferedImage> img = loader.decode(p.files().get(i));
            img.ifPresent(b -> tiles.add(new ImageGrid.Tile(b, caption(p, i))));
        }
        try {
            ImageGrid.write(tiles, 1, TILE, dir.resolve(name));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return name;
    }

    /** Each image's Grad-CAM for the class the model gave it, over its input crop. */
    private String heatMaps(Path dir, String name, Predictions p, List<Integer> idx, io.lince.model.LinceModel model) {
        if (idx.isEmpty()) {
            return null;
        }
        int size = model.info().inputSize();
        io.lince.images.InputCrop crops = new io.lince.images.InputCrop(io.lince.images.ImageDecoder.defaults(), true);
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (int i : idx) {
            try {
                byte[] crop = crops.crop(Files.readAllBytes(p.files().get(i)), size);
                io.lince.model.GradCam.HeatMap h = io.lince.model.GradCam.of(model, crop, p.predicted(i));
                tiles.add(new ImageGrid.Tile(io.lince.model.GradCam.overlay(crop, size, h), caption(p, i)));
            } catch (IOException | io.lince.images.InvalidImageException e) {
                // an unreadable file has no tile in the other grids either
            }
        }
        try {
            ImageGrid.write(tiles, 1, TILE, dir.resolve(name));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return name;
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    private static String esc(String s) {
        return StringEscapeUtils.escapeHtml4(s);
    }
}
