package io.lince.retraining;

import ai.onnxruntime.OrtException;
import io.lince.images.ImageDecoder;
import io.lince.images.ImageFolder.Entry;
import io.lince.images.InputCrop;
import io.lince.images.InvalidImageException;
import io.lince.learn.Calibration;
import io.lince.model.LinceModel;
import io.lince.model.Serving;
import io.lince.model.onnx.Int8Calibration;
import io.lince.model.onnx.OnnxSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Quantizes a candidate to INT8 and judges it: the activations are calibrated on training images,
 * then the INT8 graph (ONNX Runtime) and the same weights in fp32 (as served: BatchNorm folded,
 * libtorch) classify the evaluation slice from the same centre crops the classifiers make, at the
 * candidate's temperature. {@link Int8Rule} decides whether the INT8 graph may serve.
 */
public final class Int8Gate {

    /** The INT8 graph, the verdict and the scores ({@code int8.accuracy}, {@code int8.fp32Accuracy}, …). */
    public record Result(byte[] graph, boolean allowed, String reason, Map<String, Double> metrics) {}

    private static final int BATCH = 16;

    private final Int8Rule rule;
    private final InputCrop crops = new InputCrop(ImageDecoder.defaults(), true);

    public Int8Gate(Int8Rule rule) {
        this.rule = rule;
    }

    /**
     * @param model the candidate, BatchNorm folded (as served)
     * @param training images it was trained on: the calibration set is drawn from them
     * @param judged the evaluation slice, with the candidate's classes as labels
     */
    public Result check(LinceModel model, List<Entry> training, List<Entry> judged, long seed) throws IOException {
        List<Entry> calibration = new ArrayList<>(training);
        Collections.shuffle(calibration, new Random(seed));
        calibration = calibration.subList(0, Math.min(rule.calibrationImages(), calibration.size()));
        int size = model.info().inputSize();
        List<ByteBuffer> calibrationBatches = new ArrayList<>();
        for (int i = 0; i < calibration.size(); i += BATCH) {
            calibrationBatches.add(batch(calibration.subList(i, Math.min(calibration.size(), i + BATCH)), size));
        }
        byte[] graph;
        try {
            graph = Int8Calibration.quantize(model, calibrationBatches, Serving.intraOpThreads());
        } catch (OrtException e) {
            throw new IOException("INT8 calibration failed: " + e.getMessage(), e);
        }
        int n = judged.size();
        int[] labels = new int[n];
        float[][] fp32 = new float[n][];
        float[][] int8 = new float[n][];
        try (OnnxSession session = new OnnxSession(graph, size, Serving.intraOpThreads(), -1)) {
            for (int i = 0; i < n; i += BATCH) {
                List<Entry> part = judged.subList(i, Math.min(n, i + BATCH));
                ByteBuffer b = batch(part, size);
                int k = part.size();
                double t = model.info().temperature();
                System.arraycopy(Calibration.softmaxRows(model.raw(b.duplicate(), k).logits(), k, t), 0, fp32, i, k);
                System.arraycopy(Calibration.softmaxRows(session.run(b.duplicate(), k).logits(), k, t), 0, int8, i, k);
                for (int j = 0; j < k; j++) {
                    labels[i + j] = model.info().classIndex(part.get(j).label());
                }
            }
        } catch (OrtException e) {
            throw new IOException("the INT8 graph does not load into ONNX Runtime: " + e.getMessage(), e);
        }
        double accFp32 = Calibration.accuracy(fp32, labels);
        double accInt8 = Calibration.accuracy(int8, labels);
        double llFp32 = Calibration.logLoss(fp32, labels);
        double llInt8 = Calibration.logLoss(int8, labels);
        Map<String, Double> metrics = new TreeMap<>();
        if (n > 0) {
            metrics.put("int8.accuracy", accInt8);
            metrics.put("int8.fp32Accuracy", accFp32);
            metrics.put("int8.logLoss", llInt8);
            metrics.put("int8.fp32LogLoss", llFp32);
        }
        metrics.put("int8.images", (double) n);
        metrics.put("int8.calibrationImages", (double) calibration.size());
        String scores = String.format(Locale.ROOT, "on %d images INT8 accuracy %.4f vs fp32 %.4f, log loss %.4f vs %.4f",
                n, accInt8, accFp32, llInt8, llFp32);
        if (n < rule.minimumImages()) {
            return new Result(graph, false, String.format(Locale.ROOT, "INT8 not judged: %d evaluation images, %d needed (%s)",
                    n, rule.minimumImages(), scores), metrics);
        }
        if (accFp32 - accInt8 > rule.epsilon()) {
            return new Result(graph, false, String.format(Locale.ROOT, "INT8 %.2f points less accurate than fp32 (%.2f allowed): %s",
                    100 * (accFp32 - accInt8), 100 * rule.epsilon(), scores), metrics);
        }
        if (llInt8 - llFp32 > rule.logLossDelta()) {
            return new Result(graph, false, String.format(Locale.ROOT, "INT8 log loss %.4f above fp32's (%.4f allowed): %s",
                    llInt8 - llFp32, rule.logLossDelta(), scores), metrics);
        }
        return new Result(graph, true, "INT8 allowed: " + scores, metrics);
    }

    /** Centre crops of {@code entries} at {@code size}, one direct buffer; an undecodable image is a black crop. */
    private ByteBuffer batch(List<Entry> entries, int size) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(entries.size() * size * size * 3);
        for (Entry e : entries) {
            try {
                b.put(crops.crop(Files.readAllBytes(e.file()), size));
            } catch (InvalidImageException ex) {
                b.position(b.position() + size * size * 3); // the trainer decoded it once: this does not happen
            }
        }
        return b.flip();
    }
}
