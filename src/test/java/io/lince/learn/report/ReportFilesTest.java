package io.lince.learn.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.images.SyntheticImages;
import io.lince.learn.ImageLoader;
import io.lince.learn.Predictions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The report and the plots are real files: PNGs that decode, HTML that escapes what it shows. */
class ReportFilesTest {

    @Test
    void writesAnOfflineReportWithDecodablePngsAndEscapedText() throws Exception {
        Path dir = Files.createTempDirectory("report");
        Predictions fixed = InterpretationTest.fixed();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < fixed.size(); i++) {
            files.add(Files.write(dir.resolve("img" + i + ".jpg"), new SyntheticImages(i, 40, 30).jpeg(i % 2)));
        }
        Predictions p = new Predictions(List.of("<b>cats</b>", "dogs"), files, fixed.labels(), fixed.probabilities());

        Path plot = Charts.confusion(p, dir.resolve("out/plots/extra.png"));
        Map<String, String> summary = new LinkedHashMap<>();
        summary.put("data", "<script>alert(1)</script>");
        // a relative report folder, as `interpret --work some/dir` gives
        Path out = Path.of("").toAbsolutePath().relativize(dir.resolve("out").toAbsolutePath());
        Path index;
        try (io.lince.model.LinceModel model = io.lince.testing.TestModels.random(1, 32)) {
            index = new InterpretationReport(new ImageLoader(32, new PrintStream(PrintStream.nullOutputStream())))
                    .write(out, p, Interpretation.of(p, 3, 1), summary, Map.of("a plot", plot), java.util.Optional.of(model));
        }

        String html = Files.readString(index);
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.trim().endsWith("</html>"));
        assertFalse(html.contains("<script>"), "markup from data is escaped");
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertTrue(html.contains("Most incorrect: &lt;b&gt;cats&lt;/b&gt;"));
        assertFalse(html.contains("http://") || html.contains("https://"), "nothing loads from the network");
        List<String> pngs = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("src=\"([^\"]+)\"").matcher(html);
        while (m.find()) {
            pngs.add(m.group(1));
        }
        assertTrue(html.contains("expected calibration error") && html.contains("Grad-CAM: most uncertain"), html);
        assertEquals(12, pngs.size(), "confusion, reliability, 2 random, 2+2 per class, uncertain, 2 Grad-CAM, 1 plot: " + pngs);
        for (String src : pngs) {
            assertNotNull(ImageIO.read(dir.resolve("out").resolve(src).toFile()), src + " is a PNG");
        }
    }

    @Test
    void plotsOfAFitAndOfLrFindArePngs() throws Exception {
        Path dir = Files.createTempDirectory("plots");
        List<Double> rates = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            rates.add(1e-7 * Math.pow(10, i / 6.0));
            losses.add(1 + Math.sin(i / 10.0) - i / 100.0);
        }
        Path lr = Charts.lrFind(io.lince.learn.LrFindResult.of(rates, losses), dir.resolve("lr.png"));
        var img = ImageIO.read(lr.toFile());
        assertEquals(800, img.getWidth());
        assertEquals(500, img.getHeight());
    }
}
