package io.lince.model;

import io.lince.contracts.Prediction;
import io.lince.images.ImageDecoder;
import io.lince.images.InputCrop;
import io.lince.images.InvalidImageException;
import io.lince.images.PerceptualHash;
import io.lince.images.Preprocessor;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.util.Arrays;
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

    /**
     * A prediction with where the time went, the image's embedding (the pooled body activations
     * of its centre view) and its {@link PerceptualHash} (of the centre crop).
     */
    public record Classified(Prediction prediction, float decodeMillis, float inferenceMillis, float[] embedding,
            long fingerprint) {}

    /** How a batch of crops becomes probabilities and embeddings: {@link LinceModel#outputs}, or a stand-in. */
    @FunctionalInterface
    public interface Forward {
        LinceModel.Outputs outputs(LinceModel model, ByteBuffer rgb, int n);
    }

    /**
     * Told of every batch right after its forward pass, on the forward thread and under the
     * batch's lease of the model: the drift watch and the shadow runner. It must not block: what
     * it needs to do at length it hands to a thread of its own.
     *
     * @param crops the batch's crops as the model saw them ({@code results.size() × views} of
     *     them), valid only during the call
     */
    @FunctionalInterface
    public interface BatchListener {
        void ran(ModelInfo model, ByteBuffer crops, int views, List<Classified> results, float inferenceMillis);

        BatchListener NONE = (model, crops, views, results, millis) -> {};

        /** Each of {@code listeners} in turn; one that throws does not keep the others from being told. */
        static BatchListener all(BatchListener... listeners) {
            return (model, crops, views, results, millis) -> {
                for (BatchListener l : listeners) {
                    try {
                        l.ran(model, crops.duplicate(), views, results, millis);
                    } catch (RuntimeException e) {
                        org.jboss.logging.Logger.getLogger(ImageClassifier.class).warnf(e, "a batch listener failed: %s", e);
                    }
                }
            };
        }
    }

    private final ModelSlot slot;
    private final InputCrop crops;
    private final int ttaViews;
    private final Forward forward;
    private volatile BatchListener listener = BatchListener.NONE;

    public ImageClassifier(ModelSlot slot, ImageDecoder decoder) {
        this(slot, decoder, 0);
    }

    public ImageClassifier(ModelSlot slot, ImageDecoder decoder, int ttaViews) {
        this(slot, new InputCrop(decoder, true), ttaViews);
    }

    public ImageClassifier(ModelSlot slot, InputCrop crops, int ttaViews) {
        this(slot, crops, ttaViews, LinceModel::outputs);
    }

    /**
     * With another {@code forward}: the serving benchmark's no-op model, which measures what the
     * host side sustains when the accelerator takes no time.
     */
    public ImageClassifier(ModelSlot slot, InputCrop crops, int ttaViews, Forward forward) {
        this.slot = slot;
        this.crops = crops;
        this.ttaViews = ttaViews;
        this.forward = forward;
    }

    public ModelSlot slot() {
        return slot;
    }

    /** Who is told of each batch after its forward pass (one listener; {@link BatchListener#NONE} for none). */
    public void listen(BatchListener l) {
        this.listener = l;
    }

    public BufferedImage decode(byte[] bytes) throws InvalidImageException {
        return crops.decoder().decode(bytes);
    }

    /**
     * @throws InvalidImageException if the bytes are not an image Lince accepts
     * @throws IllegalStateException if the model fails on a valid image
     */
    public Classified classify(byte[] bytes) throws InvalidImageException {
        return classifyPrepared(List.of(prepare(bytes))).get(0);
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
            prepared.add(new Prepared(null, images.get(i), null, 0, decodeMillis[i], 0));
        }
        return classifyPrepared(prepared);
    }

    /**
     * An image made ready for the model: its input crops (centre, then any test-time views, as
     * RGB bytes) for {@code inputSize} with the centre crop's {@link PerceptualHash}, and what to
     * make them again from should the model that runs the batch want another size (its bytes, or
     * its decoded image).
     */
    public record Prepared(byte[] source, BufferedImage image, List<byte[]> crops, int inputSize, float millis,
            long fingerprint) {

        List<byte[]> cropsFor(int size, ImageClassifier c) throws InvalidImageException {
            if (crops != null && inputSize == size) {
                return crops;
            }
            return image != null ? c.crops(image, size) : c.crops(source, size);
        }

        /** The centre crop's hash, made here with the crops (on the decode pool), or now for crops made again. */
        long fingerprintOf(List<byte[]> views, int size) {
            return crops != null && inputSize == size ? fingerprint : PerceptualHash.of(views.get(0), size);
        }
    }

    /** Decodes and makes the crops for the model now in the slot; safe on any thread. */
    public Prepared prepare(byte[] bytes) throws InvalidImageException {
        long t0 = System.nanoTime();
        int size = slot.info().inputSize();
        List<byte[]> c = crops(bytes, size);
        long fingerprint = PerceptualHash.of(c.get(0), size); // here, on the decode pool, not on the forward thread
        return new Prepared(bytes, null, c, size, (System.nanoTime() - t0) / 1e6f, fingerprint);
    }

    private List<byte[]> crops(byte[] bytes, int size) throws InvalidImageException {
        return ttaViews == 0 ? List.of(crops.crop(bytes, size)) : crops(crops.decoder().decode(bytes), size);
    }

    private List<byte[]> crops(BufferedImage image, int size) {
        List<byte[]> out = new ArrayList<>(1 + ttaViews);
        out.add(InputCrop.crop(image, size));
        for (BufferedImage v : new Preprocessor(size).viewImages(image, ttaViews)) {
            out.add(InputCrop.rgb(v, size));
        }
        return out;
    }

    /**
     * A batch's crops, copied once into this thread's buffer: one contiguous block that becomes
     * one tensor. Reused from batch to batch (a direct buffer per batch would be freed only by the
     * garbage collector); the model has copied it by the time {@code probabilities} returns.
     */
    private static final ThreadLocal<ByteBuffer> BATCH = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(0));

    private static ByteBuffer batchBuffer(int bytes) {
        ByteBuffer b = BATCH.get();
        if (b.capacity() < bytes) {
            b = ByteBuffer.allocateDirect(bytes);
            BATCH.set(b);
        }
        b.clear();
        return b;
    }

    /** Classifies as one batch; crops made for another input size are made again. */
    public List<Classified> classifyPrepared(List<Prepared> items) {
        if (items.isEmpty()) {
            return List.of();
        }
        int perImage = 1 + ttaViews;
        return slot.withModel(model -> {
            long t0 = System.nanoTime();
            int size = model.info().inputSize();
            int n = items.size() * perImage;
            ByteBuffer batch = batchBuffer(n * size * size * 3);
            long[] fingerprints = new long[items.size()];
            for (int i = 0; i < items.size(); i++) {
                try {
                    List<byte[]> views = items.get(i).cropsFor(size, this);
                    fingerprints[i] = items.get(i).fingerprintOf(views, size);
                    views.forEach(batch::put);
                } catch (InvalidImageException e) {
                    // it was valid when prepared: only a model swap to another size gets here
                    throw new IllegalStateException("cannot remake an input crop: " + e.getMessage(), e);
                }
            }
            batch.flip();
            long t1 = System.nanoTime();
            LinceModel.Outputs outputs = forward.outputs(model, batch.duplicate(), n);
            float[][] probs = outputs.probabilities();
            long t2 = System.nanoTime();
            float perImagePre = (t1 - t0) / 1e6f / items.size();
            float inferenceMillis = (t2 - t1) / 1e6f;
            List<Classified> out = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                Prediction p = combine(Arrays.asList(probs).subList(i * perImage, (i + 1) * perImage), model.info());
                out.add(new Classified(p, items.get(i).millis() + perImagePre, inferenceMillis,
                        outputs.embeddings()[i * perImage], fingerprints[i]));
            }
            try {
                listener.ran(model.info(), batch.duplicate(), perImage, out, inferenceMillis);
            } catch (RuntimeException e) {
                // watching must never cost a batch its results
                org.jboss.logging.Logger.getLogger(ImageClassifier.class).warnf(e, "a batch listener failed: %s", e);
            }
            return out;
        });
    }

    /** Averages the views' probabilities; the variance is of the averaged top class across views. */
    public static Prediction combine(List<float[]> views, ModelInfo info) {
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
