package io.lince.model.onnx;

import ai.onnxruntime.OrtException;
import io.lince.model.LinceModel;
import java.nio.ByteBuffer;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Static INT8 quantization of a Lince model: runs its fp32 graph with every tensor to be
 * quantized exposed ({@link OnnxExport#probed}) over calibration crops, records each tensor's
 * range, and writes the QDQ graph with those ranges ({@link OnnxExport#int8}). Min/max ranges:
 * with BatchNorm folded into the convolutions and ReLUs after most of them, ResNet-34's
 * activations have no outliers far from the bulk that a percentile would need to clip (the bench
 * measures what it costs in accuracy).
 */
public final class Int8Calibration {

    private Int8Calibration() {}

    /**
     * @param batches calibration crops, each a buffer of whole crops at the model's input size
     *     (uint8 NHWC RGB); a few hundred images in all
     */
    public static Int8Ranges ranges(LinceModel model, List<ByteBuffer> batches, int threads) throws OrtException {
        int size = model.info().inputSize();
        List<String> keys = OnnxExport.probes();
        Set<String> outputs = new LinkedHashSet<>();
        keys.forEach(k -> outputs.add(OnnxExport.PROBE + k));
        Int8Ranges ranges = new Int8Ranges();
        try (OnnxSession probed = new OnnxSession(OnnxExport.probed(model).toByteArray(), size, threads, -1)) {
            for (ByteBuffer batch : batches) {
                int n = batch.remaining() / (size * size * 3);
                Map<String, float[]> seen = probed.run(batch.duplicate(), n, outputs);
                for (String k : keys) {
                    ranges.see(k, seen.get(OnnxExport.PROBE + k));
                }
                ranges.counted(n);
            }
        }
        if (ranges.images() == 0) {
            throw new IllegalArgumentException("INT8 calibration needs images, got none");
        }
        return ranges;
    }

    /** The INT8 graph of {@code model}, calibrated on {@code batches}. */
    public static byte[] quantize(LinceModel model, List<ByteBuffer> batches, int threads) throws OrtException {
        return OnnxExport.int8(model, ranges(model, batches, threads)).toByteArray();
    }
}
