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
        List<Prepared> prepared = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            prepared.add(new Prepared(images.get(i), null, 0, decodeMillis[i]));
        }
        return classifyPrepared(prepared);
    }

    /**
     * A decoded image, and its input tensors (centre crop, then any test-time views) when they
     * were made ahead of the batch for a given input size.
     */
    public record Prepared(BufferedImage image, List<float[]> tensors, int inputSize, float millis) {}

    /** Decodes and preprocesses for the model now in the slot; safe on any thread. */
    public Prepared prepare(byte[] bytes) throws InvalidImageException {
        long t0 = System.nanoTime();
        BufferedImage image = decoder.decode(bytes);
        int size = slot.info().inputSize();
        List<float[]> tensors = tensors(new Preprocessor(size), image);
        return new Prepared(image, tensors, size, (System.nanoTime() - t0) / 1e6f);
    }

    private List<float[]> tensors(Preprocessor pre, BufferedImage image) {
        List<float[]> t = new ArrayList<>(1 + ttaViews);
        t.add(pre.toTensor(image));
        if (ttaViews > 0) {
            t.addAll(pre.views(image, ttaViews));
        }
        return t;
    }

    /** Classifies as one batch; tensors made for another input size are made again. */
    public List<Classified> classifyPrepared(List<Prepared> items) {
        if (items.isEmpty()) {
            return List.of();
        }
        int perImage = 1 + ttaViews;
        return slot.withModel(model -> {
            long t0 = System.nanoTime();
            int size = model.info().inputSize();
            Preprocessor pre = new Preprocessor(size);
            List<float[]> batch = new ArrayList<>(items.size() * perImage);
            for (Prepared item : items) {
                batch.addAll(item.tensors() != null && item.inputSize() == size ? item.tensors() : tensors(pre, item.image()));
            }
            long t1 = System.nanoTime();
            List<float[]> probs = forward(model, batch);
            long t2 = System.nanoTime();
            float perImagePre = (t1 - t0) / 1e6f / items.size();
            List<Classified> out = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                Prediction p = combine(probs.subList(i * perImage, (i + 1) * perImage), model.info());
                out.add(new Classified(p, items.get(i).millis() + perImagePre, (t2 - t1) / 1e6f));
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
