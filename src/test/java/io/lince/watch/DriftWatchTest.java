package io.lince.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.Alert;
import io.lince.images.ImageDecoder;
import io.lince.images.SyntheticImages;
import io.lince.model.Checkpoint;
import io.lince.model.DriftReference;
import io.lince.model.ImageClassifier;
import io.lince.model.LinceModel;
import io.lince.model.ModelSlot;
import io.lince.testing.TestModels;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The drift watch on a real (random-bodied) ResNet-34 at 32 px whose checkpoint carries a
 * reference measured on generated images: a stream of the same kind stays quiet, a stream whose
 * texture changes (a checkerboard of darkened squares over every image) raises the alert, and
 * the alert clears once the stream is back. A random body sees colour changes only faintly (red
 * and blue swapped moved its mean embedding by 0.2 sd); a trained body separates far more.
 */
class DriftWatchTest {

    static final int WINDOW = 100;
    static final int BATCH = 10;

    @Test
    void aStyleShiftRaisesTheAlertAndTheTrainingDistributionStaysQuiet() throws Exception {
        Path file = Files.createTempDirectory("lince-drift").resolve("m.lince");
        try (LinceModel m = TestModels.random(1, 32)) {
            ImageClassifier measure = new ImageClassifier(new ModelSlot(m.folded()), ImageDecoder.defaults());
            List<ImageClassifier.Classified> seen = classify(measure, images(400, 1, false));
            float[] conf = new float[seen.size()];
            float[][] emb = new float[seen.size()][];
            for (int i = 0; i < seen.size(); i++) {
                conf[i] = seen.get(i).prediction().getConfidence();
                emb[i] = seen.get(i).embedding();
            }
            Checkpoint.write(file, m.info().calibrated(1, DriftReference.of(conf, emb, 2)), m.network());
        }
        List<Alert> alerts = new ArrayList<>();
        DriftWatch watch = new DriftWatch(new DriftWatch.Settings(true, WINDOW, 0.25, 0.25, 3, false), alerts::add);
        try (ModelSlot slot = new ModelSlot(LinceModel.load(file, ai.djl.Device.cpu()))) {
            ImageClassifier classifier = new ImageClassifier(slot, ImageDecoder.defaults());
            classifier.listen(watch);
            // ten windows of images like the reference's (other seeds): never an alert
            List<byte[]> same = images(10 * WINDOW, 2, false);
            int checks = 0;
            double worst = 0;
            for (int i = 0; i < same.size(); i += BATCH) {
                classify(classifier, same.subList(i, i + BATCH));
                DriftWatch.Status s = watch.status();
                if (s.state() == DriftWatch.State.QUIET || s.state() == DriftWatch.State.DRIFT) {
                    checks++;
                    worst = Math.max(worst, s.embeddingShift());
                }
            }
            assertTrue(alerts.isEmpty(), "false alarms: " + alerts);
            assertEquals(DriftWatch.State.QUIET, watch.status().state());
            assertEquals(1, watch.budgetFactor());
            System.out.printf("drift watch, in distribution: %d images, %d checks, 0 alerts, largest embedding shift %.3f (limit 0.25)%n",
                    same.size(), checks, worst);
            // the stream's texture changes: the alert comes within a window and a tenth
            List<byte[]> shifted = images(2 * WINDOW, 3, true);
            int at = -1;
            for (int i = 0; i < shifted.size() && at < 0; i += BATCH) {
                classify(classifier, shifted.subList(i, i + BATCH));
                if (!alerts.isEmpty()) {
                    at = i + BATCH;
                }
            }
            assertTrue(at > 0 && at <= WINDOW + WINDOW / 10, "alert after " + at + " shifted images");
            Alert a = alerts.get(0);
            assertEquals("drift", a.getKind());
            assertEquals(1, a.getModelVersion());
            assertTrue(a.getMeasures().get("embeddingShift") > 0.25, a.getMessage());
            assertEquals(DriftWatch.State.DRIFT, watch.status().state());
            assertEquals(3, watch.budgetFactor(), "the labelling budget is raised while drift lasts");
            System.out.printf("drift watch, texture changed: alert after %d images (%s)%n", at, a.getMessage());
            // back to the usual images: cleared once a whole window looks like the reference again
            List<byte[]> back = images(2 * WINDOW, 4, false);
            for (int i = 0; i < back.size(); i += BATCH) {
                classify(classifier, back.subList(i, i + BATCH));
            }
            assertEquals("drift-cleared", alerts.get(alerts.size() - 1).getKind());
            assertEquals(DriftWatch.State.QUIET, watch.status().state());
        }
    }

    @Test
    void confidenceThatMovesToOtherBinsRaisesThePopulationStabilityIndex() {
        float[] reference = new float[200];
        for (int i = 0; i < reference.length; i++) {
            reference[i] = 0.55f + 0.45f * i / reference.length; // spread over [0.55, 1)
        }
        DriftReference r = DriftReference.of(reference, new float[200][4], 2);
        float[] same = reference.clone();
        float[] unsure = new float[200];
        java.util.Arrays.fill(unsure, 0.52f); // every image now near 1/K
        assertTrue(DriftWatch.psi(same, r, 2) < 0.01, "same distribution");
        assertTrue(DriftWatch.psi(unsure, r, 2) > 1, "all in the lowest bin: " + DriftWatch.psi(unsure, r, 2));
    }

    @Test
    void aVersionWithoutAReferenceIsNotWatched() throws Exception {
        List<Alert> alerts = new ArrayList<>();
        DriftWatch watch = new DriftWatch(new DriftWatch.Settings(true, 20, 0.25, 0.5, 1, false), alerts::add);
        try (ModelSlot slot = new ModelSlot(TestModels.random(1, 32))) {
            ImageClassifier classifier = new ImageClassifier(slot, ImageDecoder.defaults());
            classifier.listen(watch);
            classify(classifier, images(40, 5, true));
        }
        assertEquals(DriftWatch.State.NO_REFERENCE, watch.status().state());
        assertTrue(alerts.isEmpty());
    }

    static List<ImageClassifier.Classified> classify(ImageClassifier c, List<byte[]> jpegs) throws Exception {
        List<ImageClassifier.Prepared> prepared = new ArrayList<>();
        for (byte[] j : jpegs) {
            prepared.add(c.prepare(j));
        }
        List<ImageClassifier.Classified> out = new ArrayList<>();
        for (int i = 0; i < prepared.size(); i += BATCH) {
            out.addAll(c.classifyPrepared(prepared.subList(i, Math.min(prepared.size(), i + BATCH))));
        }
        return out;
    }

    /** Generated images of both classes; {@code textured}: every other 4-pixel square darkened to a third (a new texture). */
    static List<byte[]> images(int n, long seed, boolean textured) {
        SyntheticImages gen = new SyntheticImages(seed, 48, 48);
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            BufferedImage img = gen.image(i % 2);
            if (textured) {
                for (int y = 0; y < img.getHeight(); y++) {
                    for (int x = 0; x < img.getWidth(); x++) {
                        if ((x / 4 + y / 4) % 2 == 1) {
                            int p = img.getRGB(x, y);
                            img.setRGB(x, y, ((((p >> 16) & 0xff) / 3) << 16) | ((((p >> 8) & 0xff) / 3) << 8) | ((p & 0xff) / 3));
                        }
                    }
                }
            }
            out.add(SyntheticImages.encode(img, "png"));
        }
        return out;
    }
}
