package io.lince.model;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.lince.contracts.Prediction;
import io.lince.images.ImageDecoder;
import io.lince.images.InvalidImageException;
import io.lince.images.Preprocessor;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Images to {@link Prediction}s with the model currently in the slot. With test-time
 * augmentation on, each image is also seen in {@code ttaViews} fixed alternative views; the
 * prediction averages all views and reports the variance of the top class's probability across
 * them, a measure of how much the answer depends on framing.
 */
public final class ImageClassifier {

    /** A prediction with where the time went. */
    public record Classified(Prediction prediction, float decodeMillis, float inferenceMillis) {}

    private final ModelSlot slot;
    private final ImageDecoder decoder;
    private final int ttaViews;

    public ImageClassifier(ModelSlot slot, ImageDecoder decoder) {
        this(slot, decoder, 0);
    }

    public ImageClassifier(ModelSlot slot, ImageDecoder decoder, int ttaViews) {
        this.slot = slot;
        this.decoder = decoder;
        this.ttaViews = ttaViews;
    }

    public ModelSlot slot() {
        return slot;
    }

    public BufferedImage decode(byte[] bytes) throws InvalidImageException {
        return decoder.decode(bytes);
    }

    /**
     * @throws InvalidImageException if the bytes are not an image Lince accepts
     * @throws IllegalStateException if the model fails on a valid image
     */
    public Classified classify(byte[] bytes) throws InvalidImageException {
        long t0 = System.nanoTime();
        BufferedImage image = decoder.decode(bytes);
        float decodeMillis = (System.nanoTime() - t0) / 1e6f;
        return classifyDecoded(List.of(image), new float[] {decodeMillis}).get(0);
    }

    /**
     * Classifies decoded images as one batch, under one lease of the model, so a swap never
     * splits a batch between two versions.
     *
     * @param decodeMillis time already spent decoding each image, carried into the result
     */
    public List<Classified> classifyDecoded(List<BufferedImage> images, float[] decodeMillis) {
        if (images.isEmpty()) {
            return List.of();
        }
        int perImage = 1 + ttaViews;
        return slot.withModel(model -> {
            long t0 = System.nanoTime();
            Preprocessor pre = new Preprocessor(model.info().inputSize());
            List<float[]> batch = new ArrayList<>(images.size() * perImage);
            for (BufferedImage image : images) {
                batch.add(pre.toTensor(image));
                if (ttaViews > 0) {
                    batch.addAll(pre.views(image, ttaViews));
                }
            }
            long t1 = System.nanoTime();
            List<float[]> probs = forward(model, batch);
            long t2 = System.nanoTime();
            float perImagePre = (t1 - t0) / 1e6f / images.size();
            List<Classified> out = new ArrayList<>(images.size());
            for (int i = 0; i < images.size(); i++) {
                Prediction p = combine(probs.subList(i * perImage, (i + 1) * perImage), model.info());
                out.add(new Classified(p, decodeMillis[i] + perImagePre, (t2 - t1) / 1e6f));
            }
            return out;
        });
    }

    private static List<float[]> forward(LinceModel model, List<float[]> batch) {
        try (Predictor<float[], float[]> predictor = model.newPredictor()) {
            return predictor.batchPredict(batch);
        } catch (TranslateException e) {
            throw new IllegalStateException("model v" + model.info().version() + " failed: " + e.getMessage(), e);
        }
    }

    /** Averages the views' probabilities; the variance is of the averaged top class across views. */
    static Prediction combine(List<float[]> views, ModelInfo info) {
        int k = views.get(0).length;
        float[] mean = new float[k];
        for (float[] v : views) {
            for (int c = 0; c < k; c++) {
                mean[c] += v[c] / views.size();
            }
        }
        Prediction p = toPrediction(mean, info);
        if (views.size() > 1) {
            int top = Uncertainty.of(mean).top();
            double var = 0;
            for (float[] v : views) {
                var += (v[top] - mean[top]) * (v[top] - mean[top]);
            }
            p.setTtaVariance((float) (var / views.size()));
        }
        return p;
    }

    public static Prediction toPrediction(float[] probs, ModelInfo info) {
        List<String> classes = info.classes();
        Map<String, Float> byClass = new LinkedHashMap<>();
        for (int i = 0; i < probs.length; i++) {
            byClass.put(classes.get(i), probs[i]);
        }
        Uncertainty u = Uncertainty.of(probs);
        return Prediction.newBuilder()
                .setLabel(classes.get(u.top()))
                .setProbabilities(byClass)
                .setConfidence(u.confidence())
                .setMargin(u.margin())
                .setEntropy(u.entropy())
                .setModelVersion(info.version())
                .build();
    }
}
