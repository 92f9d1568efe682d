package io.lince.model;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.lince.contracts.Prediction;
import io.lince.images.ImageDecoder;
import io.lince.images.InvalidImageException;
import io.lince.images.Preprocessor;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Image bytes to a {@link Prediction} with the model currently in the slot. */
public final class ImageClassifier {

    /** A prediction with where the time went. */
    public record Classified(Prediction prediction, float decodeMillis, float inferenceMillis) {}

    private final ModelSlot slot;
    private final ImageDecoder decoder;

    public ImageClassifier(ModelSlot slot, ImageDecoder decoder) {
        this.slot = slot;
        this.decoder = decoder;
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
        return slot.withModel(model -> {
            float[] chw = new Preprocessor(model.info().inputSize()).toTensor(image);
            long t2 = System.nanoTime();
            float[] probs = predict(model, chw);
            long t3 = System.nanoTime();
            Prediction p = toPrediction(probs, model.info());
            // decode time includes resizing and normalising
            return new Classified(p, (t2 - t0) / 1e6f, (t3 - t2) / 1e6f);
        });
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
        return slot.withModel(model -> {
            long t0 = System.nanoTime();
            Preprocessor pre = new Preprocessor(model.info().inputSize());
            List<float[]> batch = new java.util.ArrayList<>(images.size());
            for (BufferedImage image : images) {
                batch.add(pre.toTensor(image));
            }
            long t1 = System.nanoTime();
            List<float[]> probs;
            try (Predictor<float[], float[]> predictor = model.newPredictor()) {
                probs = predictor.batchPredict(batch);
            } catch (TranslateException e) {
                throw new IllegalStateException("model v" + model.info().version() + " failed: " + e.getMessage(), e);
            }
            long t2 = System.nanoTime();
            float perImagePre = (t1 - t0) / 1e6f / images.size();
            float batchMillis = (t2 - t1) / 1e6f;
            List<Classified> out = new java.util.ArrayList<>(images.size());
            for (int i = 0; i < images.size(); i++) {
                out.add(new Classified(toPrediction(probs.get(i), model.info()), decodeMillis[i] + perImagePre, batchMillis));
            }
            return out;
        });
    }

    private static float[] predict(LinceModel model, float[] chw) {
        try (Predictor<float[], float[]> predictor = model.newPredictor()) {
            return predictor.predict(chw);
        } catch (TranslateException e) {
            throw new IllegalStateException("model v" + model.info().version() + " failed: " + e.getMessage(), e);
        }
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
