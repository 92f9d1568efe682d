package io.lince.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lince.contracts.Prediction;
import io.lince.images.ImageDecoder;
import io.lince.testing.TestImages;
import io.lince.testing.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageClassifierTest {

    private static final ModelInfo INFO = new ModelInfo(3, null, List.of("cats", "dogs"), 32);

    @Test
    void testTimeViewsAreAveragedAndTheirSpreadReported() {
        Prediction p = ImageClassifier.combine(List.of(new float[] {0.8f, 0.2f}, new float[] {0.6f, 0.4f}), INFO);
        assertEquals("cats", p.getLabel());
        assertEquals(0.7f, p.getConfidence(), 1e-6);
        assertEquals(0.4f, p.getMargin(), 1e-6);
        assertEquals(0.01f, p.getTtaVariance(), 1e-6);
        assertEquals(0f, ImageClassifier.combine(List.<float[]>of(new float[] {0.8f, 0.2f}), INFO).getTtaVariance());
    }

    @Test
    void runsEveryViewOfEveryImageInOneBatch() throws Exception {
        ImageDecoder decoder = ImageDecoder.defaults();
        try (ModelSlot slot = new ModelSlot(TestModels.random(1, 32))) {
            // a random body and a head that reads it: views of the same image disagree a little
            slot.withModel(m -> {
                float[] w = new float[2 * 512];
                for (int i = 0; i < 512; i++) {
                    w[i] = 0.002f * (float) Math.sin(i); // small enough not to saturate the softmax
                }
                m.network().setHead(w, new float[2]);
                return null;
            });
            ImageClassifier tta = new ImageClassifier(slot, decoder, 4);
            ImageClassifier plain = new ImageClassifier(slot, decoder);
            var images = List.of(decoder.decode(TestImages.jpeg(0, 1)), decoder.decode(TestImages.jpeg(1, 2)));
            List<ImageClassifier.Classified> withViews = tta.classifyDecoded(images, new float[2]);
            List<ImageClassifier.Classified> without = plain.classifyDecoded(images, new float[2]);
            assertEquals(2, withViews.size());
            for (int i = 0; i < 2; i++) {
                assertTrue(withViews.get(i).prediction().getTtaVariance() > 0, "views disagree a little");
                assertEquals(0f, without.get(i).prediction().getTtaVariance());
            }
            // the same views every time: reproducible
            assertEquals(withViews.get(0).prediction().getProbabilities(),
                    tta.classifyDecoded(images, new float[2]).get(0).prediction().getProbabilities());
        }
    }
}
